// solvers/analyze/lanczos.hpp — extreme eigenvalues of a symmetric operator
// from its products with vectors (Lanczos with full reorthogonalisation),
// for Hessians too large to form: analyze classifies minima and saddles of
// losses with more than Options::dense_max_dim parameters this way.
//
//   auto s = fw::analyze::lanczos([&](const Vec& v) { return hessian_times(v); }, d, 60);
//   s.ritz;        // ascending Ritz values
//   s.converged;   // per Ritz value: |residual| <= tolerance * max |theta|
#pragma once

#include <functional>

#include "fwkit/core/types.hpp"

namespace fw::analyze {

struct LanczosResult {
  Vec ritz;                          // ascending
  std::vector<bool> converged;       // per Ritz value
  Vec residual;                      // beta_m |last entry of the Ritz vector|, per Ritz value
  int steps = 0;                     // Krylov dimension reached (< requested on an invariant subspace)
};

/// `steps` Lanczos steps (1 to d) on the operator from a fixed start vector
/// with weight on every coordinate (1 + sin(1 + 2k)/2, normalised: the result
/// is deterministic); a Ritz value
/// counts as converged when its residual is at most `tolerance` times the
/// largest |Ritz value|.
LanczosResult lanczos(const std::function<Vec(const Vec&)>& apply, int d, int steps, double tolerance = 1e-8);

}  // namespace fw::analyze
