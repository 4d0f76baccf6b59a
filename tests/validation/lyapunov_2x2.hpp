// tests/validation/lyapunov_2x2.hpp — the stationary covariance of a 2-D
// linear system solved by hand, independently of the library's Lyapunov
// code: the reference for exact quasi-potentials V = x^T Sigma^{-1} x / 2.
#pragma once

#include "fwkit/core/types.hpp"

namespace fw::testing {

/// Sigma with A Sigma + Sigma A^T + D = 0. For symmetric Sigma = [[p, q],
/// [q, r]] the (1,1), (1,2) and (2,2) entries are three linear equations in
/// (p, q, r), solved directly.
inline Mat lyapunov_2x2(const Mat& a, const Mat& d) {
  Mat m(3, 3);
  m << 2 * a(0, 0), 2 * a(0, 1), 0,          //
      a(1, 0), a(0, 0) + a(1, 1), a(0, 1),   //
      0, 2 * a(1, 0), 2 * a(1, 1);
  const Vec pqr = m.lu().solve(-Eigen::Vector3d(d(0, 0), d(0, 1), d(1, 1)));
  Mat sigma(2, 2);
  sigma << pqr[0], pqr[1], pqr[1], pqr[2];
  return sigma;
}

}  // namespace fw::testing
