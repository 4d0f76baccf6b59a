// solvers/compare/episode_compare.hpp — simulated memorization episodes (a
// `fwkit simulate` file of two-time-scale SGD) against their predictions
// (episodes.hpp), one row per sweep point.
//
// Everything about the run is taken from the file itself: the model, the
// step a, the time-scale ratio eps, the slow variable and the two branch
// regions come from the resolved configuration in /provenance (with the
// swept key set to each point's value), the episodes from each point's
// /transitions. The fast variable is the one that is not slow; the
// thresholds are the inner faces of the two regions (lower branch x <= l,
// upper branch x >= u), which must be boxes bounding the fast variable
// only on that side.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "episode_sample.hpp"
#include "episodes.hpp"
#include "summary.hpp"

namespace fw::compare {

struct EpisodeCompareOptions {
  EpisodeOptions prediction;       // quadrature and path resolution
  std::vector<double> tolerance;   // relative tolerance of the hazard prediction: one for all points, or one each
  double ratio_tolerance = 0.03;  // step sweeps: the clock-time ratio of the largest to the smallest step's episodes
  double bound_se = 3;             // the simulated mean may exceed the relaxation cycle by this many standard errors
  bool drop_first = true;          // leave out each member's first episode per branch (it starts off the cycle)
  void validate() const;
};

/// One sweep point (or the single run).
struct EpisodePoint {
  std::string group;        // "" (single run) or "sweep/point_NNN"
  double value = 0;         // the swept value (NaN without a sweep)
  double step = 0, timescale = 0, noise_variance = 0;
  double lower = 0, upper = 0;  // thresholds on the fast variable
  EpisodeSample upper_branch, lower_branch;  // simulated, in steps
  double simulated_mean = 0, simulated_se = 0;  // both branches averaged, steps
  double y_start = 0;       // mean slow variable where upper-branch episodes start (simulated)
  EpisodePrediction deterministic, hazard;
};

struct EpisodeComparison {
  std::filesystem::path simulation;
  std::string sweep_key;    // "" without a sweep
  std::string fast_name, slow_name;
  std::vector<EpisodePoint> points;
  std::vector<SummaryRow> rows;
};

/// Reads the simulate file and computes both predictions at every point.
/// Errors (exit 65 or 78) name the file and what is missing or unsuitable:
/// not a simulate file, not the SGD scheme, not two time scales in two
/// variables, noise that depends on the state, regions that are not two
/// branch boxes, a point without episodes.
EpisodeComparison compare_episodes(const std::filesystem::path& simulation, const EpisodeCompareOptions& options);

/// Writes /episodes (one entry per point: the simulated means with their
/// errors and counts, both predictions per branch; every kept episode length
/// with its point index) and /summary.
void write_episode_comparison(const io::Group& root, const EpisodeComparison& c);

}  // namespace fw::compare
