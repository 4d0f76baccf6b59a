#include "string_method.hpp"

#include <fmt/format.h>

#include <cmath>

#include "fwkit/core/error.hpp"

namespace fw::action {
namespace {

/// Nodes lo..hi of `path` (ends fixed) redistributed to equal chord length
/// along the polygon, repeated until the lengths agree to 1e-12.
void equalize(Mat& path, Eigen::Index lo, Eigen::Index hi) {
  const Eigen::Index n = hi - lo + 1;
  if (n < 3) return;
  for (int pass = 0; pass < 100; ++pass) {
    Vec s(n);
    s[0] = 0;
    for (Eigen::Index i = 1; i < n; ++i) s[i] = s[i - 1] + (path.col(lo + i) - path.col(lo + i - 1)).norm();
    if (s[n - 1] == 0) return;
    Mat out = path.middleCols(lo, n);
    Eigen::Index j = 0;
    for (Eigen::Index i = 1; i + 1 < n; ++i) {
      const double target = s[n - 1] * static_cast<double>(i) / static_cast<double>(n - 1);
      while (j + 2 < n && s[j + 1] < target) ++j;
      const double w = (target - s[j]) / std::max(s[j + 1] - s[j], 1e-300);
      out.col(i) = (1 - w) * path.col(lo + j) + w * path.col(lo + j + 1);
    }
    path.middleCols(lo, n) = out;
    double a = 1e300, b = 0;
    for (Eigen::Index i = 1; i < n; ++i) {
      const double l = (path.col(lo + i) - path.col(lo + i - 1)).norm();
      a = std::min(a, l), b = std::max(b, l);
    }
    if (b - a <= 1e-12 * b) return;
  }
}

}  // namespace

void StringOptions::validate() const {
  if (images < 5) throw config_error(fmt::format("string.images = {}: must be >= 5", images));
  if (!(step >= 0)) throw config_error(fmt::format("string.step = {}: must be >= 0 (0: automatic)", step));
  if (max_iterations < 1) throw config_error(fmt::format("string.max_iterations = {}: must be >= 1", max_iterations));
  if (!(tolerance > 0)) throw config_error(fmt::format("string.tolerance = {}: must be > 0", tolerance));
}

StringResult string_method(const model::System& sys, const Vec& a, const Vec& b, const StringOptions& o, Progress* progress) {
  o.validate();
  if (!sys.is_gradient()) throw config_error("string method: the system must be a gradient (b = -grad U with a loss U)");
  const Eigen::Index d = a.size(), m = o.images;
  StringResult r;
  r.path.resize(d, m);
  for (Eigen::Index i = 0; i < m; ++i) r.path.col(i) = a + (b - a) * (static_cast<double>(i) / static_cast<double>(m - 1));
  Mat drift(d, m);
  auto evaluate = [&] {
    for (Eigen::Index i = 0; i < m; ++i) drift.col(i) = sys.drift_at(r.path.col(i));
  };
  evaluate();
  double dt = o.step, scale = 0;
  double jmax = 0;
  for (Eigen::Index i = 0; i < m; ++i) {
    jmax = std::max(jmax, sys.jacobian_at(r.path.col(i)).norm());
    scale = std::max(scale, drift.col(i).norm());
  }
  if (dt == 0) dt = 0.2 / std::max(jmax, 1e-300);
  if (!(scale > 0)) scale = 1;
  bool climbing = false;
  Eigen::Index ci = -1;
  double residual = 1e300;
  for (r.iterations = 0; r.iterations < o.max_iterations; ++r.iterations) {
    if (progress && r.iterations % 100 == 0) progress->update(static_cast<std::uint64_t>(r.iterations));
    // Residual of the current string: the drift normal to it, and all of it at the climbing image.
    residual = 0;
    for (Eigen::Index i = 1; i + 1 < m; ++i) {
      const Vec t = (r.path.col(i + 1) - r.path.col(i - 1)).normalized();
      const Vec bi = drift.col(i);
      residual = std::max(residual, (i == ci ? bi : Vec(bi - bi.dot(t) * t)).norm() / scale);
    }
    if (!climbing && o.climbing && residual < 1e-3) climbing = true;  // near the path: start climbing
    // With climbing, only once an image climbs (its whole drift then counts
    // in the residual): a straight start that is already the path must not
    // stop before the saddle is found.
    if (residual < o.tolerance && (!o.climbing || ci > 0)) {
      r.converged = true;
      break;
    }
    if (climbing) {
      double top = -1e300;
      for (Eigen::Index i = 1; i + 1 < m; ++i) {
        const double e = sys.loss(r.path.col(i).data());
        if (e > top) top = e, ci = i;
      }
    }
    // Images move with the drift's normal part only (the tangential part
    // would be undone by the redistribution, whose corner cutting then
    // leaves an O(h^2) normal error that stalls the residual); the
    // climbing image with the drift reflected along the path.
    Mat moved = r.path;
    for (Eigen::Index i = 1; i + 1 < m; ++i) {
      const Vec t = (r.path.col(i + 1) - r.path.col(i - 1)).normalized();
      const Vec bi = drift.col(i);
      moved.col(i) += dt * (bi - (i == ci ? 2.0 : 1.0) * bi.dot(t) * t);
    }
    r.path = moved;
    if (ci > 0) {
      equalize(r.path, 0, ci);
      equalize(r.path, ci, m - 1);
    } else {
      equalize(r.path, 0, m - 1);
    }
    evaluate();
    if (!r.path.allFinite()) break;
  }
  if (progress) progress->finish();
  r.climbing = static_cast<int>(ci);
  r.energy.resize(m);
  for (Eigen::Index i = 0; i < m; ++i) r.energy[i] = sys.loss(r.path.col(i).data());
  if (ci > 0) {
    Vec x = r.path.col(ci);
    for (int it = 0; it < 50; ++it) {
      const Vec bx = sys.drift_at(x);
      if (bx.norm() <= 1e-13 * (1 + x.norm())) break;
      x -= sys.jacobian_at(x).lu().solve(bx);
    }
    r.saddle = x;
    r.saddle_residual = sys.drift_at(x).norm();
  }
  r.message = r.converged ? fmt::format("converged after {} iterations (step {:.3g})", r.iterations, dt)
                          : fmt::format("not converged after {} iterations (residual {:.3g})", r.iterations, residual);
  return r;
}

}  // namespace fw::action
