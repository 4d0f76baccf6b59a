#include "fwkit/model/tilted.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace fw::model {

namespace {

/// The tilted log-sum-exp on raw column-major atoms (d x count), the
/// dimension fixed at compile time when D > 0: the inner problem calls this
/// millions of times in a quasi-potential march, so no temporaries.
template <int D>
void tilted_raw(const double* atoms, const double* log_w, const double* p, int d_runtime, Eigen::Index count,
                const MgfRequest& out) {
  const int d = D > 0 ? D : d_runtime;
  constexpr Eigen::Index kStack = 256;
  double stack[kStack];
  std::vector<double> heap(count > kStack ? static_cast<std::size_t>(count) : 0);
  double* w = count > kStack ? heap.data() : stack;
  double amax = -std::numeric_limits<double>::infinity();
  for (Eigen::Index k = 0; k < count; ++k) {
    const double* c = atoms + k * d;
    double a = log_w[k];
    for (int j = 0; j < d; ++j) a += p[j] * c[j];
    w[k] = a;
    amax = std::max(amax, a);
  }
  double total = 0;
  for (Eigen::Index k = 0; k < count; ++k) {
    const double a = w[k] - amax;
    total += (w[k] = a < -745 ? 0.0 : std::exp(a));  // below exp's range: skip its underflow path
  }
  if (out.value) *out.value = amax + std::log(total);
  if (!out.grad && !out.hess) return;
  const double inv = 1 / total;
  double mean_stack[4];
  std::vector<double> mean_heap(D > 0 ? 0 : static_cast<std::size_t>(d));
  double* mean = D > 0 ? mean_stack : mean_heap.data();
  for (int j = 0; j < d; ++j) mean[j] = 0;
  for (Eigen::Index k = 0; k < count; ++k)
    for (int j = 0; j < d; ++j) mean[j] += w[k] * inv * atoms[k * d + j];
  if (out.hess) {
    // Centred second pass: the covariance of a law concentrated on one atom
    // (large |p|) does not cancel catastrophically.
    Mat& h = *out.hess;
    h.setZero(d, d);
    for (Eigen::Index k = 0; k < count; ++k) {
      const double q = w[k] * inv;
      if (q == 0) continue;
      const double* c = atoms + k * d;
      for (int l = 0; l < d; ++l)
        for (int j = 0; j <= l; ++j) h(j, l) += q * (c[j] - mean[j]) * (c[l] - mean[l]);
    }
    for (int l = 0; l < d; ++l)
      for (int j = 0; j < l; ++j) h(l, j) = h(j, l);
  }
  if (out.grad) *out.grad = Eigen::Map<const Vec>(mean, d);
}

}  // namespace

void tilted_log_mgf(const Mat& atoms, const Vec& log_weights, const Vec& p,
                    const MgfRequest& out) {
  const int d = static_cast<int>(atoms.rows());
  const Eigen::Index count = atoms.cols();
  switch (d) {
    case 1: return tilted_raw<1>(atoms.data(), log_weights.data(), p.data(), d, count, out);
    case 2: return tilted_raw<2>(atoms.data(), log_weights.data(), p.data(), d, count, out);
    case 3: return tilted_raw<3>(atoms.data(), log_weights.data(), p.data(), d, count, out);
    default: return tilted_raw<0>(atoms.data(), log_weights.data(), p.data(), d, count, out);
  }
}

void TiltedLaw::log_mgf(const Vec& p, const MgfRequest& out) const {
  if (batch_ == 1) {
    tilted_log_mgf(atoms_, log_weights_, p, out);
    return;
  }
  tilted_log_mgf(atoms_, log_weights_, p / batch_, out);
  if (out.value) *out.value *= batch_;
  if (out.hess) *out.hess /= batch_;
}

void QuadraticLaw::log_mgf(const Vec& p, const MgfRequest& out) const {
  if (out.value) *out.value = 0.5 * p.dot(sigma_ * p);
  if (out.grad) *out.grad = sigma_ * p;
  if (out.hess) *out.hess = sigma_;
}

}  // namespace fw::model
