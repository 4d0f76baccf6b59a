// solvers/train/options.hpp — what `fwkit train` trains and watches.
//
// Training: theta_{n+1} = theta_n - h_n g_n with h_n from a StepSchedule
// (constant by default; Robbins–Monro decreasing steps with gamma > 0) and
//   sgd  g_n = gradient of the loss of a fresh minibatch: `batch` draws of
//        (training point i, level k, z ~ N(0, I)), x = alpha_k x_i + sigma_k z;
//   gd   g_n = gradient of the full-batch loss over the fixed design (every
//        training point x every level x `design_draws` noise draws).
// With `self_consuming` = rho > 0 each minibatch draw takes its x_0 from the
// current model's own samples with probability rho instead of the training
// set: the data law then depends on theta (the paper's Markov noise, kernel
// P_theta). The gradient can be replaced by the appendix's estimators from
// loss values only (two-point SPSA, one-point), on the same minibatch.
//
// Monitoring every `stride` steps (and at step 0): `samples` points generated
// by the current model with fixed sampler noise (common random numbers over
// training time and members), the memorization fraction (share of samples
// within `radius` of a training point), the mean distance to the nearest
// training point, the full-batch loss and excess risk over the design, and
// optionally the sharpness (top Hessian eigenvalue of the full-batch loss).
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "diffusion.hpp"
#include "score_net.hpp"
#include "sim/options.hpp"

namespace fw::train {

enum class Optimizer { kSgd, kGd };
enum class Gradient {
  kBackprop,  // the exact minibatch gradient
  kSpsa,      // (L(th + delta u) - L(th - delta u)) / (2 delta) u, u Rademacher
  kOnePoint,  // (P / delta) L(th + delta u) u, u uniform on the unit sphere of the P trained entries
};
const char* to_string(Optimizer o);
const char* to_string(Gradient g);

/// How the K training levels are spaced.
enum class Spacing {
  kGeometricTime,  // t geometric from t_min to t_max
  kEdm,            // EDM-spaced s_k = sigma_k / alpha_k from sigma_min to sigma_max (exponent rho)
};

struct Options {
  int width = 64;                // hidden units H
  bool random_features = false;  // freeze the first layer
  Spacing spacing = Spacing::kGeometricTime;
  double t_min = 1e-3, t_max = 5;  // noise levels: geometric in t
  double sigma_min = 0.002, sigma_max = 80, rho = 7;  // or EDM-spaced
  int levels = 20;

  Optimizer optimizer = Optimizer::kSgd;
  Gradient gradient = Gradient::kBackprop;
  double delta = 1e-3;           // perturbation radius of the estimators
  sim::StepSchedule step;        // eta, gamma, n0
  int batch = 64;
  std::int64_t steps = 10000;
  double self_consuming = 0;     // rho in [0, 1)
  int design_draws = 16;         // noise draws per point and level in the design

  std::int64_t stride = 100;     // monitor every stride steps
  int samples = 256;             // generated samples per monitor
  Sampler sampler = Sampler::kAncestral;
  /// Denoised estimates in the sampler are clipped to [-clip, clip]
  /// (infinity: off). Self-consuming training needs it while the model is
  /// still untrained.
  double clip = std::numeric_limits<double>::infinity();
  double radius = 0.05;          // memorization radius
  bool sharpness = false;        // power iteration at every monitor
  int power_iterations = 20;
  double window = 0.5;           // summaries average the last `window` of monitors
  double bound = 1e8;            // |theta|_inf beyond this (or a non-finite loss) flags divergence

  /// With a validation split: the denoising gap at every level and every
  /// monitor (`gap_draws` fixed noise draws per point), and at the last
  /// monitor inference distances at the levels nearest `inference_stops`
  /// (sampling by the probability flow from the monitors' start noise).
  int gap_draws = 4;
  std::vector<double> inference_stops;

  std::int64_t members = 4;      // independent training runs (seeds)
  std::uint64_t seed = 1;
  int threads = 0;               // 0: OpenMP's default

  /// Throws a config Error (exit 78) naming the field, the value and the rule.
  void validate() const;
  std::int64_t monitors() const { return steps / stride + 1; }
  Schedule schedule() const {
    return spacing == Spacing::kEdm ? Schedule::edm(sigma_min, sigma_max, levels, rho) : Schedule::geometric(t_min, t_max, levels);
  }
};

}  // namespace fw::train
