// solvers/hj/face_minimum.hpp — the minimum of a smooth function over a
// triangle in barycentric coordinates: the face (simplex) updates of the
// 3-D jet method (jet_cost.hpp).
//
// F(l0, l1) is the update value from the base point l0 x0 + l1 x1 +
// (1 - l0 - l1) x2 of the triangle. The search starts on the edge l1 = 0
// (at an edge minimum, l0 = start), or inside at (start, start1), and
// takes Newton steps with
// central-difference derivatives (six evaluations a step), shortened to stay
// in the triangle. The result is the interior minimiser, or nothing when the
// minimum lies on the boundary (the edge and one-point updates cover it)
// or F is not convex where the search went.
#pragma once

#include <algorithm>
#include <cmath>
#include <optional>
#include <utility>

namespace fw::hj {

/// The rate at which F falls from the edge point (start, 0), value
/// `edge_value`, into the triangle, per unit of l1 (one evaluation): a face
/// can hold a lower interior minimum only when it is positive (the KKT
/// condition at the edge minimum).
template <class F>
double face_fall(const F& value, double start, double edge_value) {
  constexpr double kStep = 1e-4;
  return (edge_value - value(start, kStep)) / kStep;
}

template <class F>
std::optional<std::pair<double, double>> face_minimum(const F& value, double start, double start1 = 0) {
  constexpr double kStep = 1e-4, kEdge = 1e-7;
  double l0 = start, l1 = start1;
  int on_boundary = 0;
  for (int it = 0; it < 30; ++it) {
    const double f = value(l0, l1), fp0 = value(l0 + kStep, l1), fm0 = value(l0 - kStep, l1),
                 f0p = value(l0, l1 + kStep), f0m = value(l0, l1 - kStep), fpp = value(l0 + kStep, l1 + kStep);
    const double d0 = (fp0 - fm0) / (2 * kStep), d1 = (f0p - f0m) / (2 * kStep);
    const double h00 = (fp0 - 2 * f + fm0) / (kStep * kStep), h11 = (f0p - 2 * f + f0m) / (kStep * kStep),
                 h01 = (fpp - fp0 - f0p + f) / (kStep * kStep);
    const double det = h00 * h11 - h01 * h01;
    if (!std::isfinite(d0 + d1 + det) || !(h00 > 0 && det > 0)) return std::nullopt;  // not convex here
    const double s0 = -(h11 * d0 - h01 * d1) / det, s1 = -(h00 * d1 - h01 * d0) / det;
    // Stay in the triangle: shorten the step to its boundary.
    double t = 1;
    if (l0 + s0 < 0) t = std::min(t, -l0 / s0);
    if (l1 + s1 < 0) t = std::min(t, -l1 / s1);
    if (l0 + l1 + s0 + s1 > 1) t = std::min(t, (1 - l0 - l1) / (s0 + s1));
    l0 = std::clamp(l0 + t * s0, 0.0, 1.0);
    l1 = std::clamp(l1 + t * s1, 0.0, 1.0 - l0);
    // Twice pushed onto the boundary: the minimum is there.
    on_boundary = t < 1 ? on_boundary + 1 : 0;
    if (on_boundary == 2) return std::nullopt;
    if (t * std::hypot(s0, s1) < 1e-5) break;  // the next Newton step would be about 1e-10
  }
  if (std::min({l0, l1, 1 - l0 - l1}) < kEdge) return std::nullopt;
  return std::make_pair(l0, l1);
}

}  // namespace fw::hj
