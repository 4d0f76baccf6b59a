// fwkit/model/lyapunov.hpp — the stationary covariance of a linearisation.
//
// Near a stable equilibrium x* with J = Db(x*) and diffusion D, the
// quasi-potential is V(x) ~ (x - x*)^T Sigma^{-1} (x - x*) / 2 where Sigma
// solves the Lyapunov equation J Sigma + Sigma J^T + D = 0 (SCIENCE.md, the
// linear check). Solved here through its Kronecker form (d^2 unknowns), meant
// for the small d of grid solvers and seeds (d <= 30).
#pragma once

#include "fwkit/core/types.hpp"

namespace fw::model {

/// Sigma with J Sigma + Sigma J^T + D = 0, symmetrised. J must be stable
/// (all eigenvalues with negative real part) for Sigma to be positive.
inline Mat lyapunov_covariance(const Mat& j, const Mat& dmat) {
  const Eigen::Index d = j.rows();
  const Mat id = Mat::Identity(d, d);
  Mat k(d * d, d * d);
  for (Eigen::Index r = 0; r < d; ++r)
    for (Eigen::Index c = 0; c < d; ++c) k.block(r * d, c * d, d, d) = j(r, c) * id + (r == c ? j : Mat::Zero(d, d));
  const Vec vs = k.fullPivLu().solve(-Eigen::Map<const Vec>(dmat.data(), d * d));
  const Mat sigma = Eigen::Map<const Mat>(vs.data(), d, d);
  return 0.5 * (sigma + sigma.transpose());
}

}  // namespace fw::model
