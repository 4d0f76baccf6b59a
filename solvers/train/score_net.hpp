// solvers/train/score_net.hpp — the score model of `fwkit train`: a two-layer
// ReLU network with hand-written forward, backward and Hessian-vector passes.
//
// The network predicts the noise eps_hat(x, k) that was added at noise level
// k (the "eps parametrisation"); the score is s(x, k) = -eps_hat / sigma_k
// and the denoiser E[x_0 | x_k = x] ~ (x - sigma_k eps_hat) / alpha_k.
//
//   a = W1x x + W1e e_k + b1      (H hidden units; e_k one-hot over levels,
//   h = relu(a)                    so W1e holds a learned bias per level)
//   eps_hat = W2 h + b2
//
// Parameters are one flat vector theta = [W1x | W1e | b1 | W2 | b2], each
// block column-major: W1x is H x d, W1e is H x K, W2 is d x H.
// The loss of a batch of (x_b, k_b, z_b) is the denoising score matching loss
// with weight sigma_k^2:  L = (1/B) sum_b (1/2) |eps_hat(x_b, k_b) - z_b|^2.
//
// With `random_features` the first layer (W1x, W1e, b1) is frozen at its
// initial value: the model is a random-feature regression, linear in the
// trained parameters, and the loss is a convex quadratic of them.
#pragma once

#include <cstdint>
#include <vector>

#include "fwkit/core/types.hpp"
#include "fwkit/rng/stream.hpp"

namespace fw::train {

struct NetShape {
  int dim = 1;     // d: data dimension
  int levels = 1;  // K: noise levels (one-hot inputs)
  int width = 64;  // H: hidden units
  bool random_features = false;
};

/// A batch of training inputs: noisy points X (d x B), their levels and, for
/// losses, the noise Z (d x B) that made them.
struct Batch {
  Mat x;
  std::vector<int> level;
  Mat z;
  Eigen::Index size() const { return x.cols(); }
};

/// Scratch matrices reused between calls (one per thread): training makes
/// no allocation per step once they have grown to the batch size.
struct Workspace {
  Mat a, hidden, residual, ge, ga, ra, rhidden, rge, mask;
};

class ScoreNet {
 public:
  explicit ScoreNet(NetShape shape);

  const NetShape& shape() const { return shape_; }
  Eigen::Index parameter_count() const { return count_; }
  /// Entries of theta that training moves (all, or the output layer only
  /// for random features): theta[trainable_begin() ..] .
  Eigen::Index trainable_begin() const { return shape_.random_features ? offset_w2_ : 0; }

  /// He-scaled Gaussian first layer (variance 2 / (d + 1)), zero biases,
  /// output layer with variance 1 / H; drawn from `rng`.
  Vec initial_parameters(rng::Stream& rng) const;

  /// eps_hat for every column of `batch.x` into `eps` (d x B).
  void predict(const Vec& theta, const Batch& batch, Mat& eps, Workspace& ws) const;
  void predict(const Vec& theta, const Batch& batch, Mat& eps) const {
    Workspace ws;
    predict(theta, batch, eps, ws);
  }
  /// The loss L of the batch; if `gradient` is non-null, dL/dtheta into it
  /// (zero on frozen entries).
  double loss(const Vec& theta, const Batch& batch, Vec* gradient, Workspace& ws) const;
  double loss(const Vec& theta, const Batch& batch, Vec* gradient) const {
    Workspace ws;
    return loss(theta, batch, gradient, ws);
  }
  /// The Hessian of L applied to v (Pearlmutter's R-operator on the passes
  /// above; exact wherever no pre-activation is exactly zero). Frozen entries
  /// of v are ignored and of the result set to zero.
  void hessian_vector(const Vec& theta, const Batch& batch, const Vec& v, Vec& hv, Workspace& ws) const;
  void hessian_vector(const Vec& theta, const Batch& batch, const Vec& v, Vec& hv) const {
    Workspace ws;
    hessian_vector(theta, batch, v, hv, ws);
  }

 private:
  struct Views;
  Views views(const Vec& theta) const;
  NetShape shape_;
  Eigen::Index offset_w1e_, offset_b1_, offset_w2_, offset_b2_, count_;
};

}  // namespace fw::train
