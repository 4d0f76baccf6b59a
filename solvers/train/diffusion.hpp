// solvers/train/diffusion.hpp — the classical diffusion model (the paper's
// section 2.1): forward Ornstein–Uhlenbeck noising and reverse-time sampling.
//
// Forward process dX = -X dt + sqrt(2) dW (stationary law N(0, I)), so
//   X_t | X_0 = x0  ~  N(alpha_t x0, sigma_t^2 I),
//   alpha_t = exp(-t),  sigma_t^2 = 1 - exp(-2 t).
// Training uses K noise levels t_1 < ... < t_K. A model predicts the noise
// eps_hat(x, k); its score is -eps_hat / sigma_k.
//
// For a finite training set {x_i} the marginal at level k is the mixture
// p_k = (1/n) sum_i N(alpha_k x_i, sigma_k^2 I); its score, the minimiser of
// the denoising score matching loss (the "empirical-optimal score"), is
//   grad log p_k(x) = (alpha_k sum_i w_i(x) x_i - x) / sigma_k^2,
//   w_i = softmax_i( -|x - alpha_k x_i|^2 / (2 sigma_k^2) ),
// i.e. eps*(x, k) = (x - alpha_k sum_i w_i x_i) / sigma_k.
// A model with eps* reproduces the training points exactly as t_1 -> 0:
// it memorizes.
#pragma once

#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "denoiser.hpp"
#include "fwkit/core/types.hpp"

namespace fw::train {

/// The noise levels: times t_k, alpha_k = exp(-t_k), sigma_k.
struct Schedule {
  std::vector<double> t, alpha, sigma;
  int levels() const { return static_cast<int>(t.size()); }
  /// K times spaced geometrically from t_min to t_max (K = 1: t_min only).
  static Schedule geometric(double t_min, double t_max, int levels);
  /// K levels whose variance-exploding noise sigma_k / alpha_k follows the
  /// EDM schedule from sigma_min to sigma_max (denoiser.hpp), ascending:
  /// t_k = log(1 + s_k^2) / 2.
  static Schedule edm(double sigma_min, double sigma_max, int levels, double rho);
  /// The variance-exploding noise s_k = sigma_k / alpha_k of every level: a
  /// state x at level k is x / alpha_k = x_0 + s_k z in EDM coordinates.
  std::vector<double> ve_sigma() const;
};

/// eps*(x, k) for every column of x (d x B) at the given levels; `data` is
/// d x n (one training point per column). Log-sum-exp weights: exact for any
/// sigma_k > 0.
Mat empirical_optimal_eps(const Schedule& schedule, const Mat& data, const Mat& x, const std::vector<int>& level);

/// Reverse-time samplers over the levels, from t_K down to t_1.
enum class Sampler {
  /// DDPM-style ancestral steps: from level k to k-1 draw from the exact
  /// Gaussian posterior q(x_{k-1} | x_k, x0) with x0 replaced by the
  /// model's denoised estimate (x - sigma_k eps_hat) / alpha_k. Exact for any
  /// spacing of the levels when the model is exact and the data a point mass.
  kAncestral,
  /// Euler–Maruyama on the reverse SDE dX = [X + 2 grad log p_t(X)] ds +
  /// sqrt(2) dW in reversed time, with step t_k - t_{k-1}.
  kEulerMaruyama,
  /// The probability-flow ODE in EDM coordinates over the levels' s_k, Heun
  /// steps (deterministic: the start is the only noise used).
  kProbabilityFlow,
};
Sampler parse_sampler(const std::string& name);  // "ancestral", "euler_maruyama", "probability_flow"
const char* to_string(Sampler s);

/// The model: eps_hat for every column of x, all at level k, into eps.
using EpsModel = std::function<void(const Mat& x, int level, Mat& eps)>;

/// The model as an EDM denoiser D(x, s_k) = x - s_k eps_hat(alpha_k x, k)
/// (x in EDM coordinates). `descending`: the Denoiser's level argument counts
/// from the top level down (grid index i is level K - 1 - i), as for a
/// sampler's grid; otherwise it is the level k itself.
Denoiser denoiser_of(const Schedule& schedule, const EpsModel& model, bool descending);

/// The noise a reverse run uses: the start x_K ~ N(0, I) (d x M) and one
/// standard normal d x M block per step (K - 1 of them). Fixing it gives
/// common random numbers across models and training steps.
struct SamplerNoise {
  Mat start;
  std::vector<Mat> steps;
};

/// Runs the reverse sampler and returns the generated points (d x M): the
/// denoised estimate (x - sigma_1 eps_hat) / alpha_1 at the last level.
/// Denoised estimates are clipped to [-clip, clip] in every coordinate (the
/// usual DDPM safeguard: an untrained model divided by a small alpha_K can
/// otherwise throw samples arbitrarily far); infinity turns it off.
Mat generate(const Schedule& schedule, Sampler sampler, const EpsModel& model, const SamplerNoise& noise,
             double clip = std::numeric_limits<double>::infinity());

}  // namespace fw::train
