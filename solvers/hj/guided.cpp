// The pass of the jet method guided by a coarse solve (Options::guided,
// guide.hpp): the core around the attractor, then each node once, in the
// guide's order, from the segment or square its backward characteristic
// crosses.
#include <algorithm>
#include <cmath>

#include "marcher.hpp"

namespace fw::hj::detail {

template <int D>
double Marcher<D>::core_value() const {
  const double core = (D == 2 ? 1 : 3) * r_.radius;
  Index<D> c;
  for (int k = 0; k < D; ++k) c[k] = static_cast<int>(std::lround((pb_.attractor[k] - g_.lower[k]) / g_.spacing(k)));
  double v = kInf;
  for (std::int64_t f = 0; f < N_; ++f) {
    const Index<D> i = lay_.unflatten(f);
    double d2 = 0;
    for (int k = 0; k < D; ++k) d2 += static_cast<double>(i[k] - c[k]) * (i[k] - c[k]);
    if (d2 >= core * core) v = std::min(v, static_cast<double>(guide_.value[f]));
  }
  return v;
}

template <int D>
void Marcher<D>::run_guided(Progress* progress) {
  using Vd = typename JetCost<D>::Vd;
  guided_ = true;
  NodeBits done_bits(N_);
  std::vector<std::int32_t> order;  // the nodes left, by the guide's V (4 bytes a node)
  order.reserve(static_cast<std::size_t>(N_));
  for (std::int64_t f = 0; f < N_; ++f) {
    if (r_.node_status[f] == kSeedS && !done_[f]) done_[f] = 1, ++r_.accepted;
    if (done_[f]) done_bits.set(f);
    else if (std::isfinite(guide_.value[f])) order.push_back(static_cast<std::int32_t>(f));
  }
  const std::vector<float>& key = guide_.value;
  std::sort(order.begin(), order.end(), [&](std::int32_t a, std::int32_t b) {
    return key[static_cast<std::size_t>(a)] < key[static_cast<std::size_t>(b)] ||
           (key[static_cast<std::size_t>(a)] == key[static_cast<std::size_t>(b)] && a < b);
  });
  const auto node = [&](const Index<D>& j) {
    Vd x;
    for (int k = 0; k < D; ++k) x[k] = g_.coordinate(k, j[k]);
    return x;
  };
  const auto grad = [&](std::int64_t fn) { return Vd(Eigen::Map<const Vd>(&r_.grad[fn * D])); };
  for (const std::int32_t entry : order) {
    const std::int64_t f = entry;
    const Index<D> i = lay_.unflatten(f);
    const Vd x = node(i);
    const typename JetCost<D>::Point target = jet_->at(x);
    typename JetCost<D>::Update got;
    // The edge update from [i0, i1] (i1 the source), and on along the
    // line while its minimum lies beyond an end (at most three steps).
    const auto from_line = [&](Index<D> i0, Index<D> i1) {
      const int axis = i0[0] != i1[0] ? 0 : D - 1;
      for (int step = 0; step < 4; ++step) {
        const std::int64_t f0 = lay_.flatten(i0), f1 = lay_.flatten(i1);
        const Vd x0 = node(i0), x1 = node(i1);
        if (crosses_equilibrium(x0.data(), x.data()) || crosses_equilibrium(x1.data(), x.data())) return;
        int end = 0;
        const auto u = jet_->from_edge(x0, r_.value[f0], grad(f0), x1, r_.value[f1], grad(f1), target,
                                       jet_->path_action(x1, grad(f1), target), 1e-10, &end);
        ++r_.updates;
        if (std::isfinite(u.value)) {
          got = u;
          return;
        }
        // Beyond x1: [x1 + (x1 - x0), x1]; beyond x0: [x0 - (x1 - x0), x0].
        Index<D> next = end == 1 ? i1 : i0;
        const Index<D> keep = next;
        next[axis] += end == 1 ? i1[axis] - i0[axis] : i0[axis] - i1[axis];
        if (!lay_.inside(next) || !done_[lay_.flatten(next)]) return;
        i0 = next;
        i1 = keep;
      }
    };
    if constexpr (D == 2) {
      const int start[2] = {i[0], i[1]};
      walk_back<2>(g_, guide_, start, r_.radius, [&](const int (&c)[2], int axis, const double (&)[2]) {
        const Index<D> i0{c[0], c[1]};
        Index<D> i1 = i0;
        ++i1[1 - axis];
        if (!done_[lay_.flatten(i0)] || !done_[lay_.flatten(i1)]) return false;
        from_line(i0, i1);
        return std::isfinite(got.value);
      });
    } else {
      const int start[3] = {i[0], i[1], i[2]};
      // A face update ends the walk; edge minima (the characteristic
      // crossing the square's sides) only stand in when no square further
      // on has one: they are constrained minima, too high when the
      // crossing lies inside a face.
      typename JetCost<D>::Update edge;
      walk_back<3>(g_, guide_, start, r_.radius, [&](const int (&c)[3], int axis, const double (&fr)[3]) {
        from_square(x, target, c, axis, fr, got, edge);
        return std::isfinite(got.value);
      });
      if (!std::isfinite(got.value)) got = edge;
    }
    if (std::isfinite(got.value)) {
      r_.value[f] = got.value;
      Vd gr = jet_->gradient(got, target);
      if (!gr.allFinite() && !got.straight) {
        got.straight = true;
        gr = jet_->gradient(got, target);
      }
      for (int k = 0; k < D; ++k) r_.grad[f * D + k] = gr[k];
      const std::int32_t slot = pending_slot_[f];  // a trial node of the core's march
      if (slot >= 0) free_slots_.push_back(slot), pending_slot_[f] = -1;
    } else {
      ++r_.guide_fallbacks;
      for_each_in_ball(done_bits, i, [&](std::int64_t fs, const Index<D>& is) { update_jet(f, i, fs, is); });
      settle_gradient(f);
    }
    done_[f] = 1;
    done_bits.set(f);
    r_.node_status[f] = kAcceptedS;
    ++r_.accepted;
    if (progress && (r_.accepted & 0xFFFF) == 0) progress->update(static_cast<std::uint64_t>(r_.accepted));
  }
  r_.message = "whole box";
}

template <int D>
void Marcher<D>::from_square(const typename JetCost<D>::Vd& x, const typename JetCost<D>::Point& target, const int (&c)[3],
                                int axis, const double (&fr)[3], typename JetCost<D>::Update& got,
                                typename JetCost<D>::Update& edge) {
  if constexpr (D == 3) {
    using Vd = typename JetCost<D>::Vd;
    const int u = axis == 0 ? 1 : 0, w = axis == 2 ? 1 : 2;
    Index<D> p[4];  // p00, p10, p01, p11 (in u, w)
    for (int q = 0; q < 4; ++q) {
      p[q] = {c[0], c[1], c[2]};
      p[q][u] += q & 1;
      p[q][w] += q >> 1;
    }
    std::int64_t f[4];
    for (int q = 0; q < 4; ++q) {
      f[q] = lay_.flatten(p[q]);
      if (!done_[f[q]]) return;
    }
    Vd xs[4], gs[4];
    double vs[4];
    for (int q = 0; q < 4; ++q) {
      coords(p[q], xs[q].data());
      gs[q] = Eigen::Map<const Vd>(&r_.grad[f[q] * D]);
      vs[q] = r_.value[f[q]];
      if (crosses_equilibrium(xs[q].data(), x.data())) return;
    }
    const double al = fr[u], be = fr[w];
    // The halves: (p00, p11; source p10) holds the points with al >= be,
    // at barycentric (1 - al, be); (p00, p11; source p01) the others, at
    // (1 - be, al).
    const auto face = [&](int source, double l0, double l1) {
      const Vd xf[3] = {xs[0], xs[3], xs[source]};
      const double vf[3] = {vs[0], vs[3], vs[source]};
      const Vd gf[3] = {gs[0], gs[3], gs[source]};
      ++r_.updates;
      const auto up = jet_->from_face(xf, vf, gf, target, l0, l1);
      if (up.value < got.value) got = up;
    };
    const bool lower = al >= be;
    face(lower ? 1 : 2, lower ? 1 - al : 1 - be, lower ? be : al);
    if (std::isfinite(got.value)) return;
    face(lower ? 2 : 1, 0.5, 0.25);
    if (std::isfinite(got.value)) return;
    if (std::isfinite(edge.value)) return;  // a nearer square's edges stand in already
    constexpr int kSides[5][2] = {{0, 1}, {1, 3}, {0, 2}, {2, 3}, {0, 3}};
    for (const auto& e : kSides) {
      const int a = e[0], b = e[1];
      ++r_.updates;
      const auto up = jet_->from_edge(xs[a], vs[a], gs[a], xs[b], vs[b], gs[b], target,
                                      jet_->path_action(xs[b], gs[b], target));
      if (up.value < edge.value) edge = up;
    }
  }
}

template double Marcher<2>::core_value() const;
template double Marcher<3>::core_value() const;
template void Marcher<2>::run_guided(Progress*);
template void Marcher<3>::run_guided(Progress*);

}  // namespace fw::hj::detail
