// solvers/compare/exit_compare.hpp — mean transition times: a simulation
// swept over the noise scale s, with one region around each attractor,
// against an `fwkit action` transitions file.
//
// Leaving attractor i takes E tau_i = 1 / sum_legs 1 / (A_l exp(c_l / s)) in
// clock time (steps x simulate.step), the sum over the legs from i, c_l the
// leg's cost; for a gradient drift with D = c I, A_l is the Eyring–Kramers
// prefactor (SCIENCE.md), otherwise unknown. Judged: the exponent (slope of
// log E tau against 1/s, weighted least squares) against the least leg cost,
// and, where Eyring–Kramers applies, the prefactor extrapolated to s -> 0
// (the intercept of log E tau - c/s against s) against A. Elsewhere the
// fitted prefactor is reported: exp(c / s) with a fitted prefactor.
//
// The regions must leave the saddles outside: a region that reaches the
// saddle counts every recrossing of it as an exit (most of them a few steps
// long), which is not the transition the theory describes.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "summary.hpp"

namespace fw::compare {

struct ExitCompareOptions {
  double exponent_tolerance = 0.1;   // relative, on the fitted barrier
  double prefactor_tolerance = 0.2;  // relative, on the extrapolated prefactor
  void validate() const;
};

struct ExitComparison {
  std::filesystem::path simulation, transitions;
  std::string scale_key;
  std::vector<double> scale;                 // s per point
  std::vector<std::string> region;           // region around attractor i
  std::vector<double> least_cost;            // per attractor
  std::vector<double> kramers_prefactor;     // per attractor (NaN where it does not apply)
  std::vector<std::vector<double>> mean_time, mean_time_se;  // [point][attractor], clock time
  std::vector<double> fitted_exponent, fitted_exponent_se, fitted_prefactor, fitted_prefactor_se;
  std::vector<SummaryRow> rows;
};

ExitComparison compare_exits(const std::filesystem::path& simulation, const std::filesystem::path& transitions,
                             const ExitCompareOptions& options);

/// Writes /exits (point x attractor) and /summary.
void write_exit_comparison(const io::Group& root, const ExitComparison& c);

}  // namespace fw::compare
