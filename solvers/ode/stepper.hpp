// solvers/ode/stepper.hpp — internal: the dense-output stepper each backend
// implements; integrate() drives it and handles outputs and events.
#pragma once

#include <memory>
#include <string>

#include "fwkit/core/error.hpp"
#include "ode.hpp"

namespace fw::ode::detail {

class DenseStepper {
 public:
  virtual ~DenseStepper() = default;
  virtual void initialize(double t0, const Vec& x0, double t_end) = 0;
  /// One internal step; false on failure (see message()).
  virtual bool step() = 0;
  virtual double t_prev() const = 0;
  virtual double t() const = 0;
  virtual const Vec& x() const = 0;
  /// The dense output at s in [t_prev(), t()].
  virtual void interpolate(double s, Vec& out) const = 0;
  virtual std::string message() const { return {}; }
  long steps = 0, rhs_evals = 0, jacobian_evals = 0;
};

std::unique_ptr<DenseStepper> make_odeint_stepper(const Rhs& rhs, const Options& o, Method m);
std::unique_ptr<DenseStepper> make_sundials_stepper(const Rhs& rhs, const Options& o, Method m);
std::unique_ptr<DenseStepper> make_radau_stepper(const Rhs& rhs, const Options& o);

/// Cubic Hermite interpolation on [ta, tb] from values and derivatives.
void hermite(double ta, const Vec& xa, const Vec& fa, double tb, const Vec& xb, const Vec& fb,
             double s, Vec& out);

}  // namespace fw::ode::detail
