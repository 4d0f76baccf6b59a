// Additive noise from continuous laws: Z = M (S - E S), independent sources
// S_j with laws of their own (source_law.hpp), M a d x r mixing matrix.
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "fwkit/core/error.hpp"
#include "fwkit/model/noise.hpp"
#include "fwkit/model/source_law.hpp"

namespace fw::model {
namespace {

class AdditiveNoise final : public NoiseModel {
 public:
  AdditiveNoise(std::vector<std::shared_ptr<const SourceLaw>> laws, Mat mixing)
      : laws_(std::move(laws)), m_(std::move(mixing)), mean_(static_cast<Eigen::Index>(laws_.size())) {
    for (std::size_t j = 0; j < laws_.size(); ++j) mean_[static_cast<Eigen::Index>(j)] = laws_[j]->mean();
  }
  int dim() const override { return static_cast<int>(m_.rows()); }
  std::string kind() const override { return "additive"; }
  void sample(const double*, rng::Stream& rng, double* z, int*) const override {
    const Eigen::Index r = m_.cols();
    Vec s(r);
    for (Eigen::Index j = 0; j < r; ++j) s[j] = laws_[static_cast<std::size_t>(j)]->sample(rng) - mean_[j];
    Eigen::Map<Vec>(z, m_.rows()) = m_ * s;
  }
  Mat covariance(const Vec&) const override {
    Vec v(m_.cols());
    for (Eigen::Index j = 0; j < m_.cols(); ++j) v[j] = laws_[static_cast<std::size_t>(j)]->variance();
    return m_ * v.asDiagonal() * m_.transpose();
  }
  void log_mgf(const Vec&, const Vec& p, const MgfRequest& out) const override {
    // Lambda(p) = sum_j lambda_j(u_j) - u_j E S_j, u = M^T p.
    const Vec u = m_.transpose() * p;
    double value = 0;
    Vec g(u.size()), h(u.size());
    for (Eigen::Index j = 0; j < u.size(); ++j) {
      value += laws_[static_cast<std::size_t>(j)]->log_mgf(u[j], &g[j], &h[j]) - u[j] * mean_[j];
      g[j] -= mean_[j];
    }
    if (out.value) *out.value = value;
    if (out.grad) *out.grad = m_ * g;
    if (out.hess) *out.hess = m_ * h.asDiagonal() * m_.transpose();
  }
  Vec grad_x_log_mgf(const Vec& x, const Vec&) const override { return Vec::Zero(x.size()); }
  bool depends_on_state() const override { return false; }
  bool is_bounded() const override {
    for (const auto& l : laws_)
      if (!l->is_bounded()) return false;
    return true;
  }
  bool has_finite_log_mgf() const override {
    for (const auto& l : laws_)
      if (!l->has_finite_log_mgf()) return false;
    return true;
  }

 private:
  std::vector<std::shared_ptr<const SourceLaw>> laws_;
  Mat m_;
  Vec mean_;
};

}  // namespace

std::unique_ptr<NoiseModel> make_additive_noise(std::vector<std::shared_ptr<const SourceLaw>> laws, const Mat& mixing) {
  if (laws.empty()) throw config_error("model.noise.laws: needs at least one law");
  if (mixing.cols() != static_cast<Eigen::Index>(laws.size()))
    throw config_error(fmt::format("model.noise.mixing: has {} columns for {} laws (one column per source)",
                                   mixing.cols(), laws.size()));
  if (!mixing.allFinite()) throw config_error("model.noise.mixing: entries must be finite");
  return std::make_unique<AdditiveNoise>(std::move(laws), mixing);
}

}  // namespace fw::model
