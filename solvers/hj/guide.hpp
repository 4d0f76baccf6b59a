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
  std::vector<float> direction;  // unit backward characteristic, node-major (zeros where none)
  bool empty() const { return value.empty(); }
};

/// The guide on `fine` from a coarse jet result on the same box (bilinear
/// interpolation of V and grad V; b and D from the Hamiltonian).
template <int D>
Guide make_guide(const model::Hamiltonian& h, const grid::Grid& fine, const Result& coarse);

/// Walks from node i backward along the guide's direction field (midpoint
/// steps of half a grid step, in index units) for up to `reach` grid steps
/// and calls fn(i0, i1) for each grid segment [i0, i1] it crosses (nodes
/// differing by one along one axis), in order, until fn returns true or the
/// walk leaves the box. 2-D; at least 2 nodes a side.
template <class Fn>
void walk_back(const grid::Grid& g, const Guide& guide, const int (&i)[2], double reach, Fn&& fn);

// ---- implementation ----

namespace detail {
/// The guide's direction at the grid position p (index units), bilinear
/// between nodes (at the nearest point of the box for p outside it), in
/// index units and normalised; false where the guide has none.
inline bool guide_direction(const grid::Grid& g, const Guide& guide, const double (&p)[2], double (&d)[2]) {
  int c[2];
  double fr[2];
  for (int k = 0; k < 2; ++k) {
    const double pk = std::clamp(p[k], 0.0, g.nodes[k] - 1.0);
    c[k] = std::min(static_cast<int>(pk), g.nodes[k] - 2);
    fr[k] = pk - c[k];
  }
  d[0] = d[1] = 0;
  for (int corner = 0; corner < 4; ++corner) {
    const int a = corner & 1, b = corner >> 1;
    const double w = (a ? fr[0] : 1 - fr[0]) * (b ? fr[1] : 1 - fr[1]);
    if (w == 0) continue;
    const std::size_t f = static_cast<std::size_t>(c[0] + a) * static_cast<std::size_t>(g.nodes[1]) + (c[1] + b);
    d[0] += w * guide.direction[2 * f] / g.spacing(0);
    d[1] += w * guide.direction[2 * f + 1] / g.spacing(1);
  }
  const double n = std::hypot(d[0], d[1]);
  if (!(n > 0)) return false;
  d[0] /= n;
  d[1] /= n;
  return true;
}
}  // namespace detail

template <class Fn>
void walk_back(const grid::Grid& g, const Guide& guide, const int (&i)[2], double reach, Fn&& fn) {
  constexpr double kStep = 0.5;
  double p[2] = {static_cast<double>(i[0]), static_cast<double>(i[1])}, d[2], m[2];
  for (double t = 0; t < reach; t += kStep) {
    if (!detail::guide_direction(g, guide, p, d)) return;
    for (int k = 0; k < 2; ++k) m[k] = p[k] + 0.5 * kStep * d[k];
    if (!detail::guide_direction(g, guide, m, d)) return;
    const double q[2] = {p[0] + kStep * d[0], p[1] + kStep * d[1]};
    // The grid lines crossed in (p, q], in order along the step.
    struct Cross {
      double tau;
      int axis, line;
    };
    Cross cr[4];
    int nc = 0;
    for (int k = 0; k < 2; ++k) {
      if (q[k] > p[k])
        for (double l = std::floor(p[k]) + 1; l <= q[k]; l += 1) cr[nc++] = {(l - p[k]) / (q[k] - p[k]), k, static_cast<int>(l)};
      else if (q[k] < p[k])
        for (double l = std::ceil(p[k]) - 1; l >= q[k]; l -= 1) cr[nc++] = {(l - p[k]) / (q[k] - p[k]), k, static_cast<int>(l)};
    }
    if (nc == 2 && cr[1].tau < cr[0].tau) std::swap(cr[0], cr[1]);
    for (int c = 0; c < nc; ++c) {
      const int k = cr[c].axis, o = 1 - k;
      int i0[2], i1[2];
      i0[k] = i1[k] = cr[c].line;
      i0[o] = static_cast<int>(std::floor(p[o] + cr[c].tau * (q[o] - p[o])));
      i1[o] = i0[o] + 1;
      if (i0[k] < 0 || i0[k] >= g.nodes[k] || i0[o] < 0 || i1[o] >= g.nodes[o]) return;
      if (fn(i0, i1)) return;
    }
    p[0] = q[0];
    p[1] = q[1];
  }
}

}  // namespace fw::hj
