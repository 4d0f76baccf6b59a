// solvers/analyze/minimize.hpp — local minimisation of a gradient system's loss.
//
// For d up to `newton_max_dim`: Newton on f with the exact Hessian -Db(x):
// the plain step first where the Hessian is positive definite (quadratic
// convergence near a strict minimum), else damped steps
// -V diag(1 / (|lambda| + mu)) V^T g (a descent direction everywhere) with mu
// adapted, Levenberg-Marquardt fashion, until one decreases f. Beyond that
// dimension, L-BFGS on the exact gradient g = -b(x), restarting from
// steepest descent when its line search fails. Line searches backtrack to
// an Armijo decrease; an exact Newton step is accepted without one when f
// can no longer resolve it (f changes below rounding) but the gradient
// halves, which is how the last digits of a minimum are won.
//
// The result says what happened:
//   converged   |g| <= tolerance (1 + |x|)
//   rounding    no step decreases f or |g| any more, and |g| is within 1e3 of
//               the tolerance: a minimum to the precision f carries
//   stalled     the iteration limit or a failed line search left |g| larger
//               (the value is reported)
//   failed      f or g is not finite at the start, or x reached the edge of
//               the allowed region with f still decreasing (a minimum at
//               infinity, as for a network without weight decay)
//
//   fw::analyze::MinimizeOptions o;            // tolerance 1e-10
//   fw::analyze::Minimum m = fw::analyze::minimize(system, x0, o);
//   if (m.status == fw::analyze::MinimizeStatus::kConverged) use(m.x);
#pragma once

#include <string>
#include <vector>

#include "fwkit/core/types.hpp"
#include "fwkit/model/system.hpp"

namespace fw::analyze {

struct MinimizeOptions {
  /// Converged when |grad f| <= tolerance (1 + |x|).
  double tolerance = 1e-10;
  /// Iterations (each one line search) before the run counts as stalled.
  int max_iterations = 5000;
  /// Correction pairs kept by L-BFGS.
  int memory = 10;
  /// Newton steps for d up to this (a dense d x d Hessian and its
  /// eigendecomposition per iteration).
  int newton_max_dim = 50;
  /// The run fails when x leaves the box [lower - span, upper + span]
  /// (span = upper - lower); empty bounds allow every x.
  Vec lower, upper;
  /// Coordinate names for the messages (x0, x1, ... when empty).
  std::vector<std::string> names;
};

enum class MinimizeStatus { kConverged, kRounding, kStalled, kFailed };
const char* to_string(MinimizeStatus s);

struct Minimum {
  Vec x;
  MinimizeStatus status = MinimizeStatus::kFailed;
  double loss = 0;
  double gradient_norm = 0;
  int iterations = 0;
  int newton_steps = 0;
  /// Why it stopped, in words (for stalled and failed runs).
  std::string reason;
};

/// Minimises the loss of a gradient system from x0 (throws for a
/// non-gradient system).
Minimum minimize(const model::System& system, Vec x0, const MinimizeOptions& options);

}  // namespace fw::analyze
