// solvers/compare/collapse_expectation.cpp — the linear recursions of
// collapse_expectation.hpp.
#include "collapse_expectation.hpp"

#include <boost/math/special_functions/digamma.hpp>
#include <fmt/format.h>

#include <cmath>

#include "fwkit/core/error.hpp"

namespace fw::compare {

CollapseExpectation collapse_expectation(const CollapseChain& c, int generations) {
  if (c.samples < 2) throw config_error(fmt::format("collapse: samples = {}: must be >= 2", c.samples));
  if (c.fresh < 0 || c.fresh > c.samples)
    throw config_error(fmt::format("collapse: fresh points = {}: must be in [0, {}]", c.fresh, c.samples));
  if (c.dim < 1) throw config_error(fmt::format("collapse: dimension = {}: must be >= 1", c.dim));
  if (generations < 0) throw config_error(fmt::format("collapse: generations = {}: must be >= 0", generations));
  const double N = c.samples, k = c.fresh, v0 = c.variance0;
  CollapseExpectation e;
  double v = c.resample ? (1 - 1 / N) * v0 : v0;
  double s = c.resample ? v0 / N : 0.0;
  for (int t = 0; t <= generations; ++t) {
    e.variance.push_back(v);
    e.mean_square.push_back(s);
    const double pooled = k * v0 + (N - k) * v;
    const double v_next = ((1 - 1 / N) * pooled + k * (N - k) / N * s) / N;
    s = (N - k) * (N - k) / (N * N) * s + pooled / (N * N);
    v = v_next;
  }
  if (!c.resample && c.fresh == 0) {
    if (c.dim >= c.samples)
      throw config_error(fmt::format("collapse: dimension {} >= samples {}: the refitted covariance is singular", c.dim, c.samples));
    double drift = 0;
    for (int i = 1; i <= c.dim; ++i) drift += boost::math::digamma((N - i) / 2) + std::log(2 / N);
    for (int t = 0; t <= generations; ++t) e.log_det.push_back(c.log_det0 + t * drift);
  }
  if (c.resample) {
    const double both = (N - k) * (N - k - 1) / (N * (N - 1));
    double h = 0;
    for (int t = 0; t <= generations; ++t) {
      e.homozygosity.push_back(h);
      h = both * (1 / N + (1 - 1 / N) * h);
    }
  }
  return e;
}

}  // namespace fw::compare
