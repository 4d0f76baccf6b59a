// Gaussian (constant and state-dependent) and Rademacher noise, and the
// NoiseModel defaults.
#include <cmath>

#include "fwkit/core/error.hpp"
#include "fwkit/core/vector_clones.hpp"
#include "fwkit/model/field.hpp"
#include "fwkit/model/noise.hpp"
#include "fwkit/rng/block.hpp"

namespace fw::model {

double NoiseModel::log_mgf(const Vec& x, const Vec& p) const {
  double v = 0;
  log_mgf(x, p, MgfRequest{&v, nullptr, nullptr});
  return v;
}

void NoiseModel::sample_block(const BlockDraw& draw, double* z, BlockScratch& scratch) const {
  const int d = dim(), L = draw.lanes;
  scratch.real.resize(2 * static_cast<std::size_t>(d));
  double* point = scratch.real.data();
  double* one = point + d;
  for (int j = 0; j < L; ++j) {
    if (draw.alive && !draw.alive[j]) continue;
    rng::Stream rng(draw.seed, static_cast<std::uint64_t>(draw.first_member + j));
    rng.seek(draw.step);
    for (int k = 0; k < d; ++k) point[k] = draw.x[static_cast<std::size_t>(k) * L + j];
    sample(point, rng, one, draw.chain ? draw.chain + j : nullptr);
    for (int k = 0; k < d; ++k) z[static_cast<std::size_t>(k) * L + j] = one[k];
  }
}

void NoiseModel::sample_drift_block(const BlockDraw&, double*, BlockScratch&) const {
  throw Error(ExitCode::kSoftware, "noise kind " + kind() + " gives no estimate of the drift");
}

namespace {
/// The default FrozenLaw: the model's own log_mgf at a kept state.
class KeptState final : public FrozenLaw {
 public:
  KeptState(const NoiseModel& noise, const Vec& x) : noise_(noise), x_(x) {}
  void log_mgf(const Vec& p, const MgfRequest& out) const override { noise_.log_mgf(x_, p, out); }

 private:
  const NoiseModel& noise_;
  Vec x_;
};
}  // namespace

std::unique_ptr<const FrozenLaw> NoiseModel::frozen_at(const Vec& x) const {
  return std::make_unique<KeptState>(*this, x);
}

Vec NoiseModel::grad_x_log_mgf(const Vec& x, const Vec& p) const {
  Vec g(x.size());
  Vec xp = x;
  for (Eigen::Index k = 0; k < x.size(); ++k) {
    const double h = 1e-6 * (1 + std::abs(x[k]));
    xp[k] = x[k] + h;
    const double up = log_mgf(xp, p);
    xp[k] = x[k] - h;
    const double dn = log_mgf(xp, p);
    xp[k] = x[k];
    g[k] = (up - dn) / (2 * h);
  }
  return g;
}

namespace {

class GaussianNoise final : public NoiseModel {
 public:
  explicit GaussianNoise(const Mat& cov) : cov_(cov) {
    if (cov.rows() != cov.cols() || cov.rows() < 1)
      throw config_error("gaussian noise: covariance must be a non-empty square matrix");
    if (!cov.isApprox(cov.transpose(), 1e-12))
      throw config_error("gaussian noise: covariance must be symmetric");
    Eigen::SelfAdjointEigenSolver<Mat> eig(cov);
    if (eig.eigenvalues().minCoeff() < -1e-12 * std::max(1.0, eig.eigenvalues().maxCoeff()))
      throw config_error("gaussian noise: covariance must be positive semi-definite (smallest "
                         "eigenvalue " + std::to_string(eig.eigenvalues().minCoeff()) + ")");
    factor_ = eig.eigenvectors() *
              eig.eigenvalues().cwiseMax(0.0).cwiseSqrt().asDiagonal();
  }
  int dim() const override { return static_cast<int>(cov_.rows()); }
  std::string kind() const override { return "gaussian"; }
  void sample(const double*, rng::Stream& rng, double* z, int*) const override {
    Vec n(dim());
    for (int k = 0; k < dim(); ++k) n[k] = rng.normal();
    Eigen::Map<Vec>(z, dim()) = factor_ * n;
  }
  Mat covariance(const Vec&) const override { return cov_; }
  void log_mgf(const Vec&, const Vec& p, const MgfRequest& out) const override {
    if (out.value) *out.value = 0.5 * p.dot(cov_ * p);
    if (out.grad) *out.grad = cov_ * p;
    if (out.hess) *out.hess = cov_;
  }
  Vec grad_x_log_mgf(const Vec& x, const Vec&) const override { return Vec::Zero(x.size()); }
  bool is_gaussian() const override { return true; }
  bool depends_on_state() const override { return false; }

 private:
  Mat cov_;
  Mat factor_;  // factor_ factor_^T = cov_
};

class StateGaussianNoise final : public NoiseModel {
 public:
  StateGaussianNoise(std::shared_ptr<const Field> sigma, int d, int r)
      : sigma_(std::move(sigma)), d_(d), r_(r) {
    if (sigma_->in_dim() != d || sigma_->out_dim() != d * r)
      throw config_error("gaussian noise: sigma(x) must be a " + std::to_string(d) + " x " +
                         std::to_string(r) + " matrix of functions of the state");
  }
  int dim() const override { return d_; }
  std::string kind() const override { return "gaussian"; }
  void sample(const double* x, rng::Stream& rng, double* z, int*) const override {
    const Mat s = sigma_at(x);
    Vec n(r_);
    for (int k = 0; k < r_; ++k) n[k] = rng.normal();
    Eigen::Map<Vec>(z, d_) = s * n;
  }
  Mat covariance(const Vec& x) const override {
    const Mat s = sigma_at(x.data());
    return s * s.transpose();
  }
  void log_mgf(const Vec& x, const Vec& p, const MgfRequest& out) const override {
    const Mat cov = covariance(x);
    if (out.value) *out.value = 0.5 * p.dot(cov * p);
    if (out.grad) *out.grad = cov * p;
    if (out.hess) *out.hess = cov;
  }
  /// d/dx_k (|sigma^T p|^2 / 2) = (sigma^T p) . (d sigma / d x_k)^T p, exactly.
  Vec grad_x_log_mgf(const Vec& x, const Vec& p) const override {
    const Vec q = sigma_at(x.data()).transpose() * p;
    Mat jac(d_ * r_, d_);
    sigma_->jacobian(x.data(), jac.data());
    Vec g = Vec::Zero(d_);
    for (int k = 0; k < d_; ++k)
      for (int i = 0; i < d_; ++i)
        for (int j = 0; j < r_; ++j) g[k] += p[i] * jac(i * r_ + j, k) * q[j];
    return g;
  }
  bool is_gaussian() const override { return true; }

 private:
  Mat sigma_at(const double* x) const {
    Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> s(d_, r_);
    sigma_->eval(x, s.data());
    return s;
  }
  std::shared_ptr<const Field> sigma_;
  int d_, r_;
};

/// log cosh(t) without overflow.
double log_cosh(double t) {
  const double a = std::abs(t);
  return a + std::log1p(std::exp(-2 * a)) - std::log(2.0);
}

/// z_j = +s where u_j >= 1/2, -s below.
FWKIT_VECTOR_CLONES
void signs(const double* __restrict u, double s, double* __restrict z, std::size_t n) {
  for (std::size_t j = 0; j < n; ++j) z[j] = u[j] >= 0.5 ? s : -s;
}

class RademacherNoise final : public NoiseModel {
 public:
  explicit RademacherNoise(const Vec& scales) : s_(scales) {
    if (s_.size() < 1) throw config_error("rademacher noise: scales must not be empty");
    for (Eigen::Index j = 0; j < s_.size(); ++j)
      if (!(s_[j] >= 0)) throw config_error("rademacher noise: scales must be >= 0");
  }
  int dim() const override { return static_cast<int>(s_.size()); }
  std::string kind() const override { return "rademacher"; }
  void sample(const double*, rng::Stream& rng, double* z, int*) const override {
    for (int j = 0; j < dim(); ++j) z[j] = (rng.bits() >> 63) ? s_[j] : -s_[j];
  }
  void sample_block(const BlockDraw& draw, double* z, BlockScratch& scratch) const override {
    // Coordinate k of every lane: the sign of a lane-parallel uniform.
    const std::size_t L = static_cast<std::size_t>(draw.lanes);
    scratch.real.resize(static_cast<std::size_t>(dim()) * L);
    rng::uniform_block(draw.seed, draw.first_member, draw.lanes, draw.step, dim(), scratch.real.data());
    for (int k = 0; k < dim(); ++k)
      signs(scratch.real.data() + k * L, s_[k], z + k * L, L);
  }
  Mat covariance(const Vec&) const override { return s_.array().square().matrix().asDiagonal(); }
  void log_mgf(const Vec&, const Vec& p, const MgfRequest& out) const override {
    const int d = dim();
    if (out.value) {
      double v = 0;
      for (int j = 0; j < d; ++j) v += log_cosh(s_[j] * p[j]);
      *out.value = v;
    }
    if (out.grad) {
      out.grad->resize(d);
      for (int j = 0; j < d; ++j) (*out.grad)[j] = s_[j] * std::tanh(s_[j] * p[j]);
    }
    if (out.hess) {
      *out.hess = Mat::Zero(d, d);
      for (int j = 0; j < d; ++j) {
        const double t = std::tanh(s_[j] * p[j]);
        (*out.hess)(j, j) = s_[j] * s_[j] * (1 - t * t);
      }
    }
  }
  Vec grad_x_log_mgf(const Vec& x, const Vec&) const override { return Vec::Zero(x.size()); }
  bool is_bounded() const override { return true; }
  bool depends_on_state() const override { return false; }

 private:
  Vec s_;
};

}  // namespace

std::unique_ptr<NoiseModel> make_gaussian_noise(const Mat& covariance) {
  return std::make_unique<GaussianNoise>(covariance);
}

std::unique_ptr<NoiseModel> make_state_gaussian_noise(std::shared_ptr<const Field> sigma, int d,
                                                      int r) {
  return std::make_unique<StateGaussianNoise>(std::move(sigma), d, r);
}

std::unique_ptr<NoiseModel> make_rademacher_noise(const Vec& scales) {
  return std::make_unique<RademacherNoise>(scales);
}

}  // namespace fw::model
