#include "minimize.hpp"

#include <cmath>
#include <deque>

#include <fmt/format.h>

#include "fwkit/core/error.hpp"

namespace fw::analyze {
namespace {

/// The loss and its gradient at one point.
struct Point {
  Vec x, g;
  double f = 0;
  bool finite() const { return std::isfinite(f) && g.allFinite(); }
};

Point evaluate(const model::System& sys, const Vec& x) {
  Point p;
  p.x = x;
  p.g.resize(x.size());
  sys.drift(x.data(), p.g.data());
  p.g = -p.g;
  p.f = sys.loss(x.data());
  return p;
}

/// The L-BFGS memory: pairs (s, y) with s.y > 0, newest last.
struct Memory {
  std::deque<Vec> s, y;
  int capacity = 10;

  void push(const Vec& sv, const Vec& yv) {
    const double sy = sv.dot(yv);
    if (!(sy > 1e-12 * sv.norm() * yv.norm())) return;  // curvature condition fails: skip
    s.push_back(sv);
    y.push_back(yv);
    if (static_cast<int>(s.size()) > capacity) {
      s.pop_front();
      y.pop_front();
    }
  }
  void clear() { s.clear(), y.clear(); }

  /// -H g by the two-loop recursion (the steepest descent -g when empty).
  Vec direction(const Vec& g) const {
    Vec q = g;
    const std::size_t m = s.size();
    std::vector<double> alpha(m);
    for (std::size_t k = m; k-- > 0;) {
      alpha[k] = s[k].dot(q) / y[k].dot(s[k]);
      q -= alpha[k] * y[k];
    }
    if (m > 0) q *= s.back().dot(y.back()) / y.back().squaredNorm();
    for (std::size_t k = 0; k < m; ++k) {
      const double beta = y[k].dot(q) / y[k].dot(s[k]);
      q += (alpha[k] - beta) * s[k];
    }
    return -q;
  }
};

/// The Hessian's eigendecomposition at one point, for damped Newton steps
/// -V diag(1 / (|lambda| + mu)) V^T g: a descent direction for every mu > 0,
/// the Newton step itself as mu -> 0 where the Hessian is positive definite,
/// a short steepest-descent step as mu grows.
struct Spectrum {
  Eigen::SelfAdjointEigenSolver<Mat> es;
  Vec coefficients;  // V^T g
  double scale = 0;  // max |lambda|

  bool compute(const model::System& sys, const Point& p) {
    es.compute(sys.loss_hessian_at(p.x));
    if (es.info() != Eigen::Success || !es.eigenvalues().allFinite()) return false;
    coefficients = es.eigenvectors().transpose() * p.g;
    scale = std::max(es.eigenvalues().cwiseAbs().maxCoeff(), 1e-300);
    return true;
  }
  bool positive_definite() const { return es.eigenvalues().minCoeff() > 1e-12 * scale; }
  Vec direction(double mu) const {
    const Vec denom = es.eigenvalues().cwiseAbs().array() + mu;
    return -(es.eigenvectors() * coefficients.cwiseQuotient(denom));
  }
};

bool inside(const MinimizeOptions& o, const Vec& x) {
  if (o.lower.size() == 0) return true;
  const Vec span = o.upper - o.lower;
  return ((x - (o.lower - span)).array() >= 0).all() && (((o.upper + span) - x).array() >= 0).all();
}

/// Backtracking from step length t along dir; `next` is the accepted point.
bool line_search(const model::System& sys, const Point& p, const Vec& dir, double t, bool newton,
                 const MinimizeOptions& o, Point& next, int tries) {
  const double slope = p.g.dot(dir);
  for (int k = 0; k < tries; ++k, t *= 0.5) {
    if (!inside(o, p.x + t * dir)) continue;
    next = evaluate(sys, p.x + t * dir);
    if (!next.finite()) continue;
    if (next.f <= p.f + 1e-4 * t * slope) return true;
    // A full Newton step whose decrease f cannot resolve still counts when
    // the gradient shrinks.
    if (newton && k == 0 && std::abs(next.f - p.f) <= 1e-12 * (1 + std::abs(p.f)) &&
        next.g.norm() < 0.5 * p.g.norm())
      return true;
  }
  return false;
}

/// The state of the search between iterations.
struct Search {
  Memory memory;
  double mu = 1e-3;  // damping relative to max |lambda|
};

/// A damped Newton step: mu shrinks after a full step is accepted and grows
/// until one is (steepest descent in the limit). False when none is found.
bool damped_newton_step(const model::System& sys, const Point& p, Search& s, const MinimizeOptions& o, Point& next) {
  Spectrum sp;
  if (!sp.compute(sys, p)) return false;
  // Where the Hessian is positive definite the plain Newton step first:
  // quadratic convergence near a strict minimum, whatever mu has become.
  if (sp.positive_definite() && line_search(sys, p, sp.direction(0), 1.0, true, o, next, 1)) {
    s.mu = std::max(s.mu * 0.1, 1e-14);
    return true;
  }
  for (int k = 0; k < 40; ++k) {
    const bool exact = s.mu <= 1e-12 && sp.positive_definite();
    if (line_search(sys, p, sp.direction(s.mu * sp.scale), 1.0, exact, o, next, 1)) {
      s.mu = std::max(s.mu * 0.1, 1e-14);
      return true;
    }
    s.mu = std::max(s.mu * 4, 1e-10);
  }
  return false;
}

/// An L-BFGS step, falling back to steepest descent when its line search
/// fails. False when nothing decreases f.
bool quasi_newton_step(const model::System& sys, const Point& p, Search& s, const MinimizeOptions& o, Point& next) {
  Vec dir = s.memory.direction(p.g);
  if (!(p.g.dot(dir) < 0)) {
    s.memory.clear();
    dir = -p.g;
  }
  const double t0 = s.memory.s.empty() ? std::min(1.0, 1.0 / dir.norm()) : 1.0;
  if (line_search(sys, p, dir, t0, false, o, next, 50)) return true;
  if (s.memory.s.empty()) return false;
  s.memory.clear();
  return line_search(sys, p, -p.g, std::min(1.0, 1.0 / p.g.norm()), false, o, next, 50);
}

/// The coordinate of x that has reached the edge of the allowed region
/// (within 1e-6 of its span), or -1.
int edge_coordinate(const MinimizeOptions& o, const Vec& x, const Vec& g) {
  if (o.lower.size() == 0) return -1;
  const Vec span = o.upper - o.lower;
  for (Eigen::Index k = 0; k < x.size(); ++k) {
    // At a wall with the descent direction -g pointing out of the region.
    const bool low = x[k] - (o.lower[k] - span[k]) <= 1e-6 * span[k] && g[k] > 0;
    const bool high = (o.upper[k] + span[k]) - x[k] <= 1e-6 * span[k] && g[k] < 0;
    if (low || high) return static_cast<int>(k);
  }
  return -1;
}

std::string coordinate_name(const MinimizeOptions& o, int k) {
  return k < static_cast<int>(o.names.size()) ? o.names[static_cast<std::size_t>(k)] : fmt::format("x{}", k);
}

double threshold(const MinimizeOptions& o, const Vec& x) { return o.tolerance * (1 + x.norm()); }

Minimum finish(const Point& p, MinimizeStatus status, int iterations, int newton_steps, std::string reason) {
  Minimum m;
  m.x = p.x;
  m.loss = p.f;
  m.gradient_norm = p.g.norm();
  m.status = status;
  m.iterations = iterations;
  m.newton_steps = newton_steps;
  m.reason = std::move(reason);
  return m;
}

}  // namespace

const char* to_string(MinimizeStatus s) {
  switch (s) {
    case MinimizeStatus::kConverged: return "converged";
    case MinimizeStatus::kRounding: return "converged to rounding";
    case MinimizeStatus::kStalled: return "stalled";
    default: return "failed";
  }
}

Minimum minimize(const model::System& sys, Vec x0, const MinimizeOptions& o) {
  if (!sys.is_gradient()) throw Error(ExitCode::kSoftware, "minimize: the system has no loss (not a gradient system)");
  Point p = evaluate(sys, x0);
  if (!p.finite()) return finish(p, MinimizeStatus::kFailed, 0, 0, "the loss or its gradient is not finite at the start");
  Search search;
  search.memory.capacity = o.memory;
  const bool newton = sys.dim() <= o.newton_max_dim;
  int newton_steps = 0;
  for (int it = 0; it < o.max_iterations; ++it) {
    const double gn = p.g.norm();
    if (gn <= threshold(o, p.x)) return finish(p, MinimizeStatus::kConverged, it, newton_steps, "");
    Point next;
    const bool moved = newton ? damped_newton_step(sys, p, search, o, next) : quasi_newton_step(sys, p, search, o, next);
    if (!moved) {
      const bool near = gn <= 1e3 * threshold(o, p.x);
      return finish(p, near ? MinimizeStatus::kRounding : MinimizeStatus::kStalled, it, newton_steps,
                    near ? "" : fmt::format("no step decreases f at |grad f| = {:.3g}", gn));
    }
    newton_steps += newton ? 1 : 0;
    search.memory.push(next.x - p.x, next.g - p.g);
    p = std::move(next);
    if (const int k = edge_coordinate(o, p.x, p.g); k >= 0)
      return finish(p, MinimizeStatus::kFailed, it + 1, newton_steps,
                    fmt::format("{} reached {:.6g}, the edge of the region searched, with f still decreasing "
                                "outward (|grad f| = {:.3g}): no minimum there; a wider box or a loss that "
                                "grows at infinity (weight decay) may have one",
                                coordinate_name(o, k), p.x[k], p.g.norm()));
  }
  const double gn = p.g.norm();
  if (gn <= threshold(o, p.x)) return finish(p, MinimizeStatus::kConverged, o.max_iterations, newton_steps, "");
  return finish(p, MinimizeStatus::kStalled, o.max_iterations, newton_steps,
                fmt::format("{} iterations left |grad f| = {:.3g} (tolerance {:.3g})", o.max_iterations, gn,
                            threshold(o, p.x)));
}

}  // namespace fw::analyze
