// solvers/action/path_geometry.hpp — the curve of the minimum action
// method as a polygon of nodes: chord lengths, redistribution to equal
// arclength, tangents, first paths and refinement. D is the dimension when
// known at compile time (2, 3), else -1.
#pragma once

#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

#include "fwkit/core/types.hpp"

namespace fw::action::geometry {

/// |b - a| for points of d coordinates.
inline double chord(const double* a, const double* b, Eigen::Index d) {
  double l2 = 0;
  for (Eigen::Index k = 0; k < d; ++k) l2 += (b[k] - a[k]) * (b[k] - a[k]);
  return std::sqrt(l2);
}

/// Cumulative chord lengths of `path` into `s`; returns (shortest, longest) segment.
template <int D>
inline std::pair<double, double> chord_lengths(const Mat& path, std::vector<double>& s) {
  const Eigen::Index n = path.cols(), d = D > 0 ? D : path.rows();
  s.resize(static_cast<std::size_t>(n));
  double lo = 1e300, hi = 0, total = 0;
  s[0] = 0;
  const double* x = path.data();
  for (Eigen::Index i = 1; i < n; ++i) {
    const double l = chord(x + (i - 1) * d, x + i * d, d);
    s[i] = total += l;
    lo = std::min(lo, l), hi = std::max(hi, l);
  }
  return {lo, hi};
}

/// One pass of redistribution to equal chord length (linear interpolation)
/// from `path` (cumulative chord lengths `s`) into `out`, whose cumulative
/// chord lengths go to `s_out`; returns out's (shortest, longest) segment.
template <int D>
std::pair<double, double> redistribute(const Mat& path, const std::vector<double>& s, Mat& out,
                                       std::vector<double>& s_out) {
  const Eigen::Index n = path.cols(), d = D > 0 ? D : path.rows();
  s_out.resize(static_cast<std::size_t>(n));
  const double* x = path.data();
  double* o = out.data();
  for (Eigen::Index k = 0; k < d; ++k) o[k] = x[k], o[(n - 1) * d + k] = x[(n - 1) * d + k];
  double lo = 1e300, hi = 0, total = 0;
  s_out[0] = 0;
  // out's chord lengths as its nodes are written (one sweep instead of two:
  // 0.86 -> 0.62 ms on the Maier-Stein benchmark).
  auto add_chord = [&](Eigen::Index i) {
    const double l = chord(o + (i - 1) * d, o + i * d, d);
    s_out[static_cast<std::size_t>(i)] = total += l;
    lo = std::min(lo, l), hi = std::max(hi, l);
  };
  Eigen::Index j = 0;
  const double step = s[static_cast<std::size_t>(n - 1)] / static_cast<double>(n - 1);
  for (Eigen::Index i = 1; i + 1 < n; ++i) {
    const double target = step * static_cast<double>(i);
    while (j + 2 < n && s[static_cast<std::size_t>(j + 1)] < target) ++j;
    const double w = (target - s[static_cast<std::size_t>(j)]) /
                     std::max(s[static_cast<std::size_t>(j + 1)] - s[static_cast<std::size_t>(j)], 1e-300);
    for (Eigen::Index k = 0; k < d; ++k) o[i * d + k] = (1 - w) * x[j * d + k] + w * x[(j + 1) * d + k];
    add_chord(i);
  }
  add_chord(n - 1);
  return {lo, hi};
}

/// Scratch for reparametrize (no allocation per call).
struct Reparam {
  Mat other;
  std::vector<double> s, s_other;
};

/// Redistributes the nodes to equal chord lengths. One linear pass cuts the
/// polygon's corners and so moves an already redistributed path again; the
/// passes are repeated until the segment lengths agree to 1e-12, which makes
/// the redistribution idempotent (otherwise the discrete action jitters by
/// O(h^2) from one iteration to the next and stalls the step-size control).
template <int D>
void reparametrize(Mat& path, Reparam& w) {
  w.other.resize(path.rows(), path.cols());
  chord_lengths<D>(path, w.s);
  for (int pass = 0; pass < 100; ++pass) {
    if (w.s.back() == 0) return;
    const auto [lo, hi] = redistribute<D>(path, w.s, w.other, w.s_other);
    path.swap(w.other);
    w.s.swap(w.s_other);
    if (hi - lo <= 1e-12 * hi) return;
  }
}

/// phi' by central differences in alpha in [0, 1] (one-sided at the ends).
template <int D>
Mat tangent(const Mat& path) {
  const Eigen::Index n = path.cols(), d = D > 0 ? D : path.rows();
  const double h = 1.0 / static_cast<double>(n - 1);
  Mat t(d, n);
  const double* x = path.data();
  double* o = t.data();
  for (Eigen::Index i = 1; i + 1 < n; ++i)
    for (Eigen::Index k = 0; k < d; ++k) o[i * d + k] = (x[(i + 1) * d + k] - x[(i - 1) * d + k]) / (2 * h);
  for (Eigen::Index k = 0; k < d; ++k) {
    o[k] = (x[d + k] - x[k]) / h;
    o[(n - 1) * d + k] = (x[(n - 1) * d + k] - x[(n - 2) * d + k]) / h;
  }
  return t;
}

/// The straight segment from a to b on `nodes` points, or `guess` (d x k,
/// from a to b) resampled to `nodes` points at equal chord length, ends
/// pinned to a and b.
inline Mat initial_path(const Vec& a, const Vec& b, int nodes, const Mat* guess) {
  Mat path(a.size(), nodes);
  if (!guess) {
    for (int i = 0; i < nodes; ++i) path.col(i) = a + (b - a) * (static_cast<double>(i) / (nodes - 1));
    return path;
  }
  // Resample the guess to `nodes` points, ends pinned to a and b.
  Mat g = *guess;
  g.col(0) = a;
  g.col(g.cols() - 1) = b;
  Vec s(g.cols());
  s[0] = 0;
  for (Eigen::Index i = 1; i < g.cols(); ++i) s[i] = s[i - 1] + (g.col(i) - g.col(i - 1)).norm();
  Eigen::Index j = 0;
  for (int i = 0; i < nodes; ++i) {
    const double target = s[g.cols() - 1] * i / (nodes - 1);
    while (j + 2 < g.cols() && s[j + 1] < target) ++j;
    const double w = (target - s[j]) / std::max(s[j + 1] - s[j], 1e-300);
    path.col(i) = (1 - w) * g.col(j) + w * g.col(j + 1);
  }
  return path;
}

/// `coarse` (equal chords) resampled to `nodes` points by the cubic through
/// each node's neighbours (Catmull-Rom in the node index; ends extended
/// linearly): O(h^3) off the curve, where linear interpolation's O(h^2)
/// would leave an O(1) residual in the discrete curvature.
inline Mat refine_path(const Mat& coarse, int nodes) {
  const Eigen::Index m = coarse.cols();
  Mat fine(coarse.rows(), nodes);
  for (int i = 0; i < nodes; ++i) {
    const double u = static_cast<double>(i) * static_cast<double>(m - 1) / (nodes - 1);
    const Eigen::Index j = std::min<Eigen::Index>(static_cast<Eigen::Index>(u), m - 2);
    const double t = u - static_cast<double>(j), t2 = t * t, t3 = t2 * t;
    const Vec p1 = coarse.col(j), p2 = coarse.col(j + 1);
    const Vec p0 = j > 0 ? Vec(coarse.col(j - 1)) : Vec(2 * p1 - p2);
    const Vec p3 = j + 2 < m ? Vec(coarse.col(j + 2)) : Vec(2 * p2 - p1);
    fine.col(i) = p1 + 0.5 * ((p2 - p0) * t + (2 * p0 - 5 * p1 + 4 * p2 - p3) * t2 + (3 * (p1 - p2) + p3 - p0) * t3);
  }
  fine.col(0) = coarse.col(0);
  fine.col(nodes - 1) = coarse.col(m - 1);
  return fine;
}

}  // namespace fw::action::geometry
