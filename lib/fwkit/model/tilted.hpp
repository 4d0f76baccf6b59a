// fwkit/model/tilted.hpp — exponential tilting of a finite distribution.
//
// For atoms c_k (columns of a d x K matrix) with log-weights w_k,
//     Lambda(p) = log sum_k exp(w_k + <p, c_k>),
// grad Lambda = E_p[c] and Hess Lambda = Cov_p[c] under the tilted weights
// proportional to exp(w_k + <p, c_k>). Computed with a shifted log-sum-exp, so
// it neither overflows nor underflows for large |p|.
#pragma once

#include "fwkit/core/types.hpp"
#include "fwkit/model/noise.hpp"

namespace fw::model {

void tilted_log_mgf(const Mat& atoms, const Vec& log_weights, const Vec& p,
                    const MgfRequest& out);

/// The law of the mean of B independent draws from the finite law (atoms
/// c_k, log-weights w_k) at one state: Lambda(p) = B T(p / B), T the tilted
/// log-sum-exp above (B = 1: one draw).
class TiltedLaw final : public FrozenLaw {
 public:
  TiltedLaw(Mat atoms, Vec log_weights, double batch = 1)
      : atoms_(std::move(atoms)), log_weights_(std::move(log_weights)), batch_(batch) {}
  void log_mgf(const Vec& p, const MgfRequest& out) const override;

 private:
  Mat atoms_;
  Vec log_weights_;
  double batch_;
};

/// The quadratic Lambda(p) = p^T Sigma p / 2 of a covariance at one state.
class QuadraticLaw final : public FrozenLaw {
 public:
  explicit QuadraticLaw(Mat sigma) : sigma_(std::move(sigma)) {}
  void log_mgf(const Vec& p, const MgfRequest& out) const override;

 private:
  Mat sigma_;
};

}  // namespace fw::model
