// solvers/compare/least_squares.hpp — the straight-line fits the comparisons
// make (exponents against 1/s, extrapolations to s -> 0, trends against
// log(step)).
#pragma once

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include <Eigen/Dense>

namespace fw::compare {

struct Line {
  double intercept, slope, intercept_se, slope_se;
};

/// Weighted least squares y = a + b x with weights 1 / se^2, the errors of a
/// and b from the weights. Unweighted (and NaN errors) if an se is missing
/// or not positive.
inline Line fit_line(const std::vector<double>& x, const std::vector<double>& y, const std::vector<double>& se) {
  const bool weighted = std::all_of(se.begin(), se.end(), [](double e) { return std::isfinite(e) && e > 0; });
  double S = 0, Sx = 0, Sy = 0, Sxx = 0, Sxy = 0;
  for (std::size_t k = 0; k < x.size(); ++k) {
    const double w = weighted ? 1 / (se[k] * se[k]) : 1.0;
    S += w, Sx += w * x[k], Sy += w * y[k], Sxx += w * x[k] * x[k], Sxy += w * x[k] * y[k];
  }
  const double det = S * Sxx - Sx * Sx;
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  return {(Sxx * Sy - Sx * Sxy) / det, (S * Sxy - Sx * Sy) / det, weighted ? std::sqrt(Sxx / det) : kNaN,
          weighted ? std::sqrt(S / det) : kNaN};
}

/// y = A / s + B + C s, the large-deviation form of a log time or a log
/// occupation ratio in the noise scale s (log tau = V / s + log prefactor +
/// O(s)): weighted least squares as fit_line. The O(s) term is fitted with
/// four or more points (a straight line in 1/s lands biased by C s^2 on the
/// exponent: 3-7% from s in [0.1, 0.2] on exact data) and kept where the
/// data determine it, |C| > 2 se(C) (or no errors are given); otherwise, and
/// with fewer points, C = 0 (the noise would only inflate the exponent's
/// error). form() says which.
struct InverseFit {
  double slope = 0, intercept = 0, linear = 0;  // A, B, C
  double slope_se = 0, intercept_se = 0, linear_se = 0;
  bool with_linear = false;
  bool linear_dropped = false;  // fitted but not significant
  /// "A/s + B + C s" or "A/s + B", for the summary's condition column.
  std::string form() const {
    return with_linear ? "fit A/s + B + C s" : linear_dropped ? "fit A/s + B (O(s) term not significant)" : "fit A/s + B";
  }
};

inline InverseFit fit_inverse(const std::vector<double>& s, const std::vector<double>& y, const std::vector<double>& se) {
  InverseFit f;
  auto straight = [&](InverseFit g) {
    std::vector<double> inv;
    for (double v : s) inv.push_back(1 / v);
    const Line l = fit_line(inv, y, se);
    g.slope = l.slope, g.intercept = l.intercept, g.slope_se = l.slope_se, g.intercept_se = l.intercept_se;
    g.linear = g.linear_se = 0;
    g.with_linear = false;
    return g;
  };
  f.with_linear = s.size() >= 4;
  if (!f.with_linear) return straight(f);
  const bool weighted = std::all_of(se.begin(), se.end(), [](double e) { return std::isfinite(e) && e > 0; });
  const auto n = static_cast<Eigen::Index>(s.size());
  Eigen::MatrixXd X(n, 3);
  Eigen::VectorXd Y(n);
  for (Eigen::Index k = 0; k < n; ++k) {
    const double w = weighted ? 1 / se[static_cast<std::size_t>(k)] : 1.0, v = s[static_cast<std::size_t>(k)];
    X(k, 0) = w / v, X(k, 1) = w, X(k, 2) = w * v;
    Y[k] = w * y[static_cast<std::size_t>(k)];
  }
  // Columns scaled to unit norm before the solve (1/s and s differ by s^2).
  const Eigen::Vector3d norms = X.colwise().norm().transpose();
  const Eigen::MatrixXd Xs = X * norms.cwiseInverse().asDiagonal();
  const Eigen::Vector3d c = Xs.colPivHouseholderQr().solve(Y).cwiseQuotient(norms);
  const Eigen::Matrix3d cov = (X.transpose() * X).inverse();
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  f.slope = c[0], f.intercept = c[1], f.linear = c[2];
  f.slope_se = weighted ? std::sqrt(cov(0, 0)) : kNaN;
  f.intercept_se = weighted ? std::sqrt(cov(1, 1)) : kNaN;
  f.linear_se = weighted ? std::sqrt(cov(2, 2)) : kNaN;
  if (weighted && !(std::abs(f.linear) > 2 * f.linear_se)) {
    f.linear_dropped = true;
    return straight(f);
  }
  return f;
}

}  // namespace fw::compare
