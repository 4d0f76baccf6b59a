// Finite-support noise: general discrete atoms with a state-dependent scale,
// and minibatch noise of a finite-sum loss.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <mutex>
#include <numeric>

#include "fwkit/core/error.hpp"
#include "fwkit/core/vector_clones.hpp"
#include "fwkit/model/field.hpp"
#include "fwkit/model/noise.hpp"
#include "fwkit/model/system.hpp"
#include "fwkit/model/tilted.hpp"
#include "fwkit/rng/block.hpp"

namespace fw::model {
namespace {

/// Index k with probability q_k (q sums to one), by inversion.
int draw_index(const Vec& cumulative, double u) {
  const auto* begin = cumulative.data();
  const auto* end = begin + cumulative.size();
  const auto* it = std::upper_bound(begin, end, u);
  return static_cast<int>(std::min<std::ptrdiff_t>(it - begin, cumulative.size() - 1));
}

FWKIT_VECTOR_CLONES
void negate(double* v, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) v[i] = -v[i];
}

/// The atom index of each uniform, as draw_index: the number of cumulative
/// probabilities at or below u (at most K - 1).
FWKIT_VECTOR_CLONES
void atom_indices(const double* __restrict u, const double* __restrict cumulative, int atoms, int* __restrict k,
                  std::size_t n) {
  for (std::size_t j = 0; j < n; ++j) {
    int c = 0;
    for (int a = 0; a < atoms - 1; ++a) c += cumulative[a] <= u[j];
    k[j] = c;
  }
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
  void sample_block(const BlockDraw& draw, double* z, BlockScratch& scratch) const override {
    // Atom of each lane by inversion of one lane-parallel uniform, times the
    // scale evaluated over the block.
    const std::size_t L = static_cast<std::size_t>(draw.lanes);
    scratch.real.resize(2 * L);
    scratch.index.resize(L);
    double* u = scratch.real.data();
    double* s = u + L;
    int* k = scratch.index.data();
    rng::uniform_block(draw.seed, draw.first_member, draw.lanes, draw.step, 1, u);
    atom_indices(u, cumulative_.data(), static_cast<int>(cumulative_.size()), k, L);
    if (scale_) scale_->eval_batch(draw.x, s, L, scratch.tape, scratch.slots);
    else std::fill(s, s + L, 1.0);
    for (int c = 0; c < dim(); ++c) {
      double* zc = z + static_cast<std::size_t>(c) * L;
      for (std::size_t j = 0; j < L; ++j) zc[j] = s[j] * atoms_(c, k[j]);
    }
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
  std::unique_ptr<const FrozenLaw> frozen_at(const Vec& x) const override {
    return std::make_unique<TiltedLaw>(scale_at(x.data()) * atoms_, log_q_);
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
  MinibatchNoise(std::shared_ptr<const System> system, const MinibatchOptions& o)
      : system_(std::move(system)), sum_(system_->finite_sum()), b_(o.batch),
        replacement_(o.replacement), gaussian_lambda_(o.gaussian_lambda), max_subsets_(o.max_subsets) {
    if (!sum_)
      throw config_error("model.noise.kind = \"minibatch\": the system must be a finite sum "
                         "(model.system.kind = \"finite_sum\")");
    const int n = sum_->size();
    const int top = replacement_ ? 65536 : std::min(n, 65536);
    if (b_ < 1 || b_ > top)
      throw config_error("model.noise.batch = " + std::to_string(b_) + ": must be in [1, " + std::to_string(top) +
                         "]" + (replacement_ ? "" : " (at most the n = " + std::to_string(n) + " data points without replacement)"));
    if (!replacement_ && b_ > 1 && !gaussian_lambda_) subset_count_ = binomial(n, b_, max_subsets_);
    for (int q = 0; q < b_; ++q)
      bounds_.push_back(static_cast<std::uint32_t>(replacement_ ? n : n - b_ + q + 1));
  }
  int dim() const override { return sum_->dim(); }
  std::string kind() const override { return "minibatch"; }

  void sample(const double* x, rng::Stream& rng, double* z, int*) const override {
    // Stack scratch for the usual sizes (sample() is the one-point path; the
    // ensemble engine uses the block samplers below).
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

  void sample_block(const BlockDraw& draw, double* z, BlockScratch& scratch) const override {
    // Z = -(batch mean gradient) - b: the full drift is needed here (O(n));
    // the engine's SGD step uses sample_drift_block and never forms it.
    const std::size_t L = static_cast<std::size_t>(draw.lanes), d = static_cast<std::size_t>(dim());
    sample_drift_block(draw, z, scratch);
    scratch.real.resize(d * L);
    system_->drift_batch(draw.x, scratch.real.data(), L);
    for (std::size_t i = 0; i < d * L; ++i) z[i] -= scratch.real[i];
  }

  bool estimates_drift(const System& system) const override { return &system == system_.get(); }
  void sample_drift_block(const BlockDraw& draw, double* direction, BlockScratch& scratch) const override {
    draw_batches(draw, scratch);
    sum_->mean_gradient_block(draw.x, draw.lanes, scratch.index.data(), b_, direction, scratch);
    negate(direction, static_cast<std::size_t>(dim()) * static_cast<std::size_t>(draw.lanes));
  }

  Mat covariance(const Vec& x) const override {
    const Mat c = centred(x);  // columns -(g_i - gbar)
    const int n = sum_->size();
    const Mat s = c * c.transpose() / n;
    if (replacement_) return s / b_;
    return n > 1 ? Mat(s * (static_cast<double>(n - b_) / ((n - 1.0) * b_))) : Mat(s * 0.0);
  }

  void log_mgf(const Vec& x, const Vec& p, const MgfRequest& out) const override {
    if (gaussian_approximated()) {
      const Mat sigma = covariance(x);
      if (out.value) *out.value = 0.5 * p.dot(sigma * p);
      if (out.grad) *out.grad = sigma * p;
      if (out.hess) *out.hess = sigma;
      return;
    }
    const Mat c = centred(x);
    const int n = sum_->size();
    if (replacement_ || b_ == 1) {
      // Z = mean of B i.i.d. single draws: Lambda(p) = B Lambda_1(p / B).
      tilted_log_mgf(c, Vec::Constant(n, -std::log(n)), p / b_, out);
      if (out.value) *out.value *= b_;
      if (out.hess) *out.hess /= b_;
      return;
    }
    const Mat& subsets = enumerated_subsets();
    Mat atoms = c * subsets / b_;  // each column: the batch mean of one subset
    tilted_log_mgf(atoms, Vec::Constant(atoms.cols(), -std::log(atoms.cols())), p, out);
  }
  std::unique_ptr<const FrozenLaw> frozen_at(const Vec& x) const override {
    // The n per-point gradients at x, once (the solvers' Newton iterations
    // then cost O(n d^2) each, no model evaluations).
    if (gaussian_approximated()) return std::make_unique<QuadraticLaw>(covariance(x));
    const int n = sum_->size();
    if (replacement_ || b_ == 1)
      return std::make_unique<TiltedLaw>(centred(x), Vec::Constant(n, -std::log(n)), b_);
    Mat atoms = centred(x) * enumerated_subsets() / b_;
    Vec log_w = Vec::Constant(atoms.cols(), -std::log(static_cast<double>(atoms.cols())));
    return std::make_unique<TiltedLaw>(std::move(atoms), std::move(log_w));
  }
  bool is_bounded() const override { return !gaussian_approximated(); }

 private:
  /// Whether Lambda is the Gaussian approximation (asked for, and not exact
  /// anyway: with replacement or B = 1 the exact Lambda is cheap).
  bool gaussian_approximated() const { return gaussian_lambda_ && !(replacement_ || b_ == 1); }
  /// Batch indices of every lane into scratch.index (entry q of lane j at
  /// q * lanes + j), exactly uniform (rng::index_block): i.i.d. indices
  /// below n, or Floyd's uniform B-subset without replacement (entry q drawn
  /// below n - B + q + 1, and replaced by n - B + q if already taken).
  void draw_batches(const BlockDraw& draw, BlockScratch& scratch) const {
    const std::size_t L = static_cast<std::size_t>(draw.lanes), B = static_cast<std::size_t>(b_);
    scratch.index.resize(B * L);
    int* idx = scratch.index.data();
    rng::index_block(draw.seed, draw.first_member, draw.lanes, draw.step, b_, bounds_.data(), idx,
                     scratch.index_words);
    if (replacement_ || b_ == 1) return;
    if (B <= 32) {  // a scan of the entries drawn so far
      for (std::size_t q = 1; q < B; ++q)
        for (std::size_t j = 0; j < L; ++j) {
          int& t = idx[q * L + j];
          bool taken = false;
          for (std::size_t r = 0; r < q; ++r) taken = taken || idx[r * L + j] == t;
          if (taken) t = static_cast<int>(bounds_[q]) - 1;
        }
      return;
    }
    // Large batches: a mark per data point, O(B) a lane.
    if (scratch.marks.size() != static_cast<std::size_t>(sum_->size()))  // all clear between calls
      scratch.marks.assign(static_cast<std::size_t>(sum_->size()), 0);
    for (std::size_t j = 0; j < L; ++j) {
      for (std::size_t q = 0; q < B; ++q) {
        int& t = idx[q * L + j];
        if (scratch.marks[static_cast<std::size_t>(t)]) t = static_cast<int>(bounds_[q]) - 1;
        scratch.marks[static_cast<std::size_t>(t)] = 1;
      }
      for (std::size_t q = 0; q < B; ++q) scratch.marks[static_cast<std::size_t>(idx[q * L + j])] = 0;
    }
  }
  Mat centred(const Vec& x) const {
    const int n = sum_->size(), d = dim();
    Mat g(d, n);
    for (int i = 0; i < n; ++i) sum_->component_gradient(i, x.data(), g.col(i).data());
    return -(g.colwise() - g.rowwise().mean());
  }
  /// The n x C(n, B) indicator matrix of every B-subset, built on first use:
  /// only the large-deviation solvers need the exact Lambda, never sampling.
  const Mat& enumerated_subsets() const {
    if (subset_count_ > max_subsets_)
      throw config_error(fmt::format(
          "model.noise: the exact Lambda of a batch of {} drawn without replacement from n = {} points "
          "sums over C(n, B) > {} batches (model.noise.max_subsets); set model.noise.lambda = \"gaussian\" "
          "for the normal approximation with the exact finite-population covariance, raise max_subsets, or "
          "use replacement = true",
          b_, sum_->size(), max_subsets_));
    std::call_once(enumerated_, [this] { enumerate_subsets(); });
    return subsets_;
  }
  void enumerate_subsets() const {
    const int n = sum_->size();
    subsets_ = Mat::Zero(n, static_cast<Eigen::Index>(subset_count_));
    std::vector<int> idx(b_);
    std::iota(idx.begin(), idx.end(), 0);
    for (Eigen::Index s = 0;; ++s) {
      for (int i : idx) subsets_(i, s) = 1;
      int k = b_ - 1;
      while (k >= 0 && idx[k] == n - b_ + k) --k;
      if (k < 0) break;
      ++idx[k];
      for (int j = k + 1; j < b_; ++j) idx[j] = idx[j - 1] + 1;
    }
  }

  std::shared_ptr<const System> system_;
  const FiniteSum* sum_;
  int b_;
  bool replacement_, gaussian_lambda_;
  long long max_subsets_;
  long long subset_count_ = 0;
  std::vector<std::uint32_t> bounds_;  // per batch entry: indices are drawn below it
  mutable std::once_flag enumerated_;
  mutable Mat subsets_;  // n x C(n, B) indicator matrix (without replacement, B > 1)
};

}  // namespace

std::unique_ptr<NoiseModel> make_discrete_noise(const Mat& atoms, const Vec& probabilities,
                                                std::shared_ptr<const Field> scale) {
  return std::make_unique<DiscreteNoise>(atoms, probabilities, std::move(scale));
}

std::unique_ptr<NoiseModel> make_minibatch_noise(std::shared_ptr<const System> system,
                                                 const MinibatchOptions& options) {
  return std::make_unique<MinibatchNoise>(std::move(system), options);
}

std::unique_ptr<NoiseModel> make_minibatch_noise(std::shared_ptr<const System> system, int batch,
                                                 bool replacement, long long max_subsets) {
  MinibatchOptions o;
  o.batch = batch;
  o.replacement = replacement;
  o.max_subsets = max_subsets;
  return make_minibatch_noise(std::move(system), o);
}

}  // namespace fw::model
