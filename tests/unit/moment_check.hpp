// Sample mean and covariance of draws checked against 0 and Sigma, with
// standard errors from the sample itself.
#pragma once

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

#include "fwkit/core/types.hpp"

namespace fw::test {

struct MomentSums {
  explicit MomentSums(int d) : sum(Vec::Zero(d)), sum2(Mat::Zero(d, d)), sum4(Mat::Zero(d, d)) {}
  void add(const Vec& z) {
    sum += z;
    const Mat zz = z * z.transpose();
    sum2 += zz;
    sum4 += zz.cwiseProduct(zz);
    ++n;
  }
  /// Mean within 5 sqrt(Var(z_i) / n) of 0 and each covariance entry within
  /// 5 sqrt(Var(z_i z_j) / n) of sigma (plus a rounding floor for entries
  /// with no sampling variance, e.g. Rademacher z_i^2 = s_i^2).
  void check(const Mat& sigma) const {
    const Vec mean = sum / n;
    const Mat cov = sum2 / n;
    for (Eigen::Index i = 0; i < sum.size(); ++i) {
      CHECK(std::abs(mean[i]) <= 5 * std::sqrt(cov(i, i) / n) + 1e-15);
      for (Eigen::Index j = 0; j < sum.size(); ++j) {
        const double se = std::sqrt(std::max(sum4(i, j) / n - cov(i, j) * cov(i, j), 0.0) / n);
        CHECK(std::abs(cov(i, j) - sigma(i, j)) <= 5 * se + 1e-10 * (1 + std::abs(sigma(i, j))));
      }
    }
  }
  Vec sum;
  Mat sum2, sum4;
  double n = 0;
};

}  // namespace fw::test
