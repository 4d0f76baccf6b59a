// solvers/compare/instanton_curve.cpp — the descent from a saddle and
// distances to a polyline (instanton_curve.hpp).
#include "instanton_curve.hpp"

#include <fmt/format.h>

#include <Eigen/Eigenvalues>
#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "fwkit/core/error.hpp"

namespace fw::compare {

std::vector<Vec> descent(const model::System& system, const Vec& saddle, const Vec& target, double spacing) {
  const int d = system.dim();
  const Mat J = system.jacobian_at(saddle);  // column-major, J(i, j) = d b_i / d x_j
  Eigen::EigenSolver<Mat> es(J);
  Eigen::Index top = 0;
  for (Eigen::Index k = 1; k < d; ++k)
    if (es.eigenvalues()[k].real() > es.eigenvalues()[top].real()) top = k;
  Vec u = es.eigenvectors().col(top).real();
  if (!(u.norm() > 0) || !(es.eigenvalues()[top].real() > 0))
    throw data_error("descent: the saddle has no unstable direction");
  u.normalize();
  if (u.dot(target - saddle) < 0) u = -u;
  auto dir = [&](const Vec& x) {
    Vec b(d);
    system.drift(x.data(), b.data());
    const double n = b.norm();
    return n > 0 ? Vec(b / n) : Vec(Vec::Zero(d));
  };
  std::vector<Vec> out{saddle};
  Vec x = saddle + spacing * u;
  for (int step = 0; step < 100000; ++step) {
    out.push_back(x);
    if ((x - target).norm() <= spacing) {
      out.push_back(target);
      return out;
    }
    const Vec k1 = dir(x), k2 = dir(x + 0.5 * spacing * k1), k3 = dir(x + 0.5 * spacing * k2), k4 = dir(x + spacing * k3);
    x += spacing / 6 * (k1 + 2 * k2 + 2 * k3 + k4);
    if (!x.allFinite()) break;
  }
  throw data_error(fmt::format("descent: the flow from the saddle does not reach the attractor at distance {:.3g}",
                               (x - target).norm()));
}

Polyline::Polyline(const std::vector<Vec>& points) {
  for (const Vec& p : points)
    if (points_.empty() || (p - points_.back()).norm() > 1e-14) points_.push_back(p);
  if (points_.size() < 2) throw std::invalid_argument("Polyline: needs two distinct points");
}

double Polyline::distance(const double* x) const {
  const Eigen::Index d = points_.front().size();
  const Eigen::Map<const Vec> p(x, d);
  double best = std::numeric_limits<double>::infinity();
  for (std::size_t k = 0; k + 1 < points_.size(); ++k) {
    const Vec ab = points_[k + 1] - points_[k];
    const double t = std::clamp((p - points_[k]).dot(ab) / ab.squaredNorm(), 0.0, 1.0);
    best = std::min(best, (p - points_[k] - t * ab).squaredNorm());
  }
  return std::sqrt(best);
}

}  // namespace fw::compare
