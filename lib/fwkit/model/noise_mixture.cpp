// Gaussian mixture noise with state-dependent weights.
#include <algorithm>
#include <cmath>

#include "fwkit/core/error.hpp"
#include "fwkit/model/field.hpp"
#include "fwkit/model/noise.hpp"
#include "fwkit/rng/block.hpp"

namespace fw::model {
namespace {

/// v[i stride] <- softmax of the K logits v[0], v[stride], ..., shifted by
/// their maximum.
void softmax_in_place(double* v, std::size_t k, std::size_t stride) {
  double top = v[0];
  for (std::size_t i = 1; i < k; ++i) top = std::max(top, v[i * stride]);
  double total = 0;
  for (std::size_t i = 0; i < k; ++i) total += (v[i * stride] = std::exp(v[i * stride] - top));
  for (std::size_t i = 0; i < k; ++i) v[i * stride] /= total;
}

class MixtureNoise final : public NoiseModel {
 public:
  MixtureNoise(std::vector<Vec> means, std::vector<Mat> covs, std::shared_ptr<const Field> logits)
      : means_(std::move(means)), covs_(std::move(covs)), logits_(std::move(logits)) {
    const std::size_t k = means_.size();
    if (k < 1 || covs_.size() != k)
      throw config_error("mixture noise: need one covariance per component mean (" +
                         std::to_string(k) + " means, " + std::to_string(covs_.size()) +
                         " covariances)");
    const auto d = means_[0].size();
    for (std::size_t i = 0; i < k; ++i) {
      if (means_[i].size() != d || covs_[i].rows() != d || covs_[i].cols() != d)
        throw config_error("mixture noise: component " + std::to_string(i) +
                           " has the wrong dimension (expected " + std::to_string(d) + ")");
      Eigen::SelfAdjointEigenSolver<Mat> eig(covs_[i]);
      if (eig.eigenvalues().minCoeff() < -1e-12)
        throw config_error("mixture noise: covariance of component " + std::to_string(i) +
                           " must be positive semi-definite");
      factors_.push_back(eig.eigenvectors() *
                         eig.eigenvalues().cwiseMax(0.0).cwiseSqrt().asDiagonal());
    }
    if (logits_ && (logits_->in_dim() != d || logits_->out_dim() != static_cast<int>(k)))
      throw config_error("mixture noise: weights need one logit expression per component");
  }
  int dim() const override { return static_cast<int>(means_[0].size()); }
  std::string kind() const override { return "mixture"; }

  void sample(const double* x, rng::Stream& rng, double* z, int*) const override {
    const Vec w = weights(x);
    double u = rng.uniform(), acc = 0;
    std::size_t k = 0;
    for (; k + 1 < means_.size(); ++k) {
      acc += w[static_cast<Eigen::Index>(k)];
      if (u < acc) break;
    }
    Vec n(dim());
    for (int j = 0; j < dim(); ++j) n[j] = rng.normal();
    Eigen::Map<Vec>(z, dim()) = means_[k] + factors_[k] * n - mean(w);
  }

  void sample_block(const BlockDraw& draw, double* z, BlockScratch& scratch) const override {
    // Weights of every lane (the logits over the block, a softmax per lane),
    // the component by one uniform, then d lane-parallel normals.
    const std::size_t L = static_cast<std::size_t>(draw.lanes), K = means_.size(), d = static_cast<std::size_t>(dim());
    scratch.real.resize((K + 1 + d) * L);
    scratch.index.resize(L);
    double* w = scratch.real.data();
    double* u = w + K * L;
    double* normals = u + L;
    int* comp = scratch.index.data();
    if (logits_) {
      logits_->eval_batch(draw.x, w, L, scratch.tape, scratch.slots);
      for (std::size_t j = 0; j < L; ++j) softmax_in_place(w + j, K, L);
    } else {
      std::fill(w, w + K * L, 1.0 / static_cast<double>(K));
    }
    rng::uniform_block(draw.seed, draw.first_member, draw.lanes, draw.step, 1, u);
    rng::normal_block(draw.seed, draw.first_member, draw.lanes, draw.step, dim(), normals);
    for (std::size_t j = 0; j < L; ++j) {
      std::size_t k = 0;
      for (double acc = 0; k + 1 < K; ++k) {
        acc += w[k * L + j];
        if (u[j] < acc) break;
      }
      comp[j] = static_cast<int>(k);
    }
    for (std::size_t c = 0; c < d; ++c) {
      double* zc = z + c * L;
      for (std::size_t j = 0; j < L; ++j) {
        const std::size_t k = static_cast<std::size_t>(comp[j]);
        double v = means_[k][static_cast<Eigen::Index>(c)];
        for (std::size_t l = 0; l < d; ++l) v += factors_[k](static_cast<Eigen::Index>(c), static_cast<Eigen::Index>(l)) * normals[l * L + j];
        for (std::size_t q = 0; q < K; ++q) v -= w[q * L + j] * means_[q][static_cast<Eigen::Index>(c)];
        zc[j] = v;
      }
    }
  }

  Mat covariance(const Vec& x) const override {
    const Vec w = weights(x.data());
    const Vec m = mean(w);
    Mat c = Mat::Zero(dim(), dim());
    for (std::size_t k = 0; k < means_.size(); ++k) {
      const Vec dm = means_[k] - m;
      c += w[static_cast<Eigen::Index>(k)] * (covs_[k] + dm * dm.transpose());
    }
    return c;
  }

  // Lambda = log sum_k w_k exp(a_k) - <p, mbar>, a_k = <p, m_k> + p^T S_k p / 2.
  // grad = E_q[m_k + S_k p] - mbar, Hess = E_q[S_k] + Cov_q[m_k + S_k p].
  void log_mgf(const Vec& x, const Vec& p, const MgfRequest& out) const override {
    const Vec w = weights(x.data());
    const Vec mbar = mean(w);
    const auto k = static_cast<Eigen::Index>(means_.size());
    Vec a(k);
    std::vector<Vec> v(means_.size());
    for (Eigen::Index i = 0; i < k; ++i) {
      v[i] = means_[i] + covs_[i] * p;
      a[i] = std::log(w[i]) + p.dot(means_[i]) + 0.5 * p.dot(covs_[i] * p);
    }
    const double amax = a.maxCoeff();
    Vec q = (a.array() - amax).exp().matrix();
    const double total = q.sum();
    q /= total;
    if (out.value) *out.value = amax + std::log(total) - p.dot(mbar);
    Vec ev = Vec::Zero(dim());
    for (Eigen::Index i = 0; i < k; ++i) ev += q[i] * v[i];
    if (out.grad) *out.grad = ev - mbar;
    if (out.hess) {
      Mat h = Mat::Zero(dim(), dim());
      for (Eigen::Index i = 0; i < k; ++i) {
        const Vec dv = v[i] - ev;
        h += q[i] * (covs_[i] + dv * dv.transpose());
      }
      *out.hess = h;
    }
  }

 private:
  Vec weights(const double* x) const {
    const auto k = static_cast<Eigen::Index>(means_.size());
    if (!logits_) return Vec::Constant(k, 1.0 / static_cast<double>(k));
    Vec l(k);
    logits_->eval(x, l.data());
    softmax_in_place(l.data(), static_cast<std::size_t>(k), 1);
    return l;
  }
  Vec mean(const Vec& w) const {
    Vec m = Vec::Zero(dim());
    for (std::size_t k = 0; k < means_.size(); ++k) m += w[static_cast<Eigen::Index>(k)] * means_[k];
    return m;
  }
  std::vector<Vec> means_;
  std::vector<Mat> covs_;
  std::vector<Mat> factors_;
  std::shared_ptr<const Field> logits_;
};

}  // namespace

std::unique_ptr<NoiseModel> make_mixture_noise(std::vector<Vec> means, std::vector<Mat> covs,
                                               std::shared_ptr<const Field> logits) {
  return std::make_unique<MixtureNoise>(std::move(means), std::move(covs), std::move(logits));
}

}  // namespace fw::model
