// solvers/compare/occupation_compare.hpp — the time spent near each attractor:
// the Freidlin–Wentzell prediction (an `fwkit action` transitions file: the
// W-graph energies W_i) against a simulation swept over the noise scale s
// (eta = simulate.step for SGD, simulate.eps for Langevin).
//
// Laplace's method on exp(-V/s) around each attractor z_i, V = W_i + V_i
// locally with Hess V_i(z_i) = P_i^{-1}, P_i the Lyapunov covariance of the
// linearisation (J P + P J^T + D = 0, J = Db(z_i), D = H_pp(z_i, 0)):
//     log (p_i / p_g) = -(W_i - W_g) / s + (1/2) log(det P_i / det P_g) + O(s),
// g the ground state (argmin W). For equally deep minima this is Hwang's
// ratio, prod lambda(Hess V)^(-1/2): flat minima win. The simulated p_i is
// the occupation of the region holding z_i (one region per attractor).
//
// Judged rows: the exponent (the slope of the simulated log ratio against
// 1/s, weighted least squares, against -(W_i - W_g); where W_i != W_g), the
// prefactor (the intercept of log ratio + (W_i - W_g)/s against s, i.e. the
// ratio extrapolated to s -> 0, against the Laplace/Hwang prefactor), and the
// most occupied attractor at the smallest s (least W, then Hwang among
// equally deep ones). The prefactor is judged only for a gradient drift with
// constant isotropic noise, where the density is exp(-V/s) times a constant
// (Hwang's setting); with state-dependent noise or a non-gradient drift the
// density's O(1) prefactor varies in space (a transport equation along the
// characteristics, not computed here) and the Laplace number is reported.
// Per point, the predicted and simulated ratios are reported.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "summary.hpp"

namespace fw::compare {

struct OccupationCompareOptions {
  double exponent_tolerance = 0.1;   // relative, on the fitted W_i - W_g
  double prefactor_tolerance = 0.1;  // relative, on the extrapolated ratio
  void validate() const;
};

struct OccupationComparison {
  std::filesystem::path simulation, transitions;
  std::string scale_key;                   // the swept key (the noise scale)
  std::vector<double> scale;               // s per point
  std::vector<std::string> region;         // region holding attractor i
  std::vector<double> w;                   // W-graph energies
  std::vector<double> log_prefactor;       // (1/2) log(det P_i / det P_g)
  int ground = 0;
  bool prefactor_judged = false;           // Hwang's setting: gradient drift, constant isotropic noise
  std::vector<std::vector<double>> fraction, fraction_se;  // [point][attractor]
  std::vector<std::vector<double>> fraction_cov;  // [point][attractor a * m + b]: covariance (NaN: not in the file)
  std::vector<double> fitted_exponent, fitted_exponent_se, extrapolated_ratio, extrapolated_ratio_se;  // per attractor
  std::vector<SummaryRow> rows;
};

OccupationComparison compare_occupation(const std::filesystem::path& simulation,
                                        const std::filesystem::path& transitions,
                                        const OccupationCompareOptions& options);

/// Writes /occupation (point x attractor: simulated fractions, predicted
/// log ratios; per attractor W, prefactor, fits) and /summary.
void write_occupation_comparison(const io::Group& root, const OccupationComparison& c);

}  // namespace fw::compare
