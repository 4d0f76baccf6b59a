// solvers/analyze/sgd_covariance.hpp — the stationary covariance constant-step
// SGD keeps around each stable equilibrium, predicted from the linearisation.
//
// At a stable x* with J = Db(x*) and Sigma = Cov Z(x*) (for minibatch noise
// the batch-mean gradient's covariance there), x' - x* = (I + eta J)(x - x*)
// + eta Z to first order, so S = (I + eta J) S (I + eta J)^T + eta^2 Sigma
// (model/lyapunov.hpp). Its error is O(eta) relative (the drift's curvature
// and the state dependence of Sigma); directions with small curvature get
// S ~ eta Sigma / (2 lambda): large, and the slowest to relax.
#pragma once

#include <string>
#include <vector>

#include "equilibria.hpp"
#include "fwkit/io/result_file.hpp"
#include "fwkit/model/model.hpp"

namespace fw::analyze {

struct SgdCovariance {
  std::size_t equilibrium = 0;  // index into Result::equilibria (stable ones only)
  Mat covariance;
  bool converged = false;
  double residual = 0;
};

/// The prediction at every stable equilibrium of `result`, for step `eta`.
std::vector<SgdCovariance> predict_sgd_covariance(const model::Model& model, const Result& result, double eta);

/// Writes /sgd_covariance/covariance(stable, component, component_2) and the
/// index of each stable equilibrium; returns lines for the terminal.
std::string write_sgd_covariance(const io::Group& parent, const std::vector<SgdCovariance>& predictions, double eta,
                                 const std::vector<std::string>& names);

}  // namespace fw::analyze
