// solvers/hj/guide.hpp — a coarse solution guiding the jet method on a
// finer grid (Options::guided, 2-D).
//
// The coarse jet solution (half the resolution) gives each fine node an
// order (its V, interpolated) and its backward characteristic (the
// direction of -(b + D grad V)). Beyond a core around the attractor marched
// as usual, the fine nodes are then computed once each, in that order, by
// one edge update: from the first grid segment of computed nodes that the
// backward characteristic crosses, the walk along the guide's direction
// field finding it. The update itself is the jet method's (the minimum over
// the segment, Hermite data, the curve from the base point), so the guide
// only decides where to look: its errors move the base segment, not V.
// The ordered march makes 45 to 50 updates a node to find the same edge.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "olim.hpp"

namespace fw::hj {

/// What a coarse solve tells the fine grid, per fine node.
struct Guide {
  std::vector<float> value;      // coarse V interpolated (+inf where the coarse solve has none)
  /// The unit backward characteristic times kDirectionScale, node-major
  /// (zeros where none): 16 bits a component keep 257^3 in 3-D under 1 GB.
  std::vector<std::int16_t> direction;
  static constexpr double kDirectionScale = 32767;
  bool empty() const { return value.empty(); }
};

/// The guide on `fine` from a coarse jet result on the same box (bilinear
/// interpolation of V and grad V; b and D from the Hamiltonian).
template <int D>
Guide make_guide(const model::Hamiltonian& h, const grid::Grid& fine, const Result& coarse);

/// Walks from node i backward along the guide's direction field (midpoint
/// steps of half a grid step, in index units) for up to `reach` grid steps
/// and calls fn(c, axis, frac) for each crossing of a grid line (2-D) or
/// plane (3-D) normal to `axis`, in order: c is the lower corner of the
/// crossed segment or square (c[axis] the line or plane), frac the
/// crossing's fractional position beyond c in the other axes. Stops when fn
/// returns true or the walk leaves the box. At least 2 nodes a side.
template <int D, class Fn>
void walk_back(const grid::Grid& g, const Guide& guide, const int (&i)[D], double reach, Fn&& fn);

// ---- implementation ----

namespace detail {
/// The guide's direction at the grid position p (index units), multilinear
/// between nodes (at the nearest point of the box for p outside it), in
/// index units and normalised; false where the guide has none.
template <int D>
bool guide_direction(const grid::Grid& g, const Guide& guide, const double (&p)[D], double (&d)[D]) {
  int c[D];
  double fr[D];
  std::size_t stride[D];
  stride[D - 1] = 1;
  for (int k = D - 2; k >= 0; --k) stride[k] = stride[k + 1] * static_cast<std::size_t>(g.nodes[k + 1]);
  for (int k = 0; k < D; ++k) {
    const double pk = std::clamp(p[k], 0.0, g.nodes[k] - 1.0);
    c[k] = std::min(static_cast<int>(pk), g.nodes[k] - 2);
    fr[k] = pk - c[k];
    d[k] = 0;
  }
  for (int corner = 0; corner < (1 << D); ++corner) {
    double w = 1;
    std::size_t f = 0;
    for (int k = 0; k < D; ++k) {
      const int up = corner >> k & 1;
      w *= up ? fr[k] : 1 - fr[k];
      f += static_cast<std::size_t>(c[k] + up) * stride[k];
    }
    if (w == 0) continue;
    for (int k = 0; k < D; ++k) d[k] += w * guide.direction[D * f + k] / g.spacing(k);
  }
  double n = 0;
  for (int k = 0; k < D; ++k) n += d[k] * d[k];
  if (!(n > 0)) return false;
  n = 1 / std::sqrt(n);
  for (int k = 0; k < D; ++k) d[k] *= n;
  return true;
}
}  // namespace detail

template <int D, class Fn>
void walk_back(const grid::Grid& g, const Guide& guide, const int (&i)[D], double reach, Fn&& fn) {
  constexpr double kStep = 0.5;
  double p[D], d[D], m[D], q[D];
  for (int k = 0; k < D; ++k) p[k] = i[k];
  for (double t = 0; t < reach; t += kStep) {
    if (!detail::guide_direction<D>(g, guide, p, d)) return;
    for (int k = 0; k < D; ++k) m[k] = p[k] + 0.5 * kStep * d[k];
    if (!detail::guide_direction<D>(g, guide, m, d)) return;
    for (int k = 0; k < D; ++k) q[k] = p[k] + kStep * d[k];
    // The grid lines (planes) crossed in (p, q], in order along the step.
    struct Cross {
      double tau;
      int axis, line;
    };
    Cross cr[2 * D];
    int nc = 0;
    for (int k = 0; k < D; ++k) {
      if (q[k] > p[k])
        for (double l = std::floor(p[k]) + 1; l <= q[k]; l += 1) cr[nc++] = {(l - p[k]) / (q[k] - p[k]), k, static_cast<int>(l)};
      else if (q[k] < p[k])
        for (double l = std::ceil(p[k]) - 1; l >= q[k]; l -= 1) cr[nc++] = {(l - p[k]) / (q[k] - p[k]), k, static_cast<int>(l)};
    }
    for (int a = 1; a < nc; ++a)  // (a step shorter than a grid step crosses at most one line per axis)
      for (int b = a; b > 0 && cr[b].tau < cr[b - 1].tau; --b) std::swap(cr[b], cr[b - 1]);
    for (int n = 0; n < nc; ++n) {
      const int k = cr[n].axis;
      int c[D];
      double frac[D];
      bool inside = true;
      for (int o = 0; o < D; ++o) {
        if (o == k) {
          c[o] = cr[n].line, frac[o] = 0;
        } else {
          const double x = p[o] + cr[n].tau * (q[o] - p[o]);
          c[o] = static_cast<int>(std::floor(x));
          frac[o] = x - c[o];
        }
        inside = inside && c[o] >= 0 && (o == k ? c[o] < g.nodes[o] : c[o] + 1 < g.nodes[o]);
      }
      if (!inside) return;
      if (fn(c, k, frac)) return;
    }
    for (int k = 0; k < D; ++k) p[k] = q[k];
  }
}

}  // namespace fw::hj
