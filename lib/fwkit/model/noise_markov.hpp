// fwkit/model/noise_markov.hpp — Markov-modulated noise and its averaged drift.
//
// A finite chain Y with kernel P_x (K states) drives the increments h(x, y):
//     x_{n+1} = x_n + eta h(x_n, Y_{n+1}),   Y_{n+1} ~ P_{x_n}(Y_n, .).
// Its ODE limit is x' = b(x) = sum_y pi_x(y) h(x, y) (pi_x stationary for
// P_x) and its large-deviation Hamiltonian is
//     H(x, p) = log rho( P_x(y, y') exp(<p, h(x, y')>) ),
// the log Perron–Frobenius eigenvalue of the tilted kernel. As a NoiseModel,
// Z = h(x, Y) - b(x) and Lambda_x(p) = H(x, p) - <p, b(x)>.
#pragma once

#include <memory>

#include "fwkit/model/field.hpp"
#include "fwkit/model/noise.hpp"
#include "fwkit/model/system.hpp"

namespace fw::model {

class MarkovNoise final : public NoiseModel {
 public:
  MarkovNoise(std::shared_ptr<const Field> kernel, std::shared_ptr<const Field> increments, int d);

  int dim() const override { return d_; }
  std::string kind() const override { return "markov"; }
  int chain_states() const override { return k_; }
  void sample(const double* x, rng::Stream& rng, double* z, int* chain_state) const override;
  void sample_block(const BlockDraw& draw, double* z, BlockScratch& scratch) const override;
  /// True for the MarkovAverageSystem of this noise: b + Z = h(x, Y).
  bool estimates_drift(const System& system) const override;
  void sample_drift_block(const BlockDraw& draw, double* direction, BlockScratch& scratch) const override;
  /// The asymptotic covariance Hess_p Lambda_x(0) (includes the chain's
  /// autocorrelation), not the one-step covariance.
  Mat covariance(const Vec& x) const override;
  void log_mgf(const Vec& x, const Vec& p, const MgfRequest& out) const override;
  using NoiseModel::log_mgf;

  /// P_x (K x K, rows sum to one; throws a data error otherwise).
  Mat kernel(const Vec& x) const;
  /// h(x, .) as a d x K matrix (column y is h(x, y)).
  Mat increments(const Vec& x) const;
  /// pi_x, the stationary law of P_x.
  Vec stationary(const Vec& x) const;
  /// b(x) = sum_y pi_x(y) h(x, y).
  Vec averaged_drift(const Vec& x) const;
  /// Db(x), exactly: d pi = pi dP (I - P + 1 pi)^{-1}.
  Mat averaged_jacobian(const Vec& x) const;

 private:
  /// Moves every live lane's chain one step (sample_block's draws); with
  /// `average`, also the stationary average sum_y pi(y) h(x, y) into
  /// scratch (see the .cpp for the layout).
  void step_chains(const BlockDraw& draw, BlockScratch& scratch, bool average) const;

  std::shared_ptr<const Field> kernel_, increments_;
  int d_, k_;
};

/// The averaged ODE field of Markov noise as a System.
class MarkovAverageSystem final : public System {
 public:
  explicit MarkovAverageSystem(std::shared_ptr<const MarkovNoise> noise) : noise_(std::move(noise)) {}
  int dim() const override { return noise_->dim(); }
  std::string name() const override { return "markov_average"; }
  void drift(const double* x, double* b) const override;
  void jacobian(const double* x, double* jac) const override;
  const MarkovNoise& noise() const { return *noise_; }

 private:
  std::shared_ptr<const MarkovNoise> noise_;
};

}  // namespace fw::model
