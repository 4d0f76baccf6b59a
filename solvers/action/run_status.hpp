// solvers/action/run_status.hpp — how a gMAM relaxation reports where it
// stands: its status and message, the scale against which an action counts
// as zero, and its progress.
#pragma once

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>

#include "gmam.hpp"

namespace fw::action::detail {

/// A residual within this factor of its round-off floor is converged to rounding.
constexpr double kRoundingMargin = 100;
/// Iterations without a 30% fall after which a residual within
/// kEarlyRoundingMargin of its floor (and below 1e-6) stops the run, before
/// the full stall window.
constexpr double kEarlyRoundingMargin = 10;
constexpr int kRoundingWindow = 200;
/// An action below this fraction of the path's drift work is zero: fixed,
/// not the user's tolerance (S / W is about 1 / omega on an uphill path
/// through a field rotating at rate omega, so a loose tolerance could pass
/// a stalled uphill run).
constexpr double kZeroAction = 1e-8;

/// The scale against which an action counts as zero: sum over segments of
/// |b|_A |dphi|_A at the midpoint, A = H_pp(x, 0)^{-1} (the Langevin cost
/// |b||v| - <b, v> is zero exactly when the path follows the drift; this is
/// its first term).
inline double drift_work(const model::Hamiltonian& h, const Mat& path) {
  double w = 0;
  for (Eigen::Index i = 0; i + 1 < path.cols(); ++i) {
    const Vec m = 0.5 * (path.col(i) + path.col(i + 1)), dx = path.col(i + 1) - path.col(i);
    const Vec b = h.model().system->drift_at(m);
    const Eigen::LDLT<Mat> dm(h.hess_p(m, Vec::Zero(m.size())));
    w += std::sqrt(std::max(0.0, b.dot(dm.solve(b)) * dx.dot(dm.solve(dx))));
  }
  return w;
}

/// The status of a finished relaxation: converged below the tolerance, or
/// when the action is zero to the tolerance relative to drift_work (every
/// cost is >= 0, so such a path, one that follows the drift, is a minimiser
/// whatever its residual: downhill from a saddle the flow degenerates where
/// lambda -> 0 at both ends, and had stalled there);
/// converged to rounding when the residual stopped within 100x its
/// round-off floor; stalled otherwise (`how`: what ended the run).
inline void finish_status(Result& r, bool converged, double tolerance, double zero_scale, const std::string& how) {
  if (converged) {
    r.status = Status::kConverged;
    r.message = "converged";
  } else if (r.seed_action == 0 && std::abs(r.action) <= kZeroAction * zero_scale) {
    r.status = Status::kConverged;
    r.message = fmt::format("converged: S = {:.3g} is zero ({:.0e} of the path's drift work "
                            "int |b| |phi'| = {:.6g}); no path costs less than 0, so this one, which follows the drift, "
                            "is a minimiser (the residual {:.2e} stopped falling {})",
                            r.action, kZeroAction, zero_scale, r.residual, how);
  } else if (r.residual <= kRoundingMargin * r.rounding_floor) {
    r.status = Status::kConvergedToRounding;
    r.message = fmt::format("converged to rounding (residual {:.2e} stopped falling {}, within 100x its round-off "
                            "level {:.2e})", r.residual, how, r.rounding_floor);
  } else {
    r.status = Status::kStalled;
    r.message = fmt::format("stalled: the residual {:.2e} (tolerance {:.2e}, round-off level {:.2e}) stopped falling {}",
                            r.residual, tolerance, r.rounding_floor, how);
  }
}

/// Progress of a relaxation in thousandths: how far the residual has come
/// down from its first value towards the tolerance, on a log scale (an
/// iteration count against the cap said 1% and an ETA of hours for runs
/// that converge in a minute).
inline std::uint64_t residual_progress(double first, double now, double tolerance) {
  if (!(first > tolerance) || !(now > 0)) return 1000;
  const double f = std::log(first / now) / std::log(first / tolerance);
  return static_cast<std::uint64_t>(1000 * std::clamp(f, 0.0, 1.0));
}

}  // namespace fw::action::detail
