#include "slow_fast.hpp"

#include <fmt/format.h>

#include <cmath>
#include <sstream>

#include "fwkit/core/error.hpp"

namespace fw::ode {

void SlowFastOptions::validate(int dim) const {
  if (dim != 2) throw config_error(fmt::format("ode.slow_fast: needs a planar system (dimension 2, got {})", dim));
  if (fast == slow || fast < 0 || fast > 1 || slow < 0 || slow > 1)
    throw config_error("ode.slow_fast.fast/slow: must name the two different variables");
  if (!(x_max > x_min)) throw config_error(fmt::format("ode.slow_fast.x_max = {}: must exceed x_min ({})", x_max, x_min));
  if (samples < 10) throw config_error(fmt::format("ode.slow_fast.samples = {}: must be >= 10", samples));
  if (!(tolerance > 0)) throw config_error(fmt::format("ode.slow_fast.tolerance = {}: must be > 0", tolerance));
}

namespace {

/// Evaluations of the system in (fast, slow) coordinates.
class Planar {
 public:
  Planar(const model::System& s, const SlowFastOptions& o) : s_(s), f_(o.fast), sl_(o.slow) {}
  /// b_x, b_y and the Jacobian entries at (x, y).
  void eval(double x, double y, double& bx, double& by, double* jxx = nullptr, double* jxy = nullptr) const {
    double p[2], b[2], j[4];
    p[f_] = x;
    p[sl_] = y;
    s_.drift(p, b);
    bx = b[f_];
    by = b[sl_];
    if (jxx || jxy) {
      s_.jacobian(p, j);  // column-major: j[col * 2 + row]
      if (jxx) *jxx = j[f_ * 2 + f_];
      if (jxy) *jxy = j[sl_ * 2 + f_];
    }
  }
  /// Y(x): solves b_x(x, y) = 0 for y by Newton from `guess`.
  double critical_y(double x, double guess) const {
    double y = guess;
    for (int it = 0; it < 100; ++it) {
      double bx, by, jxy;
      eval(x, y, bx, by, nullptr, &jxy);
      if (jxy == 0) throw data_error(fmt::format("slow-fast: d b_x / d y = 0 at x = {}: C is not a graph over the fast variable", x));
      const double dy = -bx / jxy;
      y += dy;
      if (std::abs(dy) <= 1e-15 * (1 + std::abs(y))) break;
    }
    return y;
  }
  /// d b_x / d x on C at x.
  double stiffness(double x, double y_guess) const {
    const double y = critical_y(x, y_guess);
    double bx, by, jxx;
    eval(x, y, bx, by, &jxx);
    return jxx;
  }
  /// Y'(x) / b_y(x, Y(x)): dt / dx of the reduced flow.
  double slow_rate(double x, double y_guess) const {
    const double y = critical_y(x, y_guess);
    double bx, by, jxx, jxy;
    eval(x, y, bx, by, &jxx, &jxy);
    return (-jxx / jxy) / by;
  }

 private:
  const model::System& s_;
  int f_, sl_;
};

/// Bisection for the sign change of h on [a, b].
template <class H>
double bisect(H&& h, double a, double b, double tol) {
  double ha = h(a);
  for (int it = 0; it < 200 && std::abs(b - a) > tol * (1 + std::abs(a)); ++it) {
    const double m = 0.5 * (a + b), hm = h(m);
    if ((hm > 0) == (ha > 0)) a = m, ha = hm;
    else b = m;
  }
  return 0.5 * (a + b);
}

/// int_a^b f by composite 8-point Gauss–Legendre, doubling the panels until
/// two successive values agree to `tol` (relative).
template <class F>
double integrate(F&& f, double a, double b, double tol) {
  static constexpr double kX[4] = {0.1834346424956498, 0.5255324099163290, 0.7966664774136267, 0.9602898564975363};
  static constexpr double kW[4] = {0.3626837833783620, 0.3137066458778873, 0.2223810344533745, 0.1012285362903763};
  auto rule = [&](int panels) {
    double sum = 0;
    const double h = (b - a) / panels;
    for (int p = 0; p < panels; ++p) {
      const double c = a + (p + 0.5) * h, r = 0.5 * h;
      for (int k = 0; k < 4; ++k) sum += kW[k] * r * (f(c - r * kX[k]) + f(c + r * kX[k]));
    }
    return sum;
  };
  double prev = rule(8);
  for (int panels = 16; panels <= 1 << 16; panels *= 2) {
    const double cur = rule(panels);
    if (std::abs(cur - prev) <= tol * std::abs(cur)) return cur;
    prev = cur;
  }
  return prev;
}

}  // namespace

SlowFastResult analyze_slow_fast(const model::System& system, const SlowFastOptions& o) {
  o.validate(system.dim());
  const Planar p(system, o);
  SlowFastResult r;
  // Trace C on the grid, continuing y from one sample to the next.
  double y = 0;
  for (int i = 0; i <= o.samples; ++i) {
    const double x = o.x_min + (o.x_max - o.x_min) * i / o.samples;
    y = p.critical_y(x, y);
    double bx, by, jxx;
    p.eval(x, y, bx, by, &jxx);
    r.x.push_back(x);
    r.y.push_back(y);
    r.attracting.push_back(jxx < 0);
  }
  // Folds: sign changes of d b_x / d x along C, refined by bisection.
  for (int i = 0; i < o.samples; ++i) {
    if (r.attracting[i] == r.attracting[i + 1]) continue;
    const double yg = r.y[i];
    const double xf = bisect([&](double x) { return p.stiffness(x, yg); }, r.x[i], r.x[i + 1], o.tolerance);
    r.folds.push_back({xf, p.critical_y(xf, yg)});
  }
  // Jumps: along y = y_fold the fast flow leaves the fold in the direction of
  // sign(b_x) (the same on both sides of a fold) to the next root of b_x.
  for (auto& f : r.folds) {
    const double delta = 1e-6 * (o.x_max - o.x_min);
    double bx, by;
    p.eval(f.x + delta, f.y, bx, by);
    const double dir = bx > 0 ? 1 : -1;
    auto h = [&](double x) {
      double a, b;
      p.eval(x, f.y, a, b);
      return a;
    };
    const double step = (o.x_max - o.x_min) / o.samples;
    for (double x = f.x + dir * delta; x > o.x_min && x < o.x_max; x += dir * step) {
      if ((h(x) > 0) != (h(x + dir * step) > 0)) {
        f.x_landing = bisect(h, x, x + dir * step, o.tolerance);
        f.has_landing = true;
        break;
      }
    }
  }
  // The relaxation cycle: from each landing point drift to the fold the
  // reduced flow reaches, jump, and repeat until the first fold recurs.
  if (r.folds.empty() || !r.folds[0].has_landing) {
    r.message = r.folds.empty() ? "no folds in the range: no relaxation cycle" : "the jump from the first fold leaves the range";
    return r;
  }
  std::size_t current = 0;
  for (std::size_t guard = 0; guard <= r.folds.size(); ++guard) {
    const Fold& from = r.folds[current];
    const double xa = from.x_landing;
    const double ya = p.critical_y(xa, from.y);
    // Direction of the reduced flow at the landing point, then the nearest
    // fold that way on the same branch.
    const double dir = p.slow_rate(xa, ya) > 0 ? 1 : -1;
    const Fold* to = nullptr;
    std::size_t to_index = 0;
    for (std::size_t k = 0; k < r.folds.size(); ++k) {
      const double dx = (r.folds[k].x - xa) * dir;
      if (dx > 0 && (!to || dx < (to->x - xa) * dir)) to = &r.folds[k], to_index = k;
    }
    if (!to) {
      r.message = fmt::format("the reduced flow from x = {:.6g} reaches no fold: no relaxation cycle", xa);
      r.cycle.clear();
      return r;
    }
    // An equilibrium of the reduced flow on the way (b_y = 0 on C) stops
    // the drift: the slow time to the fold diverges.
    bool blocked = false;
    double by_prev = 0;
    for (int k = 0; k <= o.samples && !blocked; ++k) {
      const double x = xa + (to->x - xa) * k / o.samples;
      double bx, by;
      p.eval(x, p.critical_y(x, ya), bx, by);
      blocked = k > 0 && ((by > 0) != (by_prev > 0) || by == 0);
      by_prev = by;
    }
    if (blocked) {
      r.message = fmt::format("the reduced flow from x = {:.6g} has an equilibrium before the fold at {:.6g}: no relaxation cycle", xa, to->x);
      r.cycle.clear();
      return r;
    }
    const double t = integrate([&](double x) { return p.slow_rate(x, ya); }, xa, to->x, o.tolerance);
    if (!std::isfinite(t) || t <= 0) {
      r.message = fmt::format("the reduced flow from x = {:.6g} stops before the fold at {:.6g}", xa, to->x);
      r.cycle.clear();
      return r;
    }
    r.cycle.push_back({xa, to->x, t});
    r.period += t;
    current = to_index;
    if (current == 0) {
      r.has_cycle = true;
      r.message = fmt::format("relaxation cycle through {} folds, leading-order period {:.10g}", r.cycle.size(), r.period);
      return r;
    }
    if (!r.folds[current].has_landing) break;
  }
  r.message = "the fold sequence does not close: no relaxation cycle";
  r.cycle.clear();
  r.period = 0;
  return r;
}

std::string SlowFastResult::brief_report() const {
  std::ostringstream os;
  os << "slow-fast: " << message << "\n";
  for (const auto& f : folds)
    os << fmt::format("  fold at (x, y) = ({:.10g}, {:.10g}), jump lands at x = {}\n", f.x, f.y,
                      f.has_landing ? fmt::format("{:.10g}", f.x_landing) : "(outside the range)");
  for (const auto& s : cycle) os << fmt::format("  slow drift {:.6g} -> {:.6g} takes {:.10g}\n", s.x_start, s.x_end, s.time);
  return os.str();
}

}  // namespace fw::ode
