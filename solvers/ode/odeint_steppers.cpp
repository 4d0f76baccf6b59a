// Odeint backends: RK4 and fixed-step Dopri5 (Hermite dense output), and
// adaptive Dopri5 with its own dense output. The only file that includes
// Boost.Odeint.
#include <boost/numeric/odeint.hpp>

#include <algorithm>
#include <cmath>
#include <type_traits>

#include "stepper.hpp"

namespace fw::ode::detail {
namespace odeint = boost::numeric::odeint;

void hermite(double ta, const Vec& xa, const Vec& fa, double tb, const Vec& xb, const Vec& fb,
             double s, Vec& out) {
  const double h = tb - ta;
  if (h == 0) {
    out = xb;
    return;
  }
  const double u = (s - ta) / h, u2 = u * u, u3 = u2 * u;
  const double h00 = 2 * u3 - 3 * u2 + 1, h10 = u3 - 2 * u2 + u;
  const double h01 = -2 * u3 + 3 * u2, h11 = u3 - u2;
  out = h00 * xa + h10 * h * fa + h01 * xb + h11 * h * fb;
}

namespace {

using State = std::vector<double>;

/// Adapts an Rhs to Odeint's system concept and counts evaluations.
struct System {
  const Rhs* rhs;
  long* evals;
  void operator()(const State& x, State& dxdt, double t) const {
    ++*evals;
    rhs->f(t, x.data(), dxdt.data());
  }
};

Vec to_vec(const State& s) { return Eigen::Map<const Vec>(s.data(), static_cast<Eigen::Index>(s.size())); }

/// Fixed steps of a one-step scheme with first-same-as-last derivatives, and
/// Hermite cubic dense output.
template <class Scheme>
class FixedStepper final : public DenseStepper {
 public:
  FixedStepper(const Rhs& rhs, double dt) : rhs_(rhs), dt_(dt) {}
  void initialize(double t0, const Vec& x0, double t_end) override {
    t_ = t_prev_ = t0;
    t_end_ = t_end;
    x_.assign(x0.data(), x0.data() + x0.size());
    dxdt_.resize(x_.size());
    System{&rhs_, &rhs_evals}(x_, dxdt_, t_);
    xv_ = x0;
    xa_ = xv_;
    fa_ = fb_ = to_vec(dxdt_);
  }
  bool step() override {
    // The last step is shortened to land on t_end exactly.
    const double h = std::min(dt_, t_end_ - t_);
    State out(x_.size()), dxdt_out(x_.size());
    const double t_new = (t_end_ - (t_ + h) < 1e-12 * std::abs(t_end_)) ? t_end_ : t_ + h;
    if constexpr (std::is_same_v<Scheme, odeint::runge_kutta_dopri5<State>>) {
      // First same as last: the scheme returns f at the new point.
      scheme_.do_step(System{&rhs_, &rhs_evals}, x_, dxdt_, t_, out, dxdt_out, h);
    } else {
      scheme_.do_step(System{&rhs_, &rhs_evals}, x_, dxdt_, t_, out, h);
      System{&rhs_, &rhs_evals}(out, dxdt_out, t_new);
    }
    xa_ = xv_;
    fa_ = fb_;
    t_prev_ = t_;
    t_ = t_new;
    x_ = std::move(out);
    dxdt_ = std::move(dxdt_out);
    xv_ = to_vec(x_);
    fb_ = to_vec(dxdt_);
    ++steps;
    return xv_.allFinite();
  }
  double t_prev() const override { return t_prev_; }
  double t() const override { return t_; }
  const Vec& x() const override { return xv_; }
  void interpolate(double s, Vec& out) const override { hermite(t_prev_, xa_, fa_, t_, xv_, fb_, s, out); }
  std::string message() const override { return "non-finite state: the step dt is too large for stability"; }

 private:
  const Rhs& rhs_;
  double dt_, t_ = 0, t_prev_ = 0, t_end_ = 0;
  Scheme scheme_;
  State x_, dxdt_;
  Vec xv_, xa_, fa_, fb_;
};

/// Odeint's dense-output Dopri5 (controlled steps, 4th-order interpolant).
class DenseDopri5 final : public DenseStepper {
 public:
  DenseDopri5(const Rhs& rhs, const Options& o)
      : rhs_(rhs), dt0_(o.dt), stepper_(odeint::make_dense_output(o.atol, o.rtol, odeint::runge_kutta_dopri5<State>())) {}
  void initialize(double t0, const Vec& x0, double) override {
    State x(x0.data(), x0.data() + x0.size());
    stepper_.initialize(x, t0, dt0_);
    xv_ = x0;
  }
  bool step() override {
    stepper_.do_step(System{&rhs_, &rhs_evals});
    xv_ = to_vec(stepper_.current_state());
    ++steps;
    return xv_.allFinite();
  }
  double t_prev() const override { return stepper_.previous_time(); }
  double t() const override { return stepper_.current_time(); }
  const Vec& x() const override { return xv_; }
  void interpolate(double s, Vec& out) const override {
    State x(static_cast<std::size_t>(xv_.size()));
    // calc_state is logically const; Odeint declares it non-const.
    const_cast<Stepper&>(stepper_).calc_state(s, x);
    out = to_vec(x);
  }
  std::string message() const override { return "non-finite state"; }

 private:
  using Stepper = odeint::result_of::make_dense_output<odeint::runge_kutta_dopri5<State>>::type;
  const Rhs& rhs_;
  double dt0_;
  Stepper stepper_;
  Vec xv_;
};

}  // namespace

std::unique_ptr<DenseStepper> make_odeint_stepper(const Rhs& rhs, const Options& o, Method m) {
  if (m == Method::kRk4) return std::make_unique<FixedStepper<odeint::runge_kutta4<State>>>(rhs, o.dt);
  if (o.fixed_step) return std::make_unique<FixedStepper<odeint::runge_kutta_dopri5<State>>>(rhs, o.dt);
  return std::make_unique<DenseDopri5>(rhs, o);
}

}  // namespace fw::ode::detail
