#include "inner_diagnosis.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "gmam.hpp"
#include "fwkit/model/inner_problem.hpp"

namespace fw::action {
namespace {

/// The tangent at node i by central (one-sided at the ends) differences.
Vec tangent_at(const Mat& path, Eigen::Index i) {
  const Eigen::Index n = path.cols();
  const Eigen::Index lo = std::max<Eigen::Index>(i - 1, 0), hi = std::min<Eigen::Index>(i + 1, n - 1);
  return path.col(hi) - path.col(lo);
}

std::string name_of(const std::vector<std::string>& names, Eigen::Index k) {
  return k < static_cast<Eigen::Index>(names.size()) ? names[static_cast<std::size_t>(k)] : fmt::format("x{}", k);
}

/// The coordinates that carry most of a vector, largest first.
std::string leading_coordinates(const Vec& w, const std::vector<std::string>& names) {
  std::vector<Eigen::Index> order(static_cast<std::size_t>(w.size()));
  for (Eigen::Index k = 0; k < w.size(); ++k) order[static_cast<std::size_t>(k)] = k;
  std::sort(order.begin(), order.end(), [&](auto a, auto b) { return std::abs(w[a]) > std::abs(w[b]); });
  std::string s;
  for (std::size_t k = 0; k < std::min<std::size_t>(3, order.size()); ++k)
    s += fmt::format("{}{} {:+.3g}", k ? ", " : "", name_of(names, order[k]), w[order[k]]);
  return s;
}

/// Why node x with tangent v fails, or empty when it solves.
std::string explain_node(const model::Hamiltonian& h, const Vec& x, const Vec& v, int iterations,
                         const std::vector<std::string>& names, bool& unreachable) {
  Vec p;
  double lambda = 0;
  model::MomentumOptions o;
  o.max_iterations = iterations;
  if (model::optimal_momentum(h, x, v, p, lambda, o)) return "";
  const int d = static_cast<int>(x.size());
  Eigen::SelfAdjointEigenSolver<Mat> es(h.hess_p(x, Vec::Zero(d)));
  const Vec& ev = es.eigenvalues();
  const double top = std::max(ev.cwiseAbs().maxCoeff(), 1e-300);
  const int rank = static_cast<int>((ev.array() > 1e-10 * top).count());
  if (rank < d) {
    // The part of the tangent outside the range of D.
    Vec outside = Vec::Zero(d);
    for (int k = 0; k < d; ++k)
      if (ev[k] <= 1e-10 * top) outside += es.eigenvectors().col(k).dot(v) * es.eigenvectors().col(k);
    const double share = outside.norm() / std::max(v.norm(), 1e-300);
    unreachable = share > 1e-6;
    if (unreachable)
      return fmt::format("the noise covariance there is singular (rank {} of {}), and {:.3g} of the path's direction "
                       "lies outside its range (mostly {}): the noise cannot move the state that way, so this path "
                       "costs infinity; a path through states where the noise spans those coordinates, or a noise "
                       "without the degeneracy, is needed",
                       rank, d, share, leading_coordinates(outside, names));
  }
  unreachable = lambda < 0;
  if (unreachable)
    return fmt::format("the path's direction there is not a reachable velocity (the root has lambda = {:.3g} < 0; "
                       "mostly along {})",
                       lambda, leading_coordinates(v, names));
  const Vec r = h.grad_p(x, p) - lambda * v;
  return fmt::format("Newton on H = 0, grad_p H = lambda v did not converge in {} iterations (residual {:.3g} in "
                     "the velocity, H = {:.3g}; largest in {})",
                     iterations, r.norm(), h.value(x, p), leading_coordinates(r, names));
}

/// Where the model itself is undefined (NaN or inf drift or noise), or empty.
std::string explain_undefined(const model::Hamiltonian& h, const Vec& x, const std::vector<std::string>& names) {
  const Vec b = h.model().system->drift_at(x);
  const Mat d = h.hess_p(x, Vec::Zero(x.size()));
  if (b.allFinite() && d.allFinite()) return "";
  std::string at;
  for (Eigen::Index k = 0; k < x.size(); ++k) at += fmt::format("{}{} = {:.6g}", k ? ", " : "", name_of(names, k), x[k]);
  Eigen::Index k = 0;
  while (k + 1 < b.size() && std::isfinite(b[k])) ++k;
  const std::string what = b.allFinite() ? "the noise covariance is not finite"
                                         : fmt::format("the drift's component {} is {}", k, std::isnan(b[k]) ? "NaN" : b[k] > 0 ? "+inf" : "-inf");
  return fmt::format("{} at ({}): the model is undefined on this path (a logarithm, root or power of a number "
                     "outside its domain?); give from, to (and through) so that the path stays where the model "
                     "is defined, or change the model",
                     what, at);
}

}  // namespace

std::string explain_inner_failure(const model::Hamiltonian& h, const Mat& path, int iterations, bool* unreachable) {
  bool outside = false;
  const auto names = h.model().system->variable_names();
  for (Eigen::Index i = 0; i < path.cols(); ++i) {
    const std::string undefined = explain_undefined(h, path.col(i), names);
    if (!undefined.empty()) return fmt::format("at node {} of {}: {}", i, path.cols(), undefined);
    const Vec v = tangent_at(path, i);
    const std::string why = explain_node(h, path.col(i), v, iterations, names, outside);
    if (unreachable) *unreachable = outside;
    if (!why.empty()) return fmt::format("at node {} of {}: {}", i, path.cols(), why);
  }
  return "";
}

}  // namespace fw::action
