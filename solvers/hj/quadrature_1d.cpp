#include "quadrature_1d.hpp"

#include <cmath>
#include <limits>

#include "fwkit/core/error.hpp"

namespace fw::hj {

double root_momentum(const model::Hamiltonian& h, double s) {
  if (h.dim() != 1) throw Error(ExitCode::kSoftware, "root_momentum: the model must be 1-D");
  Vec x(1), p(1);
  x[0] = s;
  const double b = h.model().system->drift_at(x)[0];
  if (b == 0) return 0;
  const double dir = b < 0 ? 1.0 : -1.0;  // H decreases along dir from p = 0
  auto H = [&](double q) {
    p[0] = dir * q;
    return h.value(x, p);
  };
  // Bracket: H < 0 just beyond 0, H > 0 far out (convexity), by doubling.
  double lo = 0, hi = std::max(1e-8, 2 * std::abs(b) / std::max(1e-300, h.hess_p(x, Vec::Zero(1))(0, 0)));
  int grow = 0;
  while (!(H(hi) > 0)) {
    lo = hi;
    hi *= 2;
    if (++grow > 200) return dir * std::numeric_limits<double>::infinity();
  }
  // H(lo) <= 0 < H(hi): bisect (H is convex, so the root in between is p*).
  for (int it = 0; it < 200 && hi - lo > 1e-15 * hi; ++it) {
    const double mid = 0.5 * (lo + hi);
    (H(mid) > 0 ? hi : lo) = mid;
  }
  return dir * 0.5 * (lo + hi);
}

std::vector<double> quadrature_1d(const model::Hamiltonian& h, double a, const std::vector<double>& points,
                                  int panels) {
  static constexpr double kNodes[4] = {0.1834346424956498, 0.5255324099163290, 0.7966664774136267,
                                       0.9602898564975363};
  static constexpr double kWeights[4] = {0.3626837833783620, 0.3137066458778873, 0.2223810344533745,
                                         0.1012285362903763};
  std::vector<double> out;
  for (double x : points) {
    const int n = std::max(1, static_cast<int>(std::ceil(std::abs(x - a) * panels)));
    const double w = (x - a) / n;
    double v = 0;
    for (int i = 0; i < n; ++i) {
      const double c = a + (i + 0.5) * w;
      for (int q = 0; q < 4; ++q)
        v += 0.5 * w * kWeights[q] * (root_momentum(h, c - 0.5 * w * kNodes[q]) + root_momentum(h, c + 0.5 * w * kNodes[q]));
    }
    out.push_back(v);
  }
  return out;
}

}  // namespace fw::hj
