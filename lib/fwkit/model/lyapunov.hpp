// fwkit/model/lyapunov.hpp — the stationary covariance of a linearisation.
//
// Near a stable equilibrium x* with J = Db(x*) and diffusion D, the
// quasi-potential is V(x) ~ (x - x*)^T Sigma^{-1} (x - x*) / 2 where Sigma
// solves the Lyapunov equation J Sigma + Sigma J^T + D = 0 (SCIENCE.md, the
// linear check). Solved here through its Kronecker form (d^2 unknowns), meant
// for the small d of grid solvers and seeds (d <= 30).
#pragma once

#include <cmath>

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

/// The solution of the discrete Lyapunov equation S = A S A^T + Q, by
/// doubling (S = sum_k A^k Q A^kT, summed 2^n terms at a time: quadratic
/// convergence when the spectral radius of A is below 1).
struct DiscreteLyapunov {
  Mat sigma;
  bool converged = false;  // the last doubling changed S by < tol relative
  int doublings = 0;
  double residual = 0;  // |S - A S A^T - Q| / |S| (max norms)
};

inline DiscreteLyapunov discrete_lyapunov(const Mat& a, const Mat& q, double tol = 1e-14, int max_doublings = 64) {
  DiscreteLyapunov r;
  Mat s = q, ak = a;
  for (r.doublings = 1; r.doublings <= max_doublings; ++r.doublings) {
    const Mat step = ak * s * ak.transpose();
    s += step;
    if (!s.allFinite()) break;  // spectral radius >= 1: the sum diverges
    if (step.cwiseAbs().maxCoeff() <= tol * s.cwiseAbs().maxCoeff()) {
      r.converged = true;
      break;
    }
    ak = ak * ak;
  }
  r.sigma = 0.5 * (s + s.transpose());
  const double scale = r.sigma.cwiseAbs().maxCoeff();
  r.residual = (r.sigma - a * r.sigma * a.transpose() - q).cwiseAbs().maxCoeff() / (scale > 0 ? scale : 1.0);
  r.converged = r.converged && std::isfinite(r.residual);
  return r;
}

/// The stationary covariance of constant-step SGD x' = x + eta (b(x) + Z)
/// linearised at a stable fixed point: A = I + eta J (J = Db = -Hessian for
/// a loss), Q = eta^2 Sigma (the noise covariance there).
inline DiscreteLyapunov sgd_stationary_covariance(const Mat& j, const Mat& sigma, double eta) {
  const Mat a = Mat::Identity(j.rows(), j.cols()) + eta * j;
  return discrete_lyapunov(a, eta * eta * sigma);
}

}  // namespace fw::model
