#include "fwkit/model/noise_markov.hpp"

#include <cmath>
#include <sstream>

#include "fwkit/core/error.hpp"

namespace fw::model {
namespace {

using RowMat = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

/// Perron root rho, right vector r and left vector l (l^T r = 1) of a
/// non-negative irreducible matrix.
struct Perron {
  double rho;
  Vec r, l;
};

Perron perron(const Mat& m) {
  auto dominant = [](const Mat& a) {
    Eigen::EigenSolver<Mat> es(a);
    Eigen::Index best = 0;
    for (Eigen::Index i = 1; i < a.rows(); ++i)
      if (es.eigenvalues()[i].real() > es.eigenvalues()[best].real()) best = i;
    Vec v = es.eigenvectors().col(best).real();
    if (v.sum() < 0) v = -v;
    return std::pair<double, Vec>{es.eigenvalues()[best].real(), v};
  };
  auto [rho, r] = dominant(m);
  Vec l = dominant(m.transpose()).second;
  l /= l.dot(r);
  return {rho, r, l};
}

}  // namespace

MarkovNoise::MarkovNoise(std::shared_ptr<const Field> kernel, std::shared_ptr<const Field> incr,
                         int d)
    : kernel_(std::move(kernel)), increments_(std::move(incr)), d_(d) {
  const int kk = kernel_->out_dim();
  k_ = static_cast<int>(std::lround(std::sqrt(static_cast<double>(kk))));
  if (k_ < 1 || k_ * k_ != kk || kernel_->in_dim() != d)
    throw config_error("markov noise: the kernel must be a square matrix of functions of the " +
                       std::to_string(d) + " state variables");
  if (increments_->in_dim() != d || increments_->out_dim() != k_ * d)
    throw config_error("markov noise: increments need one row of " + std::to_string(d) +
                       " expressions per chain state (" + std::to_string(k_) + " states)");
}

Mat MarkovNoise::kernel(const Vec& x) const {
  RowMat p(k_, k_);
  kernel_->eval(x.data(), p.data());
  for (int i = 0; i < k_; ++i) {
    const double s = p.row(i).sum();
    if ((p.row(i).array() < 0).any() || std::abs(s - 1) > 1e-9) {
      std::ostringstream msg;
      msg << "markov noise: row " << i << " of the kernel at x = (" << x.transpose()
          << ") is not a probability vector (entries " << p.row(i) << ", sum " << s << ")";
      throw data_error(msg.str());
    }
  }
  return p;
}

Mat MarkovNoise::increments(const Vec& x) const {
  RowMat h(k_, d_);
  increments_->eval(x.data(), h.data());
  return h.transpose();
}

Vec MarkovNoise::stationary(const Vec& x) const {
  // pi (I - P + 1 1^T) = 1^T has the stationary law as its unique solution.
  const Mat p = kernel(x);
  const Mat a = Mat::Identity(k_, k_) - p + Mat::Ones(k_, k_);
  return a.transpose().fullPivLu().solve(Vec::Ones(k_));
}

Vec MarkovNoise::averaged_drift(const Vec& x) const { return increments(x) * stationary(x); }

Mat MarkovNoise::averaged_jacobian(const Vec& x) const {
  const Mat p = kernel(x);
  const Vec pi = stationary(x);
  const Mat h = increments(x);
  const Mat z = (Mat::Identity(k_, k_) - p + Vec::Ones(k_) * pi.transpose()).inverse();
  Mat dk(k_ * k_, d_), dh(k_ * d_, d_);
  kernel_->jacobian(x.data(), dk.data());
  increments_->jacobian(x.data(), dh.data());
  Mat jac(d_, d_);
  for (int j = 0; j < d_; ++j) {
    RowMat dp(k_, k_), dhj(k_, d_);
    for (int e = 0; e < k_ * k_; ++e) dp.data()[e] = dk(e, j);
    for (int e = 0; e < k_ * d_; ++e) dhj.data()[e] = dh(e, j);
    const Vec dpi = (pi.transpose() * Mat(dp) * z).transpose();
    jac.col(j) = h * dpi + Mat(dhj).transpose() * pi;
  }
  return jac;
}

void MarkovNoise::sample(const double* x, rng::Stream& rng, double* z, int* chain_state) const {
  if (!chain_state) throw Error(ExitCode::kSoftware, "markov noise: sample() needs a chain state");
  const Vec xv = Eigen::Map<const Vec>(x, d_);
  const Mat p = kernel(xv);
  const Vec pi = stationary(xv);
  auto draw = [&](const auto& probs) {
    double u = rng.uniform(), acc = 0;
    for (int j = 0; j + 1 < k_; ++j) {
      acc += probs[j];
      if (u < acc) return j;
    }
    return k_ - 1;
  };
  if (*chain_state < 0 || *chain_state >= k_) *chain_state = draw(pi);
  *chain_state = draw(p.row(*chain_state));
  const Mat h = increments(xv);
  Eigen::Map<Vec>(z, d_) = h.col(*chain_state) - h * pi;
}

void MarkovNoise::log_mgf(const Vec& x, const Vec& p, const MgfRequest& out) const {
  const Mat kern = kernel(x);
  const Mat h = increments(x);  // d x K
  const Vec b = h * stationary(x);
  const Vec a = h.transpose() * p;  // exponent per target state
  const double amax = a.maxCoeff();
  const Vec e = (a.array() - amax).exp().matrix();
  const Mat m = kern * e.asDiagonal();  // scaled tilted kernel
  const Perron pf = perron(m);
  if (out.value) *out.value = amax + std::log(pf.rho) - p.dot(b);
  if (!out.grad && !out.hess) return;
  // First-order perturbation: rho_i = l^T M_i r, M_i = M diag(h_i).
  Vec rho1(d_);
  for (int i = 0; i < d_; ++i) rho1[i] = pf.l.dot(m * h.row(i).transpose().cwiseProduct(pf.r));
  if (out.grad) *out.grad = rho1 / pf.rho - b;
  if (out.hess) {
    // rho_ij = l^T M_ij r + l^T M_i S M_j r + l^T M_j S M_i r, with the reduced
    // resolvent S = (rho I - M + r l^T)^{-1} - r l^T.
    const Mat rl = pf.r * pf.l.transpose();
    const Mat s = (pf.rho * Mat::Identity(k_, k_) - m + rl).inverse() - rl;
    Mat hess(d_, d_);
    std::vector<Mat> mi(d_);
    for (int i = 0; i < d_; ++i) mi[i] = m * h.row(i).transpose().asDiagonal();
    for (int i = 0; i < d_; ++i)
      for (int j = 0; j <= i; ++j) {
        const Vec hij = h.row(i).transpose().cwiseProduct(h.row(j).transpose());
        const double rho2 = pf.l.dot(m * hij.cwiseProduct(pf.r)) +
                            pf.l.dot(mi[i] * s * mi[j] * pf.r) + pf.l.dot(mi[j] * s * mi[i] * pf.r);
        hess(i, j) = hess(j, i) = rho2 / pf.rho - rho1[i] * rho1[j] / (pf.rho * pf.rho);
      }
    *out.hess = hess;
  }
}

Mat MarkovNoise::covariance(const Vec& x) const {
  Mat hess;
  log_mgf(x, Vec::Zero(d_), MgfRequest{nullptr, nullptr, &hess});
  return hess;
}

void MarkovAverageSystem::drift(const double* x, double* b) const {
  Eigen::Map<Vec>(b, dim()) = noise_->averaged_drift(Eigen::Map<const Vec>(x, dim()));
}

void MarkovAverageSystem::jacobian(const double* x, double* jac) const {
  Eigen::Map<Mat>(jac, dim(), dim()) = noise_->averaged_jacobian(Eigen::Map<const Vec>(x, dim()));
}

std::shared_ptr<MarkovNoise> make_markov_noise(std::shared_ptr<const Field> kernel,
                                               std::shared_ptr<const Field> increments, int d) {
  return std::make_shared<MarkovNoise>(std::move(kernel), std::move(increments), d);
}

}  // namespace fw::model
