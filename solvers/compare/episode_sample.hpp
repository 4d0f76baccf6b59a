// solvers/compare/episode_sample.hpp — simulated episode lengths from the
// transitions `fwkit simulate` records, with standard errors that respect
// the correlation of episodes within one member.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace fw::compare {

/// The transitions of an ensemble, one entry per transition (the columns of
/// a simulate file's /transitions group).
struct TransitionColumns {
  std::span<const std::int64_t> member, from, to, start_step, end_step;
};

/// Episodes spent in region `from` before reaching region `to`.
struct EpisodeSample {
  std::vector<double> steps;   // every episode kept, in steps
  std::int64_t members = 0;    // members that contributed at least one
  double mean_steps = 0;       // sum of lengths / number of episodes
  double standard_error = 0;   // of mean_steps, members as clusters
  std::int64_t dropped = 0;    // first episodes and censored ones left out
};

/// The episodes from region `from` to region `to`. Each member's first
/// episode of the kind is left out when `drop_first` (it starts from the
/// initial state, not from the cycle), and so are episodes whose start was
/// not recorded (start_step < 0). The mean is the ratio estimator sum L /
/// count; its standard error treats members as independent clusters
/// (episodes of one member are correlated through the slow variable):
///   se^2 = M / (M - 1) sum_m (S_m - mean n_m)^2 / N^2,
/// S_m, n_m the member's total length and count, N = sum n_m, M members.
/// The error is NaN with fewer than two contributing members; the mean NaN
/// with no episode.
EpisodeSample episode_sample(const TransitionColumns& t, std::int64_t from, std::int64_t to, bool drop_first);

}  // namespace fw::compare
