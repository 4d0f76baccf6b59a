// solvers/analyze/equilibria.hpp — the equilibria of a system in a box.
//
// Multi-start damped Newton on b(x) = 0 with the exact Jacobian, from a
// low-discrepancy (Halton) set of starting points in the box and from
// points the user gives. For gradient systems (b = -grad f) every start is
// first minimised (L-BFGS, then Newton; analyze/minimize.hpp), which finds
// the minima that Newton on b = 0 rarely reaches in high dimension, and
// Newton from the same start then looks for saddles. Converged points are
// merged when closer than `merge_distance` (relative to the box diagonal)
// and classified from the eigenvalues of Db(x):
//   stable      all real parts < 0                  (an attractor)
//   saddle      k real parts > 0 and d-k < 0        (index k, 0 < k < d)
//   unstable    all real parts > 0                  (a repeller)
//   degenerate  some |real part| <= zero_tolerance   (not hyperbolic)
// For gradient systems (b = -grad f) each equilibrium also gets f(x) and the
// eigenvalues of Hess f = -Db; beyond `dense_max_dim` parameters only the
// ends of that spectrum, by Lanczos on Hessian-vector products. The solvers that follow take attractors and
// saddles from here.
//
//   fw::analyze::Options options;
//   options.lower = {-2, -2}; options.upper = {2, 2};
//   fw::analyze::Result r = fw::analyze::find_equilibria(system, options);
//   std::cout << r.brief_report();
#pragma once

#include <string>
#include <vector>

#include "fwkit/core/progress.hpp"
#include "fwkit/core/types.hpp"
#include "fwkit/model/system.hpp"

namespace fw::analyze {

struct Options {
  /// Corners of the search box (one entry per dimension; lower < upper).
  std::vector<double> lower, upper;
  /// Number of Halton starts in the box; 0 picks 256 d, or none when
  /// `start_points` are given.
  int starts = 0;
  /// Starts the user gives (each of dimension d), used before the Halton ones.
  std::vector<Vec> start_points;
  /// For gradient systems: minimise f from every start (and Newton for
  /// saddles when `newton` is set too).
  bool minimize = true;
  bool newton = true;
  /// Iterations of one minimisation before it counts as stalled.
  int minimize_iterations = 5000;
  /// Losses with more parameters are classified from the ends of the
  /// Hessian's spectrum by Lanczos (`lanczos_steps` Hessian-vector
  /// products) instead of a dense eigendecomposition.
  int dense_max_dim = 50;
  int lanczos_steps = 60;
  /// Convergence: |b(x)| <= tolerance (1 + |x|) after the Newton step.
  double tolerance = 1e-10;
  /// Newton iterations per start before it is abandoned.
  int max_iterations = 100;
  /// Points closer than merge_distance * (box diagonal) are one equilibrium.
  double merge_distance = 1e-6;
  /// Real parts of Jacobian eigenvalues with |Re| <= this are "zero".
  double zero_tolerance = 1e-9;

  /// Throws a config Error naming `<table>.<field>` (the table the options
  /// were read from: analyze, or action.transitions for its box), the value
  /// and the rule.
  void validate(int dim, const std::string& table = "analyze") const;
};

enum class Stability { kStable, kSaddle, kUnstable, kDegenerate };
const char* to_string(Stability s);

struct Equilibrium {
  Vec x;
  Stability stability = Stability::kDegenerate;
  int index = 0;                        // number of eigenvalues with Re > 0
  Eigen::VectorXcd eigenvalues;         // of Db(x), sorted by real part
  double residual = 0;                  // |b(x)|
  int hits = 0;                         // starts that converged here
  bool has_loss = false;
  double loss = 0;                      // f(x) (gradient systems)
  Vec hessian_eigenvalues;              // of Hess f (gradient systems), ascending
  int flat = 0;                         // eigenvalues with |Re| <= zero_tolerance
  /// The spectrum's ends only, by Lanczos: hessian_eigenvalues holds the
  /// smallest and the largest (NaN between them), and index and flat are
  /// lower bounds (distinct converged Ritz values).
  bool spectrum_by_lanczos = false;
};

/// How the minimisations from the starts ended (gradient systems).
struct MinimizeTally {
  int runs = 0, converged = 0, rounding = 0, stalled = 0, failed = 0;
  double worst_gradient = 0;            // largest |grad f| among stalled runs
  std::string last_reason;              // why the last stalled or failed run stopped
};

enum class Status { kNotRun, kSuccess, kNoEquilibrium };

struct Result {
  Status status = Status::kNotRun;
  std::string message = "not run";
  std::vector<Equilibrium> equilibria;  // sorted: stable first, then by index, then by x
  int starts = 0;
  int converged = 0;                    // Newton or minimisation runs that converged inside the box
  int undefined_starts = 0;             // starts where the drift is NaN or infinite (skipped)
  Vec first_undefined;                  // the first of them
  MinimizeTally minimize;

  /// A table of the equilibria, one per line.
  std::string brief_report() const;
  /// The distinct loss values of the stable minima with their counts
  /// (copies of one minimum under a symmetry share a value); empty for
  /// systems without a loss.
  std::string loss_levels() const;
  int count(Stability s) const;
};

/// The starts of a run: the user's points, then `starts` Halton points.
std::vector<Vec> start_points(const Options& options, int dim);
/// How many starts start_points gives, without building them.
int start_count(const Options& options, int dim);

Result find_equilibria(const model::System& system, const Options& options,
                       Progress* progress = nullptr);

}  // namespace fw::analyze
