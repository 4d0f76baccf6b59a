// solvers/hj/marcher.hpp — one march behind fw::hj::solve (olim.hpp):
// seeding, the accepted front, the OLIM and jet updates (marcher.cpp), and
// the pass guided by a coarse solve (guided.cpp). Internal to solvers/hj.
#pragma once

#include <string>
#include <array>
#include <optional>
#include <queue>
#include <vector>

#include "fwkit/core/progress.hpp"
#include "guide.hpp"
#include "jet_cost.hpp"
#include "local_cost.hpp"
#include "march_grid.hpp"
#include "olim.hpp"

namespace fw::hj::detail {

/// One march: the grid state, the heap and the update rules.
template <int D>
class Marcher {
 public:
  Marcher(const Problem& pb, const Options& o, Result& r, Guide guide = {});

  /// Seeds the source; false (with the result's message set) on failure.
  bool seed() { return pb_.cycle.empty() ? seed_point() : seed_cycle(); }

  /// Accepts nodes in increasing V until the heap empties (or a boundary
  /// node is accepted under stop_at_boundary).
  void run(Progress* progress, double until = kInf);

 private:
  void coords(const Index<D>& i, double* x) const {
    for (int k = 0; k < D; ++k) x[k] = g_.coordinate(k, i[k]);
  }

  void set_seed(std::int64_t f, double value, const double* grad = nullptr) {
    if (jet_)
      for (int k = 0; k < D; ++k) r_.grad[f * D + k] = grad ? grad[k] : 0.0;
    r_.value[f] = value;
    r_.node_status[f] = kSeedS;
    heap_.push({value, f});
  }

  bool fail(const char* why) {
    r_.status = Result::Status::kFailed;
    r_.message = why;
    return false;
  }

  /// Point attractor: V_lin(x) = (x - x*)^T Sigma^{-1} (x - x*) / 2 with
  /// J Sigma + Sigma J^T + D = 0 on the nodes within the seed radius.
  bool seed_point();
  /// The message of a march over the whole box: how many nodes stayed at
  /// V = inf, and why when the noise is bounded.
  std::string box_message() const;

  /// Limit cycle: V = 0 at the nodes within 0.75 h of the closed polyline
  /// through the cycle's points (an O(h^2) error in V).
  bool seed_cycle();

  /// Whether the segment a -> x passes (strictly inside) within the seed
  /// radius of the attractor or another equilibrium, where the midpoint rule
  /// would price it at nearly nothing; such segments are skipped (paths
  /// through the neighbourhood go in and out by segments that end there).
  bool crosses_equilibrium(const double* a, const double* x) const;

  int inside_neighbours(const Index<D>& i) const {
    int c = 1;
    for (int k = 0; k < D; ++k) c *= 1 + (i[k] > 0) + (i[k] < lay_.n[k] - 1);
    return c - 1;
  }
  bool within_radius(const Index<D>& a, const Index<D>& b) const {
    double d2 = 0;
    for (int k = 0; k < D; ++k) d2 += static_cast<double>(a[k] - b[k]) * (a[k] - b[k]);
    return d2 <= static_cast<double>(r_.radius) * r_.radius;
  }

  static bool adjacent(const Index<D>& a, const Index<D>& b) {
    for (int k = 0; k < D; ++k)
      if (std::abs(a[k] - b[k]) > 1) return false;
    return true;
  }
  /// Whether c lies on the line through a and b (integer cross product 0).
  static bool collinear(const Index<D>& a, const Index<D>& b, const Index<D>& c) {
    if constexpr (D == 3) {
      const int u[3] = {b[0] - a[0], b[1] - a[1], b[2] - a[2]}, w[3] = {c[0] - a[0], c[1] - a[1], c[2] - a[2]};
      return u[1] * w[2] == u[2] * w[1] && u[2] * w[0] == u[0] * w[2] && u[0] * w[1] == u[1] * w[0];
    } else {
      return (b[0] - a[0]) * (c[1] - a[1]) == (b[1] - a[1]) * (c[0] - a[0]);
    }
  }

  /// Calls fn(f, i) for each node i within the radius of i1 (not i1 itself)
  /// whose bit is set in `bits`, in lexicographic order of the offsets.
  template <class Fn>
  void for_each_in_ball(const NodeBits& bits, const Index<D>& i1, Fn&& fn) const {
    constexpr int L = D - 1;
    for (const BallRow& row : ball_rows_) {
      Index<D> c;
      bool inside = true;
      for (int k = 0; k < L; ++k) {
        c[k] = i1[k] + row.off[k];
        inside = inside && c[k] >= 0 && c[k] < lay_.n[k];
      }
      if (!inside) continue;
      const int lo = std::max(0, i1[L] - row.half), hi = std::min(lay_.n[L] - 1, i1[L] + row.half);
      c[L] = lo;
      const std::int64_t f_lo = lay_.flatten(c);
      const bool centre = std::all_of(row.off.begin(), row.off.end(), [](int o) { return o == 0; });
      bits.for_each(f_lo, f_lo + (hi - lo), [&](std::int64_t f) {
        Index<D> i = c;
        i[L] = lo + static_cast<int>(f - f_lo);
        if (!(centre && i[L] == i1[L])) fn(f, i);
      });
    }
  }

  /// Calls fn(f0, i0) for each accepted grid neighbour i0 of the source is
  /// within the radius of the target i: the other ends of the base edges.
  template <class Fn>
  void for_each_base_neighbour(const Index<D>& i, const Index<D>& is, Fn&& fn) const {
    for (const auto& off : cube_) {
      Index<D> i0;
      for (int k = 0; k < D; ++k) i0[k] = is[k] + off[k];
      if (!lay_.inside(i0)) continue;
      const std::int64_t f0 = lay_.flatten(i0);
      if (done_[f0] && within_radius(i, i0)) fn(f0, i0);
    }
  }

  /// Updates node (f, i) from the accepted source (fs, is): the one-point
  /// update, and when that improves V(f) (the hierarchical rule of OLIM),
  /// triangle updates with the source's accepted neighbours.
  void update(std::int64_t f, const Index<D>& i, std::int64_t fs, const Index<D>& is);

  /// The jet update (Method::kJet): the one-point update from the source
  /// along its minimum action direction, then edge updates with the source's
  /// accepted neighbours; V and grad V of the best are kept.
  void update_jet(std::int64_t f, const Index<D>& i, std::int64_t fs, const Index<D>& is);

  /// grad V at node f from the update that set its value: d/dx of that
  /// path's action (JetCost::gradient), or of the straight segment from the
  /// same base point where the curve cannot be formed on both sides of the
  /// node (not seen on the test fields; NaN if neither can).
  void settle_gradient(std::int64_t f);

  /// An accepted grid neighbour of an update's source, and the minimum of
  /// the update over the edge between them (3-D: where face updates start).
  struct Base {
    std::int64_t f;
    Index<D> i;
    double start;  // the edge minimum's distance from the source, in edge lengths (NaN: none inside)
    double value;  // the edge minimum's value
  };

  /// 3-D face updates on the triangles (source, n0, n1) of mutually
  /// neighbouring accepted nodes: in 3-D the characteristic crosses the
  /// front inside a face, and edges alone leave an O(h) error. From the two
  /// edges (source, n0) with the lowest interior minima, into the face
  /// around each where the value falls fastest (if any falls: the KKT
  /// condition), each face once. fall(a, c): that rate for the face of
  /// bases a and c from a's edge minimum; run(a, c): the face update.
  template <class Fall, class Run>
  void face_updates(const std::array<Base, 26>& bases, int nb, const Index<D>& is, Fall&& fall, Run&& run) {
    std::uint32_t tried[26] = {};  // bit c of tried[a]: face (a, c) done
    // From the two edges with the lowest minima only: the crossing face is
    // next to them. (On the s = 0.1 field of the tests: V errors unchanged
    // to four digits, grad V's within 1%, 1.5x faster than from every edge;
    // from one edge grad V's errors grow 17%.)
    constexpr int keep = 2;
    double cut = kInf;
    {
      double vals[26];
      int m = 0;
      for (int a = 0; a < nb; ++a)
        if (!std::isnan(bases[a].start)) vals[m++] = bases[a].value;
      if (m > keep) {
        std::nth_element(vals, vals + keep - 1, vals + m);
        cut = vals[keep - 1];
      }
    }
    for (int a = 0; a < nb; ++a) {
      if (std::isnan(bases[a].start) || bases[a].value > cut) continue;
      int pick = -1;
      double steepest = 0;
      for (int c = 0; c < nb; ++c) {
        if (c == a || (tried[a] >> c & 1u) || !adjacent(bases[a].i, bases[c].i) || collinear(is, bases[a].i, bases[c].i))
          continue;
        const double rate = fall(a, c);
        if (rate > steepest) steepest = rate, pick = c;
      }
      if (pick < 0) continue;
      tried[a] |= 1u << pick;
      tried[pick] |= 1u << a;
      run(a, pick);
      ++r_.updates;
    }
  }

  /// The first update of a new trial node under the jet method: the front
  /// nodes within the radius ranked by the straight segment's cost (cheap),
  /// and the jet update from the best few only. Later acceptances within the
  /// radius update the node again as usual. Two in 2-D (on the benchmark,
  /// 257^2 to 1025^2, 2, 3, 4 and 6 give the same errors to four digits and
  /// 1 is 4% worse at 1025^2), four in 3-D (two: 2% worse at 49^3).
  void first_jet_update(std::int64_t f, const Index<D>& i);

 public:
  /// The V below which the march itself computes the nodes under a guide:
  /// the core within K grid steps of the attractor in 2-D, 3K in 3-D
  /// (K the update radius), where the characteristics turn through large
  /// angles within the reach of an update. Measured: 2-D benchmark, 1025^2
  /// max errors 1.6e-5, 1.4e-5, 5.6e-6, 5.6e-6, 6.4e-6 and 7.1e-6 with
  /// cores of 0, 6, 9, 12, 24 and 48 steps; 3-D (s = 0.1, K = 6, 65^3)
  /// 8.2e-3, 1.6e-3, 4.19e-4 and 4.19e-4 with K, 2K, 3K and 4K (the march
  /// alone: 4.19e-4).
  double core_value() const;

  /// The guided pass (guide.hpp): after the core, every node not yet
  /// accepted, in increasing order of the guide's V, from the first segment
  /// (2-D; walking along the segment's line while the minimum lies beyond
  /// an end) or square (3-D, from_square) of computed nodes its backward
  /// characteristic crosses; nodes for which the walk finds none (it leaves
  /// the box, or the update radius) take the march's updates from every
  /// computed node within the radius.
  void run_guided(Progress* progress);

 private:
  bool guided_ = false;

  /// 3-D guided update from the square of the grid plane normal to `axis`
  /// with lower corner c that the backward characteristic crosses at the
  /// fractions fr: the face update from the half of the square (split
  /// along its diagonal from c) holding the crossing, else from the other
  /// half, into `got`; failing both, the lowest edge minimum over its sides
  /// and diagonal into `edge` (unless it holds one already). Needs the
  /// square's nodes computed.
  void from_square(const typename JetCost<D>::Vd& x, const typename JetCost<D>::Point& target, const int (&c)[3],
                   int axis, const double (&fr)[3], typename JetCost<D>::Update& got,
                   typename JetCost<D>::Update& edge);

  /// Accepts f1; returns true when the march should stop here.
  bool accept(std::int64_t f1);

  const Problem& pb_;
  const Options& o_;
  Result& r_;
  const grid::Grid& g_;
  const Layout<D> lay_;
  const LocalCost cost_;
  const Guide guide_;  // Options::guided: the coarse solution's order and directions
  std::optional<JetCost<D>> jet_;
  std::vector<Entry> candidates_;  // jet: first-update sources, ranked
  std::int64_t N_ = 0;
  double hmax_ = 0, seed_r_ = 0, avoid_r_ = 0;
  /// jet: V improvements below which a later edge update keeps the earlier
  /// grad V (update_jet); 0 for a cycle source.
  double keep_gradient_below_ = 0;
  /// ... as a multiple of h^2 times the largest eigenvalue of Hess V at
  /// the attractor. On the benchmark (eigenvalue 4), 0.125, 0.25, 0.5 and 1
  /// gave 1025^2 max errors 9.6e-6, 7.2e-6, 1.5e-5 and 2.9e-5 (1.43e-5
  /// without the rule).
  static constexpr double kKeepGradient = 0.25;
  std::vector<Index<D>> cube_;
  struct BallRow {
    Index<D> off;  // the offset of the row's centre (last coordinate 0)
    int half;      // the row spans last-coordinate offsets -half .. half
  };
  std::vector<BallRow> ball_rows_;  // the nodes within the update radius, by rows
  // Only front nodes (accepted, with a neighbour not yet accepted) are update
  // sources: a path from deeper inside crosses the front anyway.
  NodeBits trial_, front_;
  std::vector<Vec> avoid_;
  std::vector<char> from_edge_;             // jet: V[f] comes from an edge update
  // jet: the update that set a trial node's value, until its acceptance
  // forms grad V from it: pending_[pending_slot_[f]] (slot -1: none).
  std::vector<std::int32_t> pending_slot_, free_slots_;
  std::vector<typename JetCost<D>::Update> pending_;
  std::vector<char> done_;                  // accepted (seeds too, once popped)
  std::vector<std::uint8_t> done_neighbours_;
  std::priority_queue<Entry, std::vector<Entry>, std::greater<>> heap_;
};

}  // namespace fw::hj::detail
