#include "estimators.hpp"

#include <cmath>

namespace fw::sim {
namespace {

/// f(x + s u) with the shifted point built in `y`.
double loss_at(const model::System& system, const double* x, double s, const double* u, double* y) {
  const int d = system.dim();
  for (int k = 0; k < d; ++k) y[k] = x[k] + s * u[k];
  return system.loss(y);
}

void rademacher(rng::Stream& rng, double* u, int d) {
  for (int k = 0; k < d; ++k) u[k] = (rng.bits() >> 63) ? 1.0 : -1.0;
}

}  // namespace

void descent_estimate(const model::System& system, Gradient kind, double delta, const double* x,
                      rng::Stream& rng, double* g, double* work) {
  const int d = system.dim();
  double* u = work;
  double* y = work + d;
  switch (kind) {
    case Gradient::kExact:
      system.drift(x, g);
      return;
    case Gradient::kKieferWolfowitz:
      for (int k = 0; k < d; ++k) {
        for (int l = 0; l < d; ++l) u[l] = l == k ? 1.0 : 0.0;
        g[k] = -(loss_at(system, x, delta, u, y) - loss_at(system, x, -delta, u, y)) / (2 * delta);
      }
      return;
    case Gradient::kSpsa: {
      rademacher(rng, u, d);
      const double c = -(loss_at(system, x, delta, u, y) - loss_at(system, x, -delta, u, y)) / (2 * delta);
      for (int k = 0; k < d; ++k) g[k] = c * u[k];
      return;
    }
    case Gradient::kSpsaSingle: {
      rademacher(rng, u, d);
      const double c = -loss_at(system, x, delta, u, y) / delta;
      for (int k = 0; k < d; ++k) g[k] = c * u[k];
      return;
    }
    case Gradient::kOnePoint: {
      double norm2 = 0;
      for (int k = 0; k < d; ++k) {
        u[k] = rng.normal();
        norm2 += u[k] * u[k];
      }
      const double inv = 1.0 / std::sqrt(norm2);
      for (int k = 0; k < d; ++k) u[k] *= inv;
      const double c = -d * loss_at(system, x, delta, u, y) / delta;
      for (int k = 0; k < d; ++k) g[k] = c * u[k];
      return;
    }
  }
}

}  // namespace fw::sim
