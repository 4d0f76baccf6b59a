// fwkit/model/noise.hpp — noise models Z(x) of constant-step SA / SGD.
//
// Convention (SCIENCE.md): x_{n+1} = x_n + eta (b(x_n) + Z_{n+1}(x_n)) with
// E Z = 0, Cov Z = Sigma(x) and log-moment generating function
//     Lambda_x(p) = log E exp(<p, Z(x)>).
// The discrete-time large-deviation Hamiltonian is H(x,p) = <b,p> + Lambda_x(p);
// a Gaussian Z gives back the Langevin Hamiltonian with D = Sigma.
//
// Every model can (1) sample Z(x) from a random stream, (2) give Sigma(x),
// and (3) give Lambda_x(p) with its gradient and Hessian in p. For Markov
// noise Z is not i.i.d.: sample() advances a hidden chain whose state the
// caller keeps, Sigma(x) is the asymptotic (time-averaged) covariance, and
// Lambda_x is the log Perron–Frobenius eigenvalue of the tilted kernel minus
// <p, b(x)>.
#pragma once

#include <memory>
#include <string>

#include "fwkit/core/types.hpp"
#include "fwkit/model/block.hpp"
#include "fwkit/rng/stream.hpp"

namespace fw::model {

/// Lambda_x(p) and, when the pointers are non-null, its p-gradient and
/// p-Hessian.
struct MgfRequest {
  double* value = nullptr;
  Vec* grad = nullptr;
  Mat* hess = nullptr;
};

class System;

/// Lambda_x for one fixed state x, for solvers that evaluate it at many p
/// (the inner problem's Newton iteration prices hundreds of thousands of
/// segments in a quasi-potential march): what depends on x only, such as a
/// finite sum's per-point gradients, is computed once, when it is made.
class FrozenLaw {
 public:
  virtual ~FrozenLaw() = default;
  /// Lambda_x(p) with optional derivatives in p, as NoiseModel::log_mgf.
  virtual void log_mgf(const Vec& p, const MgfRequest& out) const = 0;
};

class NoiseModel {
 public:
  virtual ~NoiseModel() = default;

  virtual int dim() const = 0;
  /// "gaussian", "minibatch", "rademacher", "discrete", "mixture", "markov".
  virtual std::string kind() const = 0;
  /// States of the hidden finite chain (0 for i.i.d. noise).
  virtual int chain_states() const { return 0; }

  /// Draws Z(x) into z (dim() entries). For Markov noise `chain_state`
  /// must point at the chain's current state (a negative value means
  /// "draw it from the stationary law at x") and is advanced one step.
  virtual void sample(const double* x, rng::Stream& rng, double* z,
                      int* chain_state = nullptr) const = 0;

  /// Draws Z for every live lane of a block: z[k * lanes + j]. The default
  /// steps lane by lane with the Philox4x64 stream (seed, member) positioned
  /// at the step (the draws of sample()); the models override it with
  /// lane-parallel draws (rng/block.hpp) and batched evaluation.
  virtual void sample_block(const BlockDraw& draw, double* z, BlockScratch& scratch) const;

  /// Whether the noise is the error of a cheaper estimate of the drift b of
  /// `system` (minibatch noise of that finite sum: the batch-mean gradient;
  /// Markov noise of its averaged system: the increment h(x, Y)), so that
  /// sample_drift_block works.
  virtual bool estimates_drift(const System& /*system*/) const { return false; }
  /// For such noise, writes b(x) + Z(x) for every live lane without
  /// evaluating b (the full-data gradient, the chain's stationary average):
  /// the stochastic drift itself, at O(batch d) a lane for minibatch noise.
  /// Same draws as sample_block. Throws for other noise.
  virtual void sample_drift_block(const BlockDraw& draw, double* direction, BlockScratch& scratch) const;

  /// Sigma(x).
  virtual Mat covariance(const Vec& x) const = 0;

  /// Lambda_x(p) with optional derivatives in p.
  virtual void log_mgf(const Vec& x, const Vec& p, const MgfRequest& out) const = 0;
  double log_mgf(const Vec& x, const Vec& p) const;
  /// Lambda_x with x fixed. The default keeps x and a reference to this
  /// model (which must outlive it); finite-support laws precompute their
  /// atoms at x.
  virtual std::unique_ptr<const FrozenLaw> frozen_at(const Vec& x) const;

  /// grad_x Lambda_x(p). The default uses central differences in x (step
  /// 1e-6 (1 + |x_k|)); models with closed forms override it.
  virtual Vec grad_x_log_mgf(const Vec& x, const Vec& p) const;

  /// Whether Lambda_x is the quadratic p^T Sigma(x) p / 2.
  virtual bool is_gaussian() const { return false; }
  /// Whether the law of Z changes with x (false: Lambda_x does not depend on x).
  virtual bool depends_on_state() const { return true; }
  /// Whether Z has bounded support (then Lambda grows linearly and the
  /// Lagrangian is infinite outside the convex hull of the support).
  virtual bool is_bounded() const { return false; }
  /// Whether Lambda is finite near p = 0 (false for heavy tails such as
  /// Student-t, whose large deviations are not exponential).
  virtual bool has_finite_log_mgf() const { return true; }
};

class SourceLaw;
/// Additive noise Z = M (S - E S) from independent sources S_j with
/// continuous laws (source_law.hpp) and a d x r mixing matrix M (the
/// identity for one source per coordinate). Lambda(p) = sum_j
/// lambda_j((M^T p)_j) - (M^T p)_j E S_j, +inf outside the domain where the
/// sources' log-MGFs are finite.
std::unique_ptr<NoiseModel> make_additive_noise(std::vector<std::shared_ptr<const SourceLaw>> laws,
                                                const Mat& mixing);

/// Gaussian noise with a constant covariance Sigma (positive semi-definite,
/// possibly singular).
std::unique_ptr<NoiseModel> make_gaussian_noise(const Mat& covariance);

class Field;
/// Gaussian noise with Sigma(x) = sigma(x) sigma(x)^T; `sigma` maps x to the
/// d x r matrix sigma(x) in row-major order.
std::unique_ptr<NoiseModel> make_state_gaussian_noise(std::shared_ptr<const Field> sigma, int d,
                                                      int r);

/// Z_j = s_j r_j with independent Rademacher signs r_j = +-1.
std::unique_ptr<NoiseModel> make_rademacher_noise(const Vec& scales);

/// Z = s(x) (a_K - sum_k q_k a_k): atom a_k (column k of `atoms`) with
/// probability q_k, centred, times the scalar s(x) (1 when `scale` is null).
std::unique_ptr<NoiseModel> make_discrete_noise(const Mat& atoms, const Vec& probabilities,
                                                std::shared_ptr<const Field> scale);

class System;
/// Minibatch noise of a finite-sum loss f = (1/n) sum f_i (the system must
/// expose finite_sum()). One step uses the mean gradient over a batch I of
/// size B, so Z = -(mean_{i in I} grad f_i - grad f): the update
/// x - eta mean_I grad f_i equals x + eta (b + Z). With replacement the
/// B indices are i.i.d. uniform; without, I is a uniform B-subset. Sampling
/// draws indices (O(B d) a step, never O(n)). Lambda is exact: B Lambda_1(p/B)
/// with replacement; without, a sum over the C(n, B) subsets, enumerated on
/// first use when there are at most `max_subsets` of them and refused beyond
/// (a config error saying so) unless `gaussian_lambda` asks for the normal
/// approximation p^T Sigma p / 2 with the exact finite-population Sigma.
struct MinibatchOptions {
  int batch = 1;
  bool replacement = true;
  bool gaussian_lambda = false;
  long long max_subsets = 10000;
};
std::unique_ptr<NoiseModel> make_minibatch_noise(std::shared_ptr<const System> system,
                                                 const MinibatchOptions& options);
std::unique_ptr<NoiseModel> make_minibatch_noise(std::shared_ptr<const System> system, int batch,
                                                 bool replacement,
                                                 long long max_subsets = 10000);

/// A mixture of Gaussians N(m_k, S_k) with weights softmax(logits(x)),
/// centred by the mixture mean. `logits` null means equal weights.
std::unique_ptr<NoiseModel> make_mixture_noise(std::vector<Vec> means, std::vector<Mat> covs,
                                               std::shared_ptr<const Field> logits);

/// Markov-modulated noise from a finite chain with kernel P_x (`kernel`:
/// x -> K x K row-major, rows summing to 1) and increments h(x, y)
/// (`increments`: x -> K x d row-major, row y is h(x, y)). The chain moves
/// first, then Z = h(x, Y_{n+1}) - b(x) with b(x) = sum_y pi_x(y) h(x, y).
class MarkovNoise;
std::shared_ptr<MarkovNoise> make_markov_noise(std::shared_ptr<const Field> kernel,
                                               std::shared_ptr<const Field> increments, int d);

}  // namespace fw::model
