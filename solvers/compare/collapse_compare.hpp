// solvers/compare/collapse_compare.hpp — a collapse simulation (`fwkit
// simulate`, scheme gaussian_refit or resample) against the exact expected
// statistics of collapse_expectation.hpp, at chosen generations of every
// sweep point. The chain (N, alpha, Sigma_0) is read from the file's own
// resolved configuration.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "collapse_expectation.hpp"
#include "summary.hpp"

namespace fw::compare {

struct CollapseCompareOptions {
  std::vector<double> generations;  // where rows are made (empty: T/20, T/10 and T/4)
  double standard_errors = 4;       // a row passes within this many standard errors
  void validate() const;
};

struct CollapsePoint {
  std::string group;                 // "" or "sweep/point_NNN"
  double value = 0;                  // swept value (NaN without a sweep)
  CollapseChain chain;
  CollapseExpectation expected;
  std::vector<double> variance, variance_se, log_det, log_det_se, homozygosity, homozygosity_se;  // simulated
};

struct CollapseComparison {
  std::filesystem::path simulation;
  std::string sweep_key, scheme;
  int generations = 0;
  std::vector<CollapsePoint> points;
  std::vector<SummaryRow> rows;
};

CollapseComparison compare_collapse(const std::filesystem::path& simulation, const CollapseCompareOptions& options);

/// Writes /collapse (expected and simulated over point x generation) and /summary.
void write_collapse_comparison(const io::Group& root, const CollapseComparison& c);

}  // namespace fw::compare
