// solvers/compare/least_squares.hpp — the straight-line fits the comparisons
// make (exponents against 1/s, extrapolations to s -> 0, trends against
// log(step)).
#pragma once

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

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

}  // namespace fw::compare
