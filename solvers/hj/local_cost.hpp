// solvers/hj/local_cost.hpp — the action of a straight segment, the building
// block of the ordered line integral method.
//
// The quasi-potential is V(x) = inf over paths of the geometric action
// int c(phi, phi') ds with the local cost c(x, v) = max { <p, v> : H(x, p) = 0 }
// (positively homogeneous of degree 1 in v). Along a straight segment from a
// to x it is approximated by the midpoint rule, c((a + x)/2, x - a), or by
// Simpson's rule at a, the midpoint and x. The midpoint rule gives zero cost
// to a segment whose midpoint is an equilibrium: the solver keeps such
// segments inside the seeded ball around the attractor.
//   Langevin, H = <b,p> + p^T D p / 2:  c(x, v) = |b|_A |v|_A - <b, v>_A, A = D(x)^{-1}
//   any other convex H (discrete-time SGD noise): <p_hat, v> with p_hat from
//   the minimum action solver's inner problem (H(x, p_hat) = 0, H_p parallel
//   to v); +infinity where no such p exists (velocities bounded noise cannot
//   produce).
#pragma once

#include <array>

#include "fwkit/core/types.hpp"

#include "fwkit/model/hamiltonian.hpp"

namespace fw::hj {

class LocalCost {
 public:
  explicit LocalCost(const model::Hamiltonian& h, bool simpson = false);
  int dim() const { return d_; }

  /// Action of the straight segment from a to x.
  double segment(const double* a, const double* x) const;

  /// min over s in [0, 1] of (1 - s) v0 + s v1 + segment(x0 + s (x1 - x0), x),
  /// the triangle update. Returns +inf unless the minimum is strictly inside
  /// (0, 1): at the ends it is a one-point update, done separately.
  double triangle(const double* x0, double v0, const double* x1, double v1, const double* x) const;

 private:
  /// d/ds of segment(x0 + s e, x) (exact for constant Gaussian noise, a
  /// central difference otherwise).
  /// Optimal momenta at the quadrature points of the last segment priced
  /// (midpoint, a, x), the Newton start of the next one nearby.
  struct Warm {
    Vec p[3];
    double lambda[3] = {0, 0, 0};
  };
  double segment_slope(const double* x0, const double* e, double s, const double* x, Warm* warm) const;
  /// segment() for a state-dependent metric or non-Gaussian noise; `warm`
  /// may be null.
  double general_segment(const double* a, const double* x, Warm* warm) const;

  const model::Hamiltonian& h_;
  int d_;
  bool simpson_;
  bool langevin_;          // closed form
  bool constant_metric_;   // A = D^{-1} does not depend on x
  std::array<double, 9> metric_{};  // A when constant, row-major d x d
};

}  // namespace fw::hj
