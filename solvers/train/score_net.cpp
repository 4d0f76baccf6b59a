#include "score_net.hpp"

#include <cmath>

#include "fwkit/core/error.hpp"

namespace fw::train {

using CMap = Eigen::Map<const Mat>;
using CVMap = Eigen::Map<const Vec>;
using MMap = Eigen::Map<Mat>;
using MVMap = Eigen::Map<Vec>;

struct ScoreNet::Views {
  CMap w1x, w1e;
  CVMap b1;
  CMap w2;
  CVMap b2;
};

ScoreNet::ScoreNet(NetShape shape) : shape_(shape) {
  if (shape.dim < 1 || shape.levels < 1 || shape.width < 1)
    throw Error(ExitCode::kData, "ScoreNet: dim, levels and width must be at least 1");
  const Eigen::Index h = shape.width, d = shape.dim, k = shape.levels;
  offset_w1e_ = h * d;
  offset_b1_ = offset_w1e_ + h * k;
  offset_w2_ = offset_b1_ + h;
  offset_b2_ = offset_w2_ + d * h;
  count_ = offset_b2_ + d;
}

ScoreNet::Views ScoreNet::views(const Vec& t) const {
  const Eigen::Index h = shape_.width, d = shape_.dim, k = shape_.levels;
  return {CMap(t.data(), h, d), CMap(t.data() + offset_w1e_, h, k), CVMap(t.data() + offset_b1_, h),
          CMap(t.data() + offset_w2_, d, h), CVMap(t.data() + offset_b2_, d)};
}

Vec ScoreNet::initial_parameters(rng::Stream& rng) const {
  Vec theta = Vec::Zero(count_);
  const double s1 = std::sqrt(2.0 / (shape_.dim + 1)), s2 = std::sqrt(1.0 / shape_.width);
  for (Eigen::Index i = 0; i < offset_b1_; ++i) theta[i] = s1 * rng.normal();
  for (Eigen::Index i = offset_w2_; i < offset_b2_; ++i) theta[i] = s2 * rng.normal();
  return theta;
}

namespace {

/// Pre-activations a = W1x x + W1e e_k + b1 for every column.
void first_layer(const CMap& w1x, const CMap& w1e, const CVMap& b1, const Batch& batch, Mat& a) {
  a.noalias() = w1x * batch.x;
  for (Eigen::Index b = 0; b < a.cols(); ++b) a.col(b) += w1e.col(batch.level[static_cast<std::size_t>(b)]) + b1;
}

/// Accumulates the first-layer parameter gradient for the pre-activation
/// gradient ga into out (blocks W1x, W1e, b1 in theta order).
void first_layer_gradient(const Mat& ga, const Batch& batch, Eigen::Index h, Eigen::Index d, Eigen::Index k,
                          double* out) {
  MMap(out, h, d).noalias() = ga * batch.x.transpose();
  MMap gw1e(out + h * d, h, k);
  gw1e.setZero();
  for (Eigen::Index b = 0; b < ga.cols(); ++b) gw1e.col(batch.level[static_cast<std::size_t>(b)]) += ga.col(b);
  MVMap(out + h * d + h * k, h) = ga.rowwise().sum();
}

}  // namespace

void ScoreNet::predict(const Vec& theta, const Batch& batch, Mat& eps, Workspace& ws) const {
  const Views v = views(theta);
  first_layer(v.w1x, v.w1e, v.b1, batch, ws.a);
  ws.hidden = ws.a.cwiseMax(0.0);
  eps.noalias() = v.w2 * ws.hidden;
  eps.colwise() += v.b2;
}

double ScoreNet::loss(const Vec& theta, const Batch& batch, Vec* gradient, Workspace& ws) const {
  const Views v = views(theta);
  const double inv_b = 1.0 / static_cast<double>(batch.size());
  predict(theta, batch, ws.residual, ws);
  ws.residual -= batch.z;  // eps_hat - z
  const double value = 0.5 * ws.residual.squaredNorm() * inv_b;
  if (!gradient) return value;
  gradient->resize(count_);
  ws.ge = ws.residual * inv_b;  // dL/d eps_hat
  const Eigen::Index h = shape_.width, d = shape_.dim;
  MMap(gradient->data() + offset_w2_, d, h).noalias() = ws.ge * ws.hidden.transpose();
  MVMap(gradient->data() + offset_b2_, d) = ws.ge.rowwise().sum();
  if (shape_.random_features) {
    gradient->head(offset_w2_).setZero();
    return value;
  }
  ws.ga.noalias() = v.w2.transpose() * ws.ge;
  ws.ga = ws.ga.cwiseProduct((ws.a.array() > 0).cast<double>().matrix());
  first_layer_gradient(ws.ga, batch, h, d, shape_.levels, gradient->data());
  return value;
}

void ScoreNet::hessian_vector(const Vec& theta, const Batch& batch, const Vec& dir, Vec& hv, Workspace& ws) const {
  const Views v = views(theta);
  const Views r = views(dir);  // R-operator inputs: the direction's blocks
  const double inv_b = 1.0 / static_cast<double>(batch.size());
  const Eigen::Index h = shape_.width, d = shape_.dim;
  predict(theta, batch, ws.residual, ws);
  ws.residual -= batch.z;
  ws.ge = ws.residual * inv_b;
  ws.mask = (ws.a.array() > 0).cast<double>().matrix();
  // Frozen first layer: its direction blocks do not move the model.
  if (shape_.random_features) ws.rhidden.setZero(h, batch.size());
  else {
    first_layer(r.w1x, r.w1e, r.b1, batch, ws.ra);
    ws.rhidden = ws.ra.cwiseProduct(ws.mask);
  }
  ws.rge.noalias() = r.w2 * ws.hidden;
  ws.rge.noalias() += v.w2 * ws.rhidden;
  ws.rge.colwise() += r.b2;
  ws.rge *= inv_b;  // R{dL/d eps_hat}
  hv.resize(count_);
  MMap out_w2(hv.data() + offset_w2_, d, h);
  out_w2.noalias() = ws.rge * ws.hidden.transpose();
  out_w2.noalias() += ws.ge * ws.rhidden.transpose();
  MVMap(hv.data() + offset_b2_, d) = ws.rge.rowwise().sum();
  if (shape_.random_features) {
    hv.head(offset_w2_).setZero();
    return;
  }
  ws.ga.noalias() = r.w2.transpose() * ws.ge;
  ws.ga.noalias() += v.w2.transpose() * ws.rge;
  ws.ga = ws.ga.cwiseProduct(ws.mask);
  first_layer_gradient(ws.ga, batch, h, d, shape_.levels, hv.data());
}

}  // namespace fw::train
