// solvers/sim/ensemble.hpp — reproducible ensembles of SGD, stochastic
// approximation and Langevin dynamics, reduced on the fly.
//
// Member m draws everything it needs at step n from the Philox stream
// (seed, m) positioned at counter n, so a run is bit-identical whatever the
// thread count, the block size, or where it was checkpointed and resumed.
// Members are stepped in blocks stored as structure of arrays (the drift is
// evaluated for a whole block at once); nothing is allocated in the step loop.
// A member whose state leaves |x_k| <= bound or stops being finite is flagged
// with the step and frozen: it is counted and reported, never dropped
// silently, and it contributes nothing after that step.
//
//   fw::sim::Options o;  o.step.eta = 0.05;  o.members = 1000;  o.steps = 1e5;
//   auto state = fw::sim::EnsembleState::start(o, x0);
//   fw::sim::advance(model, o, state, o.steps);
//   fw::sim::Summary s = fw::sim::summarize(o, state);
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "fwkit/core/progress.hpp"
#include "fwkit/model/model.hpp"
#include "fwkit/par/comm.hpp"
#include "state.hpp"

namespace fw::sim {

/// Runs every member from state.step to `until` (<= options.steps), in
/// segments of options.segment steps; `on_segment` (if set) sees the state
/// after each segment (to checkpoint it). Throws a config Error when the
/// model does not fit the scheme (langevin needs Gaussian noise, ula and the
/// zeroth-order estimators a gradient system).
/// With `comm` (several processes, every one calling advance with the same
/// arguments) each process steps its share of the members and the shares are
/// joined after every segment (share.hpp): on return every process holds the
/// state one process alone would have computed, bit for bit.
void advance(const model::Model& model, const Options& options, EnsembleState& state,
             std::int64_t until, Progress* progress = nullptr,
             const std::function<void(const EnsembleState&)>& on_segment = {},
             const par::Comm* comm = nullptr);

/// Throws the config Error that advance() would throw for a model that does
/// not fit the scheme, before any work.
void check_model(const model::Model& model, const Options& options);

/// A fraction or mean with its standard error.
struct Estimate {
  double value = 0;
  double standard_error = 0;
};

struct Summary {
  std::int64_t members = 0, blown = 0;  // flagged members
  std::int64_t samples = 0;             // recorded member-steps
  std::vector<std::string> region_names;     // regions, then "none"
  std::vector<Estimate> occupation;          // fraction of recorded time per region
  /// Covariance of the occupation estimates (regions + 1 squared, row-major;
  /// NaN with fewer than two units): fractions that sum to one are
  /// negatively correlated, which a ratio's error must respect.
  std::vector<double> occupation_covariance;
  /// What the standard errors are computed over (members without burn-in).
  std::string error_units;
  std::vector<Estimate> mean, variance;      // per coordinate, over members and time
  /// Per ordered pair (from, to), row-major regions x regions: number of
  /// transitions and the mean dwell time in `from` before reaching `to`
  /// (steps; NaN when there were none).
  std::vector<std::int64_t> transition_count;
  std::vector<Estimate> mean_dwell_steps;
  /// Mean dwell in each region before leaving it for any other (the mean
  /// first-passage time out of it), in steps.
  std::vector<Estimate> mean_exit_steps;
  /// Per region: exits after an entry (those mean_exit_steps averages),
  /// first passages from x0 (without burn-in; from step 0), exits whose
  /// entry preceded recording (with burn-in), and members inside at the end
  /// (right-censored sojourns).
  std::vector<std::int64_t> exit_count, first_passage_count, left_censored_count, right_censored_count;
  /// Mean first passage out of each region from the start (no burn-in), steps.
  std::vector<Estimate> mean_first_passage_steps;
  /// A few lines for the terminal; coordinates named by `names` (the
  /// model's variables), x0, x1, ... where it is empty.
  std::string brief_report(const std::vector<std::string>& names = {}) const;
};

/// Combines the per-member reductions, in member order. Standard errors come
/// from batch means over (member, time batch) units, or, without burn-in,
/// over whole members (Summary::error_units).
Summary summarize(const Options& options, const EnsembleState& state);

}  // namespace fw::sim
