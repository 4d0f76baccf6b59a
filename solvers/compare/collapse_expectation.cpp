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
  if (!(c.alpha >= 0 && c.alpha <= 1)) throw config_error(fmt::format("collapse: alpha = {}: must be in [0, 1]", c.alpha));
  if (c.dim < 1) throw config_error(fmt::format("collapse: dimension = {}: must be >= 1", c.dim));
  if (generations < 0) throw config_error(fmt::format("collapse: generations = {}: must be >= 0", generations));
  const double N = c.samples, v0 = c.variance0;
  // Means over k of the recursions' coefficients; j = N - k.
  double ek, ej, ekj, ejj, ejj1;
  if (c.binomial) {
    const double q = 1 - c.alpha;  // j ~ Binomial(N, q)
    ej = N * q, ek = N - ej;
    ejj = N * q * (1 - q) + ej * ej;
    ekj = N * ej - ejj;
    ejj1 = N * (N - 1) * q * q;
  } else {
    const double k = std::round(c.alpha * N), j = N - k;
    ek = k, ej = j, ekj = k * j, ejj = j * j, ejj1 = j * (j - 1);
  }
  CollapseExpectation e;
  double v = c.resample ? (1 - 1 / N) * v0 : v0;
  double s = c.resample ? v0 / N : 0.0;
  for (int t = 0; t <= generations; ++t) {
    e.variance.push_back(v);
    e.mean_square.push_back(s);
    const double pooled = ek * v0 + ej * v;
    const double v_next = ((1 - 1 / N) * pooled + ekj / N * s) / N;
    s = ejj / (N * N) * s + pooled / (N * N);
    v = v_next;
  }
  if (!c.resample && c.alpha == 0) {
    if (c.dim >= c.samples)
      throw config_error(fmt::format("collapse: dimension {} >= samples {}: the refitted covariance is singular", c.dim, c.samples));
    double drift = 0;
    for (int i = 1; i <= c.dim; ++i) drift += boost::math::digamma((N - i) / 2) + std::log(2 / N);
    for (int t = 0; t <= generations; ++t) e.log_det.push_back(c.log_det0 + t * drift);
  }
  if (c.resample) {
    const double both = ejj1 / (N * (N - 1));
    double h = 0;
    for (int t = 0; t <= generations; ++t) {
      e.homozygosity.push_back(h);
      h = both * (1 / N + (1 - 1 / N) * h);
    }
  }
  return e;
}

}  // namespace fw::compare
