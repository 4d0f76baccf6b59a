// solvers/compare/covariance_compare.hpp — the stationary covariance of
// constant-step SGD around a minimum, predicted by the discrete Lyapunov
// equation S = (I - eta H) S (I - eta H)^T + eta^2 Sigma_B (H the Hessian,
// Sigma_B the batch-mean gradient covariance there), against a `fwkit
// simulate` run started at the minimum (one run, or a sweep over
// simulate.step).
//
// The minimum is found by minimising the loss from the run's x0 (it must be
// a strict minimum: every Hessian eigenvalue > 0). The prediction is exact
// for a quadratic loss with Gaussian noise and O(eta) relative otherwise
// (the loss's curvature and the noise change over the spread). Judged, for
// every coordinate whose predicted variance is not zero: for one run, the
// simulated variance within `standard_errors` of its standard error (for
// steps small enough that the O(eta) term is below the noise); for a sweep,
// the ratio simulated / predicted extrapolated linearly to eta -> 0 from
// the two smallest steps, within `standard_errors` of 1 (the larger steps'
// mean deviation and largest |z| are reported). Coordinates that
// the noise does not reach (predicted variance zero: a direction every
// per-sample gradient leaves alone, such as a softmax's common shift of the
// classes) are judged to stay at the minimum: their largest simulated
// variance below `zero_fraction` of the largest predicted one. Reported:
// the loss and the Hessian's extreme eigenvalues at the minimum.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "fwkit/core/types.hpp"
#include "summary.hpp"

namespace fw::compare {

struct CovarianceCompareOptions {
  double standard_errors = 4;
  double zero_fraction = 1e-8;
  void validate() const;
};

struct CovarianceComparison {
  std::filesystem::path simulation;
  std::vector<std::string> names;
  Vec minimum, hessian_eigenvalues;
  double loss = 0;
  std::vector<double> step;
  Mat predicted, simulated, simulated_se;  // step x component
  std::vector<SummaryRow> rows;
};

CovarianceComparison compare_covariance(const std::filesystem::path& simulation, const CovarianceCompareOptions& options);

/// Writes /sgd_covariance (by step and component) and /summary.
void write_covariance_comparison(const io::Group& root, const CovarianceComparison& c);

}  // namespace fw::compare
