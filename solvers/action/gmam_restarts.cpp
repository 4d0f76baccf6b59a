// The minimum action method as a user runs it: one relaxation (gmam.cpp),
// other first paths when it stalls or fails, and a check that a converged
// path is not a saddle point of the action.
#include <fmt/format.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "gmam.hpp"
#include "path_geometry.hpp"

namespace fw::action {
namespace {

/// Unit directions normal to the chord b - a: all of them up to three
/// dimensions, else two fixed mixtures of the coordinates (deterministic).
std::vector<Vec> normal_directions(const Vec& a, const Vec& b) {
  const Eigen::Index d = a.size();
  std::vector<Vec> out;
  if (d < 2 || (b - a).norm() == 0) return out;
  const Vec c = (b - a).normalized();
  const Eigen::Index wanted = std::min<Eigen::Index>(d - 1, 2);
  for (Eigen::Index k = 0; k < d && static_cast<Eigen::Index>(out.size()) < wanted; ++k) {
    Vec e = Vec::Zero(d);
    if (d <= 3) {
      e[k] = 1;
    } else {
      for (Eigen::Index m = 0; m < d; ++m) e[m] = std::sin(1.7 * static_cast<double>((k + 1) * (m + 1)) + 0.3);
    }
    e -= e.dot(c) * c;
    for (const Vec& f : out) e -= e.dot(f) * f;
    if (e.norm() > 1e-6) out.push_back(e.normalized());
  }
  return out;
}

/// `path` displaced by amplitude * 4 s (1 - s) along `n` (s in [0, 1] by
/// node index): ends kept.
Mat bent(const Mat& path, const Vec& n, double amplitude) {
  Mat out = path;
  const Eigen::Index m = path.cols();
  for (Eigen::Index i = 0; i < m; ++i) {
    const double s = static_cast<double>(i) / static_cast<double>(m - 1);
    out.col(i) += amplitude * 4 * s * (1 - s) * n;
  }
  return out;
}

/// Whether `candidate` is a better answer than `current`.
bool better(const Result& candidate, const Result& current) {
  if (candidate.ok() != current.ok()) return candidate.ok();
  if (candidate.ok()) return candidate.action < current.action;
  // Neither converged: a stalled path beats a failure.
  return candidate.status == Status::kStalled && current.status == Status::kFailure;
}

/// The saddle check: relax from the converged `best` displaced to either
/// side of each normal direction; adopt a lower converged action (and check
/// again from there, at most three rounds).
void check_saddle(const model::Hamiltonian& h, const Vec& a, const Vec& b, const Options& o, Result& best) {
  const std::vector<Vec> normals = normal_directions(a, b);
  if (normals.empty()) {
    best.saddle_check = "not needed (one dimension)";
    return;
  }
  const double length = (b - a).norm();
  const double first = best.action;
  int rounds = 0, tried = 0;
  for (bool lowered = true; lowered && rounds < 3; ++rounds) {
    lowered = false;
    for (const Vec& n : normals)
      for (double sign : {1.0, -1.0}) {
        const Mat start = bent(best.path, n, sign * 0.1 * length);
        Result r = relax_once(h, a, b, o, &start);
        ++tried;
        best.relaxations += r.relaxations;
        // Lower by more than the tolerance can explain: the path was not a minimum.
        if (r.ok() && r.action < best.action - (1e-6 * std::abs(best.action) + 1e-12)) {
          r.relaxations = best.relaxations;
          r.start = best.start;
          best = std::move(r);
          lowered = true;
        }
      }
  }
  best.saddle_check = best.action < first
                          ? fmt::format("the first converged path was a saddle point of the action (S = {:.10g}); "
                                        "relaxing from displaced paths lowered it to {:.10g} ({} relaxations)",
                                        first, best.action, tried)
                          : fmt::format("passed: {} relaxations from displaced paths found no lower action", tried);
}

}  // namespace

Result minimize_action(const model::Hamiltonian& h, const Vec& a, const Vec& b, const Options& o, const Mat* guess) {
  Result best = relax_once(h, a, b, o, guess);
  int relaxations = best.relaxations;
  if (!best.ok() && o.restarts) {
    // Other first paths: unseeded, then bent to either side of the chord.
    std::vector<std::pair<std::string, Mat>> starts;
    const Mat straight = geometry::initial_path(a, b, o.nodes, guess);
    if (o.seed != 0) starts.emplace_back("unseeded", straight);
    const std::vector<Vec> normals = normal_directions(a, b);
    for (std::size_t k = 0; k < normals.size(); ++k)
      for (double sign : {1.0, -1.0})
        starts.emplace_back(fmt::format("bent {}{}", sign > 0 ? "+" : "-", k + 1),
                            bent(straight, normals[k], sign * 0.3 * (b - a).norm()));
    for (const auto& [name, path] : starts) {
      Options oi = o;
      if (name == "unseeded") oi.seed = 0;
      Result r = relax_once(h, a, b, oi, name == "unseeded" ? guess : &path);
      relaxations += r.relaxations;
      r.start = name;
      if (better(r, best)) best = std::move(r);
      if (best.ok()) break;
    }
    if (!best.ok() && best.status == Status::kFailure && std::isinf(best.action))
      best.message = fmt::format("the cost is infinite on every first path tried ({}): {}",
                                 1 + starts.size(), best.message);
  }
  best.relaxations = relaxations;
  if (best.ok() && o.saddle_check) check_saddle(h, a, b, o, best);
  return best;
}

std::string status_name(Status s) {
  switch (s) {
    case Status::kNotRun: return "not run";
    case Status::kConverged: return "converged";
    case Status::kConvergedToRounding: return "converged to rounding";
    case Status::kStalled: return "stalled";
    case Status::kFailure: return "failed";
  }
  return "unknown";
}

std::string Result::brief_report() const {
  const std::string coarse = coarse_iterations > 0 ? fmt::format(" (after {} on a coarser curve)", coarse_iterations) : "";
  std::string out = fmt::format("action: {} after {} iterations{}; S = {:.12g} on {} nodes, max |H| on the path {:.2e}\n",
                                message, iterations, coarse, action, path.cols(), hamiltonian_residual);
  if (relaxations > 1 || start != "given")
    out += fmt::format("action: {} relaxations; the result's first path: {}; saddle check: {}\n", relaxations, start,
                       saddle_check);
  return out;
}

}  // namespace fw::action
