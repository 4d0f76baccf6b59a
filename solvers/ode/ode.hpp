// solvers/ode/ode.hpp — one integrator interface over Boost.Odeint and SUNDIALS.
//
// Backends:
//   kRk4      classical Runge–Kutta, fixed step `dt` (Odeint)
//   kDopri5   Dormand–Prince 5(4), adaptive with dense output (Odeint);
//             with `fixed_step` it takes constant steps of `dt`
//   kBdf      variable-order BDF with Newton and the analytic dense Jacobian
//             (SUNDIALS CVODE), for stiff problems
//   kImex     additive Runge–Kutta IMEX (SUNDIALS ARKODE): the `implicit`
//             part of the right-hand side is treated implicitly, the rest
//             explicitly. Stiffness costs it no stability, but where stiff
//             variables relax onto explicitly integrated ones (a slow-fast
//             split) the low stage order of ARK schemes reduces their order:
//             at tight tolerances kBdf takes far fewer steps. Its global
//             error runs to ~10 (steps x rtol) on long oscillatory runs.
//   kRadau    Radau IIA of order 5 (three stages, L-stable, stiffly
//             accurate; Hairer–Wanner's RADAU5 scheme, fwkit's own code):
//             for stiff problems with sharp transitions, such as relaxation
//             oscillations, where it needs far fewer steps than BDF. Dense
//             3d x 3d Newton matrices: for small systems
//   kAuto     picks kBdf or kDopri5 from a stiffness estimate at x0 and
//             reports what it picked and why
// Every backend exposes dense output between its steps (Hermite cubic for
// the fixed-step methods), which serves the output times and the events:
// roots of g(t, x(t)) located on the dense output to ~1e-12 in t.
//
//   fw::ode::Rhs rhs = fw::ode::from_system(system);
//   fw::ode::Options o;  o.method = fw::ode::Method::kBdf;  o.rtol = 1e-10;
//   fw::ode::Result r = fw::ode::integrate(rhs, 0, 100, x0, o, {event});
//   std::cout << r.brief_report();
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "fwkit/core/types.hpp"
#include "fwkit/model/system.hpp"

namespace fw::ode {

enum class Method { kAuto, kRk4, kDopri5, kBdf, kImex, kRadau };
const char* to_string(Method m);
/// Parses "auto", "rk4", "dopri5", "bdf", "imex", "radau" (throws a config Error).
Method parse_method(const std::string& name);

/// x' = f(t, x) with its Jacobian, and optionally an implicit part for IMEX.
struct Rhs {
  int dim = 0;
  std::function<void(double t, const double* x, double* dxdt)> f;
  /// df/dx, column-major dim x dim; required by kBdf and kImex.
  std::function<void(double t, const double* x, double* jac)> jacobian;
  /// The stiff part f_I of f = f_E + f_I (kImex only) and its Jacobian.
  std::function<void(double t, const double* x, double* dxdt)> implicit;
  std::function<void(double t, const double* x, double* jac)> implicit_jacobian;
};

/// x' = b(x) for a model's drift, with its exact Jacobian.
Rhs from_system(const model::System& system);
/// As from_system, with the coordinates in `stiff` (e.g. the fast
/// variables of a slow–fast system) as the implicit part for kImex.
Rhs split_system(const model::System& system, const std::vector<int>& stiff);

/// An event: a root of g(t, x) crossed in `direction` (+1 upward, -1
/// downward, 0 either). A terminal event ends the integration.
struct Event {
  std::string name;
  std::function<double(double t, const double* x)> g;
  int direction = 0;
  bool terminal = false;
};

struct Options {
  Method method = Method::kAuto;
  double rtol = 1e-8;  // relative tolerance (adaptive methods)
  double atol = 1e-10; // absolute tolerance (adaptive methods)
  double dt = 1e-3;    // step of the fixed-step methods; initial step otherwise
  bool fixed_step = false;  // kDopri5 or kRadau with constant steps of dt
  long max_steps = 50'000'000;
  /// Output times within [t0, t1], increasing; empty: `outputs` equally
  /// spaced times including both ends.
  std::vector<double> output_times;
  int outputs = 1001;

  /// Throws a config Error naming the field, the value and the rule.
  void validate(double t0, double t1) const;
};

struct EventHit {
  int event;       // index into the events given
  double t;
  Vec x;
  int direction;   // +1 upward, -1 downward
};

enum class Status { kNotRun, kSuccess, kTerminalEvent, kMaxSteps, kFailure };

struct Result {
  Status status = Status::kNotRun;
  std::string message = "not run";
  Method method = Method::kAuto;  // the backend that ran
  std::string method_reason;      // why kAuto chose it
  std::vector<double> t;          // output times reached
  Mat x;                          // states, dim x t.size()
  std::vector<EventHit> events;   // in time order
  long steps = 0, rhs_evals = 0, jacobian_evals = 0;

  bool ok() const { return status == Status::kSuccess || status == Status::kTerminalEvent; }
  std::string brief_report() const;
};

Result integrate(const Rhs& rhs, double t0, double t1, const Vec& x0, const Options& options,
                 const std::vector<Event>& events = {});

}  // namespace fw::ode
