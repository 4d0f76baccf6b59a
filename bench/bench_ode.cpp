// ODE backends on a stiff and a non-stiff problem, at matched tolerances.
// Prints time, steps, right-hand sides and the error against a reference;
// bench/peer_ode.py runs scipy's solve_ivp on the same problems.
//   stiff:     van der Pol x' = mu (x - x^3/3 - y), y' = x/mu, mu = 1000
//              (eps = 1/mu = 1e-3), x0 = (2, 0), t in [0, 3000]; reference:
//              CVODE at rtol 1e-13.
//   non-stiff: the Arenstorf orbit over one period T; exact: x(T) = x(0).
// Usage: bench_ode [repeats]
#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <cstdlib>

#include "ode/ode.hpp"

using namespace fw;

namespace {

constexpr double kMu = 1000;
constexpr double kArenstorfT = 17.0652165601579625588917206249;

ode::Rhs van_der_pol() {
  ode::Rhs r;
  r.dim = 2;
  r.f = [](double, const double* x, double* dx) {
    dx[0] = kMu * (x[0] - x[0] * x[0] * x[0] / 3 - x[1]);
    dx[1] = x[0] / kMu;
  };
  r.jacobian = [](double, const double* x, double* j) {
    j[0] = kMu * (1 - x[0] * x[0]), j[1] = 1 / kMu, j[2] = -kMu, j[3] = 0;
  };
  return r;
}

ode::Rhs arenstorf() {
  ode::Rhs r;
  r.dim = 4;  // (x, y, x', y')
  r.f = [](double, const double* s, double* ds) {
    const double m = 0.012277471, mp = 1 - m;
    const double d1 = std::pow((s[0] + m) * (s[0] + m) + s[1] * s[1], 1.5);
    const double d2 = std::pow((s[0] - mp) * (s[0] - mp) + s[1] * s[1], 1.5);
    ds[0] = s[2];
    ds[1] = s[3];
    ds[2] = s[0] + 2 * s[3] - mp * (s[0] + m) / d1 - m * (s[0] - mp) / d2;
    ds[3] = s[1] - 2 * s[2] - mp * s[1] / d1 - m * s[1] / d2;
  };
  return r;
}

struct Run {
  double seconds;
  ode::Result result;
};

Run best_of(int repeats, const ode::Rhs& rhs, double t1, const Vec& x0, const ode::Options& o) {
  Run best{1e300, {}};
  for (int k = 0; k < repeats; ++k) {
    const auto t0 = std::chrono::steady_clock::now();
    ode::Result r = ode::integrate(rhs, 0, t1, x0, o);
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (s < best.seconds) best = {s, std::move(r)};
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  const int repeats = argc > 1 ? std::atoi(argv[1]) : 5;
  fmt::print("{:<10} {:<8} {:>8} {:>11} {:>8} {:>9} {:>11}\n", "problem", "method", "rtol", "time", "steps", "rhs", "error");
  // Stiff: reference first.
  const Vec v0 = (Vec(2) << 2.0, 0.0).finished();
  ode::Options ref;
  ref.method = ode::Method::kBdf;
  ref.rtol = 1e-13;
  ref.atol = 1e-15;
  ref.outputs = 2;
  const Vec vref = ode::integrate(van_der_pol(), 0, 3000, v0, ref).x.col(1);
  fmt::print("# van_der_pol reference x(3000) = {:.17g} {:.17g}\n", vref[0], vref[1]);
  for (ode::Method m : {ode::Method::kBdf, ode::Method::kRadau})
  for (double tol : {1e-4, 1e-6, 1e-8, 1e-9, 1e-10, 1e-11}) {
    ode::Options o;
    o.method = m;
    o.rtol = tol;
    o.atol = tol * 1e-2;
    o.outputs = 2;
    const Run r = best_of(repeats, van_der_pol(), 3000, v0, o);
    fmt::print("{:<10} {:<8} {:>8.0e} {:>8.3f} ms {:>8} {:>9} {:>11.3e}\n", "vdp1000", m == ode::Method::kBdf ? "cvode" : "radau5", tol, r.seconds * 1e3,
               r.result.steps, r.result.rhs_evals, (r.result.x.col(1) - vref).norm());
  }
  const Vec a0 = (Vec(4) << 0.994, 0.0, 0.0, -2.00158510637908252240537862224).finished();
  for (double tol : {1e-6, 1e-8, 1e-10}) {
    ode::Options o;
    o.method = ode::Method::kDopri5;
    o.rtol = tol;
    o.atol = tol * 1e-2;
    o.outputs = 2;
    const Run r = best_of(repeats, arenstorf(), kArenstorfT, a0, o);
    fmt::print("{:<10} {:<8} {:>8.0e} {:>8.3f} ms {:>8} {:>9} {:>11.3e}\n", "arenstorf", "dopri5", tol, r.seconds * 1e3,
               r.result.steps, r.result.rhs_evals, (r.result.x.col(1).head(2) - a0.head(2)).norm());
  }
  return 0;
}
