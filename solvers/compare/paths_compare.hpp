// solvers/compare/paths_compare.hpp — observed transition paths against the
// instanton: a simulation with decimated trajectories ([simulate.trajectory])
// and one region around each attractor, swept over the noise scale s,
// against an `fwkit action` transitions file.
//
// A transition path is the stretch of a kept trajectory between its last
// sample in the region of attractor i and its first sample in the region of
// another attractor j; its samples in between are measured by their distance
// to the instanton from i to j (instanton_curve.hpp), and the path by the
// RMS of those distances. Large deviations put the paths in a tube of width
// O(sqrt(s)) about the instanton: judged is the exponent of the mean RMS
// distance in s (weighted least squares of log distance against log s),
// against 1/2. Reported beside it: the same distance to the straight segment
// between the two attractors, which does not shrink where the instanton
// bends away from it.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "fwkit/core/types.hpp"
#include "summary.hpp"

namespace fw::compare {

struct PathsCompareOptions {
  double exponent_tolerance = 0.2;  // relative, on the fitted exponent 1/2
  int bins = 40;                    // the distance histogram per point
  void validate() const;
};

struct PathsComparison {
  std::filesystem::path simulation, transitions;
  std::string scale_key;
  std::vector<double> scale;                 // s per point
  std::vector<std::vector<Vec>> instanton;   // per leg (as in the transitions file)
  std::vector<std::int64_t> paths;           // transition paths measured per point
  std::vector<double> distance, distance_se; // mean over paths of the RMS distance to the instanton
  std::vector<double> line_distance;         // the same to the straight segment between the attractors
  std::vector<double> bin_edges;             // distance histogram of all path samples
  std::vector<std::vector<double>> density;  // [point][bin], probability density of a sample's distance
  double exponent = 0, exponent_se = 0;
  std::vector<SummaryRow> rows;
};

PathsComparison compare_paths(const std::filesystem::path& simulation, const std::filesystem::path& transitions,
                              const PathsCompareOptions& options);

/// Writes /paths (point, bin, and the instantons) and /summary.
void write_paths_comparison(const io::Group& root, const PathsComparison& c);

}  // namespace fw::compare
