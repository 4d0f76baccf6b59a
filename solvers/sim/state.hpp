// solvers/sim/state.hpp — everything an ensemble run carries from one step to
// the next: the members' states and the reductions accumulated so far. It is
// exactly what a checkpoint holds, so a run resumed from it continues bit for
// bit as if it had never stopped.
//
// Per-member quantities are stored per member (and time batch) and combined
// in member order only when results are summarised, so neither the thread
// count nor the block size changes a single bit. Histogram counts are
// integers, whose sums do not depend on the order.
#pragma once

#include <cstdint>
#include <vector>

#include "options.hpp"

namespace fw::sim {

/// A passage from region `from` into region `to`: the member entered `from`
/// at `start_step` (state start_state) and reached `to` at `end_step`
/// (state end_state). For two-time-scale runs, an episode.
struct Transition {
  std::int64_t member, from, to, start_step, end_step;
  std::vector<double> start_state, end_state;
};

struct EnsembleState {
  int dim = 0;
  std::int64_t members = 0;
  std::int64_t step = 0;               // steps completed by every member
  std::vector<double> x;               // members x dim, member-major
  std::vector<int> chain;              // hidden Markov noise state per member (-1: stationary draw)
  std::vector<std::int64_t> blown;     // step a member was flagged at, -1 if never
  // Occupation: counts[(member * batches + batch) * (regions + 1) + r], r = regions: none.
  std::vector<std::int64_t> occupation;
  // Moments per (member, batch): count, mean[dim], m2[dim] (Welford).
  std::vector<std::int64_t> moment_count;
  std::vector<double> moment_mean, moment_m2;
  // Region bookkeeping per member: last region entered (-1: none yet), when and where.
  std::vector<std::int64_t> region, region_step;
  std::vector<double> region_state;    // members x dim
  std::vector<Transition> transitions; // sorted by (member, end_step) once summarised
  std::vector<std::int64_t> histogram; // counts per grid node
  std::int64_t histogram_outside = 0;  // recorded samples outside the grid box
  std::vector<double> trajectory;      // [trajectory_members][samples][dim]

  /// A fresh state: every member at x0, nothing recorded.
  static EnsembleState start(const Options& options, const Vec& x0);
  /// Samples kept per trajectory member.
  static std::int64_t trajectory_samples(const Options& options);
  /// The bytes start() allocates for these options in dimension `dim` (the
  /// state a run holds, and about what each checkpoint writes).
  static double bytes(const Options& options, int dim);
};

}  // namespace fw::sim
