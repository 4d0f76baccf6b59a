#include "fwkit/model/noise_markov.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "fwkit/core/error.hpp"
#include "fwkit/rng/block.hpp"

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

/// Solves the K x K system a x = rhs in place (a row-major, overwritten) by
/// Gaussian elimination with partial pivoting; false if a pivot is below
/// 1e-12 of the largest entry.
bool solve_small(double* a, double* rhs, int k) {
  double scale = 0;
  for (int e = 0; e < k * k; ++e) scale = std::max(scale, std::abs(a[e]));
  for (int c = 0; c < k; ++c) {
    int best = c;
    for (int r = c + 1; r < k; ++r)
      if (std::abs(a[r * k + c]) > std::abs(a[best * k + c])) best = r;
    // A pivot at rounding level: (nearly) reducible chain, let the caller decide.
    if (!(std::abs(a[best * k + c]) > 1e-12 * scale)) return false;
    if (best != c) {
      for (int e = 0; e < k; ++e) std::swap(a[c * k + e], a[best * k + e]);
      std::swap(rhs[c], rhs[best]);
    }
    for (int r = c + 1; r < k; ++r) {
      const double f = a[r * k + c] / a[c * k + c];
      for (int e = c; e < k; ++e) a[r * k + e] -= f * a[c * k + e];
      rhs[r] -= f * rhs[c];
    }
  }
  for (int c = k - 1; c >= 0; --c) {
    for (int e = c + 1; e < k; ++e) rhs[c] -= a[c * k + e] * rhs[e];
    rhs[c] /= a[c * k + c];
  }
  return true;
}

/// The index drawn from `probs` (stride apart) by inversion of u.
int draw_state(const double* probs, std::size_t stride, int k, double u) {
  double acc = 0;
  for (int y = 0; y + 1 < k; ++y) {
    acc += probs[static_cast<std::size_t>(y) * stride];
    if (u < acc) return y;
  }
  return k - 1;
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
    if (!(p.row(i).array() >= 0).all() || !(std::abs(s - 1) <= 1e-9)) {  // NaN fails both
      std::ostringstream msg;
      msg << "markov noise: row " << i << " of the kernel (model.noise.kernel) at x = (" << x.transpose()
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

// Scratch layout of step_chains for L lanes, K states, d coordinates:
// P(y, y') of lane j at (y K + y') L + j, then h_c(x, y) at (y d + c) L + j,
// two uniforms per lane, the average sum_y pi(y) h_c(x, y) at c L + j, and
// one lane's K x K system and pi.
void MarkovNoise::step_chains(const BlockDraw& draw, BlockScratch& scratch, bool average) const {
  if (!draw.chain) throw Error(ExitCode::kSoftware, "markov noise: sample_block() needs the chain states");
  const std::size_t L = static_cast<std::size_t>(draw.lanes), K = static_cast<std::size_t>(k_), d = static_cast<std::size_t>(d_);
  scratch.real.resize((K * K + K * d + 2 + d) * L + K * K + K);
  double* p = scratch.real.data();
  double* h = p + K * K * L;
  double* u = h + K * d * L;
  double* mean = u + 2 * L;
  double* a = mean + d * L;
  double* pi = a + K * K;
  kernel_->eval_batch(draw.x, p, L, scratch.tape, scratch.slots);
  increments_->eval_batch(draw.x, h, L, scratch.tape, scratch.slots);
  rng::uniform_block(draw.seed, draw.first_member, draw.lanes, draw.step, 2, u);
  for (std::size_t j = 0; j < L; ++j) {
    if (draw.alive && !draw.alive[j]) continue;
    auto state_of_lane = [&] {
      Vec xj(d_);
      for (std::size_t c = 0; c < d; ++c) xj[static_cast<Eigen::Index>(c)] = draw.x[c * L + j];
      return xj;
    };
    bool valid = true;
    for (std::size_t r = 0; r < K; ++r) {
      double row = 0;
      for (std::size_t c = 0; c < K; ++c) {
        const double prc = p[(r * K + c) * L + j];
        valid = valid && prc >= 0;
        row += prc;
      }
      valid = valid && std::abs(row - 1) <= 1e-9;
    }
    if (!valid) kernel(state_of_lane());  // throws the data error naming the row and the state
    int& state = draw.chain[j];
    const bool start = state < 0 || state >= k_;
    if (average || start) {
      // pi (I - P + 1 1^T) = 1^T, solved transposed.
      for (std::size_t r = 0; r < K; ++r)
        for (std::size_t c = 0; c < K; ++c) a[c * K + r] = (r == c ? 1.0 : 0.0) - p[(r * K + c) * L + j] + 1.0;
      std::fill(pi, pi + K, 1.0);
      if (!solve_small(a, pi, k_)) {
        const Vec st = stationary(state_of_lane());
        std::copy(st.data(), st.data() + k_, pi);
      }
      for (std::size_t c = 0; c < d; ++c) {
        double b = 0;
        for (std::size_t y = 0; y < K; ++y) b += pi[y] * h[(y * d + c) * L + j];
        mean[c * L + j] = b;
      }
    }
    if (start) state = draw_state(pi, 1, k_, u[j]);
    state = draw_state(p + static_cast<std::size_t>(state) * K * L + j, L, k_, u[L + j]);
  }
}

void MarkovNoise::sample_block(const BlockDraw& draw, double* z, BlockScratch& scratch) const {
  step_chains(draw, scratch, true);
  const std::size_t L = static_cast<std::size_t>(draw.lanes), K = static_cast<std::size_t>(k_), d = static_cast<std::size_t>(d_);
  const double* h = scratch.real.data() + K * K * L;
  const double* mean = h + K * d * L + 2 * L;
  for (std::size_t j = 0; j < L; ++j) {
    if (draw.alive && !draw.alive[j]) continue;
    const std::size_t y = static_cast<std::size_t>(draw.chain[j]);
    for (std::size_t c = 0; c < d; ++c) z[c * L + j] = h[(y * d + c) * L + j] - mean[c * L + j];
  }
}

bool MarkovNoise::estimates_drift(const System& system) const {
  const auto* avg = dynamic_cast<const MarkovAverageSystem*>(&system);
  return avg != nullptr && &avg->noise() == this;
}

void MarkovNoise::sample_drift_block(const BlockDraw& draw, double* direction, BlockScratch& scratch) const {
  step_chains(draw, scratch, false);
  const std::size_t L = static_cast<std::size_t>(draw.lanes), K = static_cast<std::size_t>(k_), d = static_cast<std::size_t>(d_);
  const double* h = scratch.real.data() + K * K * L;
  for (std::size_t j = 0; j < L; ++j) {
    if (draw.alive && !draw.alive[j]) continue;
    const std::size_t y = static_cast<std::size_t>(draw.chain[j]);
    for (std::size_t c = 0; c < d; ++c) direction[c * L + j] = h[(y * d + c) * L + j];
  }
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
