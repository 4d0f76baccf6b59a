// solvers/sim/estimators.hpp — zeroth-order estimates of the descent
// direction g = -grad f(x) from loss values only (Kiefer–Wolfowitz, SPSA and
// the one-point estimator of the paper's appendix).
//
// On a quadratic f, Kiefer–Wolfowitz and both SPSA variants are unbiased for
// every delta; the one-point estimator is unbiased too (odd moments of u
// vanish) but its variance grows like d f(x)^2 / delta^2, which is why it is
// rarely used with a small delta.
#pragma once

#include "fwkit/model/system.hpp"
#include "fwkit/rng/stream.hpp"
#include "options.hpp"

namespace fw::sim {

/// Writes the estimate of -grad f(x) into g (d entries). Draws the
/// perturbation u from `rng` (nothing for kExact and kKieferWolfowitz).
/// `work` must hold 2 d doubles. The system must be a gradient system unless
/// `kind` is kExact (then g = b(x)).
void descent_estimate(const model::System& system, Gradient kind, double delta, const double* x,
                      rng::Stream& rng, double* g, double* work);

}  // namespace fw::sim
