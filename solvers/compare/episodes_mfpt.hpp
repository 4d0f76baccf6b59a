// solvers/compare/episodes_mfpt.hpp — the 1-D mean first-passage quadrature
// declared in episodes.hpp (a template: the drift is inlined).
#pragma once

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace fw::compare {

template <class F>
double mean_first_passage(const F& f, double x0, double target, double diffusion, double span,
                          int nodes) {
  // u measures the distance from the target towards x0 and beyond:
  // z(u) = target + s u, reflecting end at u = length.
  const double s = x0 >= target ? 1.0 : -1.0;
  const double u0 = std::abs(x0 - target);
  if (u0 == 0) return 0;
  const double length = u0 + span;
  const int n = std::max(nodes, 16);
  const double h = length / (n - 1);
  // 2 U / D along u, U' = -f in z, so d(2U/D)/du = -2 s f / D (trapezoid).
  std::vector<double> phi(n);
  double previous = f(target);
  phi[0] = 0;
  for (int i = 1; i < n; ++i) {
    const double fi = f(target + s * h * i);
    phi[i] = phi[i - 1] - s * h * (previous + fi) / diffusion;
    previous = fi;
  }
  const double shift = *std::min_element(phi.begin(), phi.end());
  // Inner integral I(u) = int_u^length e^{-(phi - shift)}, from the far end down.
  std::vector<double> inner(n);
  inner[n - 1] = 0;
  double upper_weight = std::exp(-(phi[n - 1] - shift));
  for (int i = n - 2; i >= 0; --i) {
    const double w = std::exp(-(phi[i] - shift));
    inner[i] = inner[i + 1] + 0.5 * h * (w + upper_weight);
    upper_weight = w;
  }
  // Outer integral up to u0 (linear interpolation inside the last cell).
  constexpr double kMaxExponent = 700;
  double outer = 0;
  double last = 0;
  for (int i = 0; i < n; ++i) {
    const double e = phi[i] - shift;
    if (e > kMaxExponent) return std::numeric_limits<double>::infinity();
    const double g = std::exp(e) * inner[i];
    const double u = h * i;
    if (i > 0) {
      if (u >= u0) {
        const double frac = (u0 - (u - h)) / h;
        const double g0 = last + frac * (g - last);
        outer += 0.5 * frac * h * (last + g0);
        break;
      }
      outer += 0.5 * h * (last + g);
    }
    last = g;
  }
  return 2.0 / diffusion * outer;
}

}  // namespace fw::compare
