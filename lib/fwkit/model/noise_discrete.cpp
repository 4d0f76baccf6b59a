// Finite-support noise: general discrete atoms with a state-dependent scale,
// and minibatch noise of a finite-sum loss.
#include <algorithm>
#include <cmath>
#include <numeric>

#include "fwkit/core/error.hpp"
#include "fwkit/model/field.hpp"
#include "fwkit/model/noise.hpp"
#include "fwkit/model/system.hpp"
#include "fwkit/model/tilted.hpp"

namespace fw::model {
namespace {

/// Index k with probability q_k (q sums to one), by inversion.
int draw_index(const Vec& cumulative, double u) {
  const auto* begin = cumulative.data();
  const auto* end = begin + cumulative.size();
  const auto* it = std::upper_bound(begin, end, u);
  return static_cast<int>(std::min<std::ptrdiff_t>(it - begin, cumulative.size() - 1));
}

class DiscreteNoise final : public NoiseModel {
 public:
  DiscreteNoise(const Mat& atoms, const Vec& q, std::shared_ptr<const Field> scale)
      : scale_(std::move(scale)) {
    if (atoms.cols() != q.size() || q.size() < 1)
      throw config_error("discrete noise: need as many probabilities as atoms (" +
                         std::to_string(atoms.cols()) + " atoms, " + std::to_string(q.size()) +
                         " probabilities)");
    if ((q.array() < 0).any() || std::abs(q.sum() - 1) > 1e-9)
      throw config_error("discrete noise: probabilities must be >= 0 and sum to 1 (sum " +
                         std::to_string(q.sum()) + ")");
    if (scale_ && (scale_->in_dim() != atoms.rows() || scale_->out_dim() != 1))
      throw config_error("discrete noise: scale must be one expression of the state");
    atoms_ = atoms.colwise() - atoms * q;  // centred
    log_q_ = q.array().log().matrix();
    cumulative_.resize(q.size());
    std::partial_sum(q.data(), q.data() + q.size(), cumulative_.data());
  }
  int dim() const override { return static_cast<int>(atoms_.rows()); }
  std::string kind() const override { return "discrete"; }
  void sample(const double* x, rng::Stream& rng, double* z, int*) const override {
    const int k = draw_index(cumulative_, rng.uniform());
    const double s = scale_at(x);
    for (int j = 0; j < dim(); ++j) z[j] = s * atoms_(j, k);
  }
  Mat covariance(const Vec& x) const override {
    const double s = scale_at(x.data());
    return s * s * atoms_ * log_q_.array().exp().matrix().asDiagonal() * atoms_.transpose();
  }
  void log_mgf(const Vec& x, const Vec& p, const MgfRequest& out) const override {
    // Lambda(p) = Lambda_1(s p): chain rule for the scale.
    const double s = scale_at(x.data());
    tilted_log_mgf(atoms_, log_q_, s * p, out);
    if (out.grad) *out.grad *= s;
    if (out.hess) *out.hess *= s * s;
  }
  bool is_bounded() const override { return true; }

 private:
  double scale_at(const double* x) const {
    if (!scale_) return 1.0;
    double s = 0;
    scale_->eval(x, &s);
    return s;
  }
  Mat atoms_;
  Vec log_q_, cumulative_;
  std::shared_ptr<const Field> scale_;
};

long long binomial(int n, int k, long long cap) {
  long double c = 1;
  for (int i = 1; i <= k; ++i) {
    c = c * (n - k + i) / i;
    if (c > cap) return cap + 1;
  }
  return static_cast<long long>(c + 0.5L);
}

class MinibatchNoise final : public NoiseModel {
 public:
  MinibatchNoise(std::shared_ptr<const System> system, int batch, bool replacement,
                 long long max_subsets)
      : system_(std::move(system)), sum_(system_->finite_sum()), b_(batch),
        replacement_(replacement) {
    if (!sum_)
      throw config_error("model.noise.kind = \"minibatch\": the system must be a finite sum "
                         "(model.system.kind = \"finite_sum\")");
    const int n = sum_->size();
    if (b_ < 1 || (!replacement_ && b_ > n))
      throw config_error("model.noise.batch = " + std::to_string(b_) + ": must be in [1, " +
                         std::to_string(replacement_ ? 1 << 30 : n) + "]");
    if (!replacement_ && b_ > 1 && binomial(n, b_, max_subsets) > max_subsets)
      throw config_error("model.noise.batch = " + std::to_string(b_) +
                         ": sampling without replacement needs C(n, B) <= " +
                         std::to_string(max_subsets) + " subsets for the exact Lambda (n = " +
                         std::to_string(n) + "); use replacement = true");
    if (!replacement_ && b_ > 1) enumerate_subsets();
  }
  int dim() const override { return sum_->dim(); }
  std::string kind() const override { return "minibatch"; }

  void sample(const double* x, rng::Stream& rng, double* z, int*) const override {
    // Stack scratch for the usual sizes: this runs once per member and step.
    constexpr int kStack = 64;
    const int n = sum_->size(), d = dim();
    double g_buf[kStack], acc_buf[kStack], b_buf[kStack];
    int chosen_buf[kStack];
    std::vector<double> heap;
    std::vector<int> heap_chosen;
    double *g = g_buf, *acc = acc_buf, *b = b_buf;
    int* chosen = chosen_buf;
    if (d > kStack) {
      heap.resize(3 * static_cast<std::size_t>(d));
      g = heap.data();
      acc = g + d;
      b = acc + d;
    }
    if (b_ > kStack) {
      heap_chosen.resize(static_cast<std::size_t>(b_));
      chosen = heap_chosen.data();
    }
    int count = 0;
    if (replacement_) {
      for (int k = 0; k < b_; ++k) chosen[count++] = static_cast<int>(rng.below(n));
    } else {  // Floyd's algorithm: a uniform B-subset
      for (int j = n - b_; j < n; ++j) {
        const int t = static_cast<int>(rng.below(j + 1));
        chosen[count] = std::find(chosen, chosen + count, t) == chosen + count ? t : j;
        ++count;
      }
    }
    std::fill(acc, acc + d, 0.0);
    for (int q = 0; q < count; ++q) {
      sum_->component_gradient(chosen[q], x, g);
      for (int k = 0; k < d; ++k) acc[k] += g[k];
    }
    system_->drift(x, b);  // b = -grad f
    for (int k = 0; k < d; ++k) z[k] = -acc[k] / b_ - b[k];
  }

  Mat covariance(const Vec& x) const override {
    const Mat c = centred(x);  // columns -(g_i - gbar)
    const int n = sum_->size();
    const Mat s = c * c.transpose() / n;
    if (replacement_) return s / b_;
    return n > 1 ? Mat(s * (static_cast<double>(n - b_) / ((n - 1.0) * b_))) : Mat(s * 0.0);
  }

  void log_mgf(const Vec& x, const Vec& p, const MgfRequest& out) const override {
    const Mat c = centred(x);
    const int n = sum_->size();
    if (replacement_ || b_ == 1) {
      // Z = mean of B i.i.d. single draws: Lambda(p) = B Lambda_1(p / B).
      tilted_log_mgf(c, Vec::Constant(n, -std::log(n)), p / b_, out);
      if (out.value) *out.value *= b_;
      if (out.hess) *out.hess /= b_;
      return;
    }
    Mat atoms = c * subsets_ / b_;  // each column: the batch mean of one subset
    tilted_log_mgf(atoms, Vec::Constant(atoms.cols(), -std::log(atoms.cols())), p, out);
  }
  bool is_bounded() const override { return true; }

 private:
  Mat centred(const Vec& x) const {
    const int n = sum_->size(), d = dim();
    Mat g(d, n);
    for (int i = 0; i < n; ++i) sum_->component_gradient(i, x.data(), g.col(i).data());
    return -(g.colwise() - g.rowwise().mean());
  }
  void enumerate_subsets() {
    const int n = sum_->size();
    std::vector<Vec> cols;
    std::vector<int> idx(b_);
    std::iota(idx.begin(), idx.end(), 0);
    while (true) {
      Vec col = Vec::Zero(n);
      for (int i : idx) col[i] = 1;
      cols.push_back(col);
      int k = b_ - 1;
      while (k >= 0 && idx[k] == n - b_ + k) --k;
      if (k < 0) break;
      ++idx[k];
      for (int j = k + 1; j < b_; ++j) idx[j] = idx[j - 1] + 1;
    }
    subsets_.resize(n, static_cast<Eigen::Index>(cols.size()));
    for (std::size_t s = 0; s < cols.size(); ++s) subsets_.col(static_cast<Eigen::Index>(s)) = cols[s];
  }

  std::shared_ptr<const System> system_;
  const FiniteSum* sum_;
  int b_;
  bool replacement_;
  Mat subsets_;  // n x C(n, B) indicator matrix (without replacement, B > 1)
};

}  // namespace

std::unique_ptr<NoiseModel> make_discrete_noise(const Mat& atoms, const Vec& probabilities,
                                                std::shared_ptr<const Field> scale) {
  return std::make_unique<DiscreteNoise>(atoms, probabilities, std::move(scale));
}

std::unique_ptr<NoiseModel> make_minibatch_noise(std::shared_ptr<const System> system, int batch,
                                                 bool replacement, long long max_subsets) {
  return std::make_unique<MinibatchNoise>(std::move(system), batch, replacement, max_subsets);
}

}  // namespace fw::model
