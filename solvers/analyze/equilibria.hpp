// solvers/analyze/equilibria.hpp — the equilibria of a system in a box.
//
// Multi-start damped Newton on b(x) = 0 with the exact Jacobian, from a
// low-discrepancy (Halton) set of starting points in the box; converged
// points are merged when closer than `merge_distance` (relative to the box
// diagonal) and classified from the eigenvalues of Db(x):
//   stable      all real parts < 0                  (an attractor)
//   saddle      k real parts > 0 and d-k < 0        (index k, 0 < k < d)
//   unstable    all real parts > 0                  (a repeller)
//   degenerate  some |real part| <= zero_tolerance   (not hyperbolic)
// For gradient systems (b = -grad f) each equilibrium also gets f(x) and the
// eigenvalues of Hess f = -Db. The solvers that follow take attractors and
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
  /// Number of Newton starts; 0 picks 256 d.
  int starts = 0;
  /// Convergence: |b(x)| <= tolerance (1 + |x|) after the Newton step.
  double tolerance = 1e-10;
  /// Newton iterations per start before it is abandoned.
  int max_iterations = 100;
  /// Points closer than merge_distance * (box diagonal) are one equilibrium.
  double merge_distance = 1e-6;
  /// Real parts of Jacobian eigenvalues with |Re| <= this are "zero".
  double zero_tolerance = 1e-9;

  /// Throws a config Error naming the field, the value and the rule.
  void validate(int dim) const;
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
};

enum class Status { kNotRun, kSuccess, kNoEquilibrium };

struct Result {
  Status status = Status::kNotRun;
  std::string message = "not run";
  std::vector<Equilibrium> equilibria;  // sorted: stable first, then by index, then by x
  int starts = 0;
  int converged = 0;                    // starts that converged inside the box

  /// A table of the equilibria, one per line.
  std::string brief_report() const;
  int count(Stability s) const;
};

Result find_equilibria(const model::System& system, const Options& options,
                       Progress* progress = nullptr);

}  // namespace fw::analyze
