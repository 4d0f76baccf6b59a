// The marching behind fw::hj::solve (olim.hpp): seeding, the accepted
// front, one-point and triangle updates.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <bit>
#include <chrono>
#include <cmath>
#include <limits>
#include <optional>
#include <queue>

#include "fwkit/core/error.hpp"
#include "fwkit/model/lyapunov.hpp"
#include "guide.hpp"
#include "jet_cost.hpp"
#include "local_cost.hpp"
#include "olim.hpp"

namespace fw::hj {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

template <int D>
using Index = std::array<int, D>;

/// Row-major flat index <-> multi-index on the node grid.
template <int D>
struct Layout {
  Index<D> n;
  std::array<std::int64_t, D> stride;
  explicit Layout(const grid::Grid& g) {
    std::int64_t s = 1;
    for (int k = D - 1; k >= 0; --k) {
      n[k] = g.nodes[k];
      stride[k] = s;
      s *= n[k];
    }
  }
  Index<D> unflatten(std::int64_t f) const {
    Index<D> i;
    for (int k = 0; k < D; ++k) {
      i[k] = static_cast<int>(f / stride[k]);
      f %= stride[k];
    }
    return i;
  }
  bool inside(const Index<D>& i) const {
    for (int k = 0; k < D; ++k)
      if (i[k] < 0 || i[k] >= n[k]) return false;
    return true;
  }
  std::int64_t flatten(const Index<D>& i) const {
    std::int64_t f = 0;
    for (int k = 0; k < D; ++k) f += i[k] * stride[k];
    return f;
  }
  bool on_boundary(const Index<D>& i) const {
    for (int k = 0; k < D; ++k)
      if (i[k] == 0 || i[k] == n[k] - 1) return true;
    return false;
  }
};

/// Integer offsets o != 0 with |o| <= r, and the 3^D - 1 grid neighbours.
template <int D>
std::vector<Index<D>> offsets(double r, bool unit_cube) {
  std::vector<Index<D>> out;
  const int m = unit_cube ? 1 : static_cast<int>(std::floor(r));
  Index<D> o;
  o.fill(-m);
  while (true) {
    double n2 = 0;
    bool zero = true;
    for (int k = 0; k < D; ++k) {
      n2 += static_cast<double>(o[k]) * o[k];
      zero = zero && o[k] == 0;
    }
    if (!zero && (unit_cube || n2 <= r * r + 1e-9)) out.push_back(o);
    int k = D - 1;
    while (k >= 0 && o[k] == m) o[k--] = -m;
    if (k < 0) break;
    ++o[k];
  }
  return out;
}

struct Entry {
  double value;
  std::int64_t node;
  bool operator>(const Entry& o) const { return value > o.value || (value == o.value && node > o.node); }
};

/// The rotation of the drift relative to its contraction over the box:
/// sqrt(sum |A|_F^2 / sum |S|_F^2) over a coarse sample, Db = S + A its
/// symmetric and antisymmetric parts; capped at 2.
/// The centres of a per^d array of equal cells covering the box.
std::vector<Vec> box_sample(const grid::Grid& g, int per) {
  const int d = g.dim();
  std::vector<Vec> out;
  std::vector<int> idx(d, 0);
  while (true) {
    Vec x(d);
    for (int k = 0; k < d; ++k) x[k] = g.lower[k] + (g.upper[k] - g.lower[k]) * (idx[k] + 0.5) / per;
    out.push_back(std::move(x));
    int k = d - 1;
    while (k >= 0 && idx[k] == per - 1) idx[k--] = 0;
    if (k < 0) break;
    ++idx[k];
  }
  return out;
}

double rotation_ratio(const model::Hamiltonian& h, const grid::Grid& g) {
  double sym2 = 0, anti2 = 0;
  for (const Vec& x : box_sample(g, 9)) {
    const Mat j = h.model().system->jacobian_at(x);
    sym2 += (0.5 * (j + j.transpose())).squaredNorm();
    anti2 += (0.5 * (j - j.transpose())).squaredNorm();
  }
  return std::min(2.0, std::sqrt(anti2 / std::max(sym2, 1e-300)));
}

/// Gaussian noise: D(x) must be positive definite over the box (both
/// methods price segments with D^{-1}); checked on a coarse sample of the
/// box and at the attractor. Rank-deficient noise (e.g. noise on the
/// velocity of an underdamped oscillator only) would otherwise march
/// meaningless values.
void require_definite_noise(const model::Hamiltonian& h, const grid::Grid& g, const Vec& attractor) {
  const auto& noise = *h.model().noise;
  if (!(h.kind() == model::HamiltonianKind::kLangevin || noise.is_gaussian())) return;
  const int d = g.dim(), per = noise.depends_on_state() ? 9 : 1;
  std::vector<Vec> points = box_sample(g, per);
  if (attractor.size() == d) points.push_back(attractor);
  for (const Vec& x : points) {
    const Eigen::SelfAdjointEigenSolver<Mat> es(h.hess_p(x, Vec::Zero(d)));
    const Vec& ev = es.eigenvalues();
    if (ev.minCoeff() > 1e-10 * ev.cwiseAbs().maxCoeff()) continue;
    std::string at, eig;
    for (int k = 0; k < d; ++k) {
      at += fmt::format("{}{:.4g}", k ? ", " : "", x[k]);
      eig += fmt::format("{}{:.4g}", k ? ", " : "", ev[k]);
    }
    throw config_error(fmt::format(
        "model.noise: D(x) = sigma sigma^T is singular at x = [{}] (eigenvalues [{}]); the grid quasi-potential needs "
        "D(x) positive definite on the box: degenerate (rank-deficient) Gaussian noise is not supported by the grid "
        "solvers",
        at, eig));
  }
}

/// The default update radius: (0.5 + 0.5 rho) sqrt(n) in 2-D (rho the
/// rotation ratio, so 1.5 sqrt(n) for strongly rotational drifts, where long
/// segments are needed to follow spirals, and 0.5 sqrt(n) for gradient-like
/// ones, where long midpoint segments undercharge convex |b|); sqrt(n) / 2
/// in 3-D. The jet method converges at fixed K: 5 + 3.5 rho in 2-D (the
/// update edge must reach where the characteristic crosses the accepted
/// front, about h / cos(angle between b + D grad V and grad V) away), and
/// 4 + 2 rho in 3-D, where the faces make the front denser in directions
/// and each update costs more (K = 4 and 8 give the same errors on a
/// gradient-like linear field).
template <int D>
int default_radius(const model::Hamiltonian& h, const grid::Grid& g, int nmax, Method method) {
  if (method == Method::kJet) {
    const double rho = rotation_ratio(h, g);
    return static_cast<int>(std::lround(D == 2 ? 5 + 3.5 * rho : 4 + 2 * rho));
  }
  if (D == 3) return std::max(2, static_cast<int>(std::lround(0.5 * std::sqrt(nmax))));
  const double rho = rotation_ratio(h, g);
  return std::max(3, static_cast<int>(std::lround((0.5 + 0.5 * rho) * std::sqrt(nmax))));
}

/// Whether Options::guided applies (see there): the jet method, a point
/// attractor with no other equilibrium in the box, the whole box, at least
/// 257 nodes a side in 2-D and 65 in 3-D, and in 3-D a rotation ratio
/// (rotation_ratio) up to 1.75. The 3-D field of the tests at 65^3: with
/// s = 0.25 (ratio 1.68) 1.16e-3 in 4.5 s guided, 1.16e-3 in 9.8 s by the
/// march; with s = 1 (ratio 2, capped) 3.8e-2 guided against the march's
/// 7.2e-3 at 49^3: where the face searches fail (docs/performance.md) the
/// guided pass has no other update to fall back on than the edges.
constexpr int kGuideMinNodes = 257, kGuideMinNodes3 = 65;
constexpr double kGuideMaxRotation3 = 1.75;
template <int D>
bool guided_applies(const Problem& pb, const Options& o) {
  if (!o.guided || o.method != Method::kJet || !pb.cycle.empty() || !pb.equilibria.empty() ||
      o.stop_at_boundary)
    return false;
  for (int k = 0; k < D; ++k)
    if (pb.grid.nodes[k] < (D == 2 ? kGuideMinNodes : kGuideMinNodes3)) return false;
  return D == 2 || rotation_ratio(pb.hamiltonian, pb.grid) <= kGuideMaxRotation3;
}

constexpr auto kFarS = static_cast<std::int8_t>(NodeStatus::kFar);
constexpr auto kTrialS = static_cast<std::int8_t>(NodeStatus::kTrial);
constexpr auto kAcceptedS = static_cast<std::int8_t>(NodeStatus::kAccepted);
constexpr auto kSeedS = static_cast<std::int8_t>(NodeStatus::kSeed);

/// One bit a node: the trial nodes, or the front (accepted nodes with a
/// neighbour not yet accepted), so that the nodes of a kind within the
/// update radius are found a row of the ball at a time.
class NodeBits {
 public:
  explicit NodeBits(std::int64_t n) : w_(static_cast<std::size_t>(n / 64 + 1), 0) {}
  void set(std::int64_t f) { w_[static_cast<std::size_t>(f >> 6)] |= std::uint64_t{1} << (f & 63); }
  void clear(std::int64_t f) { w_[static_cast<std::size_t>(f >> 6)] &= ~(std::uint64_t{1} << (f & 63)); }
  /// Calls fn(f) for each set bit f in [lo, hi], in increasing order.
  template <class Fn>
  void for_each(std::int64_t lo, std::int64_t hi, Fn&& fn) const {
    for (std::int64_t w = lo >> 6; w <= hi >> 6; ++w) {
      std::uint64_t bits = w_[static_cast<std::size_t>(w)];
      const std::int64_t base = w << 6;
      if (base < lo) bits &= ~std::uint64_t{0} << (lo - base);
      if (hi - base < 63) bits &= ~(~std::uint64_t{0} << (hi - base + 1));
      while (bits) {
        fn(base + std::countr_zero(bits));
        bits &= bits - 1;
      }
    }
  }

 private:
  std::vector<std::uint64_t> w_;
};

/// One march: the grid state, the heap and the update rules.
template <int D>
class Marcher {
 public:
  Marcher(const Problem& pb, const Options& o, Result& r, Guide guide = {})
      : pb_(pb), o_(o), r_(r), g_(pb.grid), lay_(pb.grid), cost_(pb.hamiltonian, o.simpson), guide_(std::move(guide)),
        trial_(static_cast<std::int64_t>(pb.grid.size())), front_(static_cast<std::int64_t>(pb.grid.size())) {
    N_ = static_cast<std::int64_t>(g_.size());
    int nmax = 0;
    for (int k = 0; k < D; ++k) {
      nmax = std::max(nmax, g_.nodes[k]);
      hmax_ = std::max(hmax_, g_.spacing(k));
    }
    r_.radius = o.radius > 0 ? o.radius : default_radius<D>(pb.hamiltonian, g_, nmax, o.method);
    // The update ball by rows along the last axis (offsets() lists them in
    // order, each row from its most negative entry).
    for (const auto& o2 : offsets<D>(r_.radius, false))
      if (ball_rows_.empty() || !std::equal(o2.begin(), o2.end() - 1, ball_rows_.back().off.begin())) {
        Index<D> c = o2;
        c[D - 1] = 0;
        ball_rows_.push_back({c, -o2[D - 1]});
      }
    cube_ = offsets<D>(1, true);
    seed_r_ = o.seed_radius * hmax_;
    // Curved paths priced by Simpson's rule only undercharge when they pass
    // right by an equilibrium (the integrand vanishes there).
    avoid_r_ = o.method == Method::kJet ? std::min(o.seed_radius, 2.0) * hmax_ : seed_r_;
    avoid_ = pb.equilibria;
    if (pb.cycle.empty()) avoid_.push_back(pb.attractor);
    r_.value.assign(N_, kInf);
    if (o.method == Method::kJet) {
      jet_.emplace(pb.hamiltonian);
      pending_slot_.assign(N_, -1);
      r_.grad.assign(static_cast<std::size_t>(N_) * D, std::numeric_limits<double>::quiet_NaN());
    }
    r_.node_status.assign(N_, kFarS);
    done_.assign(N_, 0);
    from_edge_.assign(N_, 0);
    done_neighbours_.assign(N_, 0);
  }

  /// Seeds the source; false (with the result's message set) on failure.
  bool seed() { return pb_.cycle.empty() ? seed_point() : seed_cycle(); }

  /// Accepts nodes in increasing V until the heap empties (or a boundary
  /// node is accepted under stop_at_boundary).
  void run(Progress* progress, double until = kInf) {
    r_.status = Result::Status::kSuccess;
    while (!heap_.empty()) {
      const Entry top = heap_.top();
      if (top.value > until) break;
      heap_.pop();
      if (done_[top.node] || top.value > r_.value[top.node]) continue;  // stale entry
      if (accept(top.node)) break;
      if (progress && (r_.accepted & 0xFFFF) == 0) progress->update(static_cast<std::uint64_t>(r_.accepted));
    }
    // Nodes left trial (a stop at the boundary) get grad V from their
    // current updates, as accepted ones do.
    for (std::int64_t f = 0; jet_ && !pending_.empty() && f < N_; ++f)
      if (pending_slot_[f] >= 0) settle_gradient(f);
    r_.message = r_.status == Result::Status::kStoppedAtBoundary ? "stopped at the first boundary node" : "whole box";
  }

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
  bool seed_point() {
    const Vec& xa = pb_.attractor;
    const model::Hamiltonian& h = pb_.hamiltonian;
    const Mat jac = h.model().system->jacobian_at(xa);
    if ((jac.eigenvalues().real().array() >= 0).any() || h.model().system->drift_at(xa).norm() > 1e-6 * (1 + xa.norm()))
      return fail("the attractor is not a stable equilibrium of the drift");
    const Mat sigma_inv = model::lyapunov_covariance(jac, h.hess_p(xa, Vec::Zero(D))).inverse();
    // The scale of V's discretization error, h^2 times V's curvature at the
    // attractor (see update_jet).
    const double curvature =
        Eigen::SelfAdjointEigenSolver<Mat>(0.5 * (sigma_inv + sigma_inv.transpose())).eigenvalues().maxCoeff();
    keep_gradient_below_ = kKeepGradient * curvature * hmax_ * hmax_;
    Index<D> center;
    for (int k = 0; k < D; ++k) center[k] = static_cast<int>(std::lround((xa[k] - g_.lower[k]) / g_.spacing(k)));
    if (!lay_.inside(center)) return fail("the attractor lies outside the grid");
    double grad[D];
    auto seed_value = [&](const double* x) {
      double v = 0;
      for (int k = 0; k < D; ++k) {
        grad[k] = 0;
        for (int l = 0; l < D; ++l) grad[k] += sigma_inv(k, l) * (x[l] - xa[l]);
        v += (x[k] - xa[k]) * grad[k];
      }
      return 0.5 * v;
    };
    const int reach = static_cast<int>(std::ceil(o_.seed_radius)) + 1;
    for (const auto& off : offsets<D>(reach * std::sqrt(static_cast<double>(D)), false)) {
      Index<D> i;
      for (int k = 0; k < D; ++k) i[k] = center[k] + off[k];
      if (!lay_.inside(i)) continue;
      double x[D];
      coords(i, x);
      double r2 = 0;
      for (int k = 0; k < D; ++k) r2 += (x[k] - xa[k]) * (x[k] - xa[k]);
      if (r2 <= seed_r_ * seed_r_) set_seed(lay_.flatten(i), seed_value(x), grad);
    }
    double x[D];
    coords(center, x);
    if (r_.node_status[lay_.flatten(center)] != kSeedS) {
      const double v = seed_value(x);
      set_seed(lay_.flatten(center), v, grad);
    }
    return true;
  }

  /// Limit cycle: V = 0 at the nodes within 0.75 h of the closed polyline
  /// through the cycle's points (an O(h^2) error in V).
  bool seed_cycle() {
    std::vector<double> dist(N_, kInf);
    const std::size_t P = pb_.cycle.size();
    for (std::size_t q = 0; q < P; ++q) {
      const Vec& p0 = pb_.cycle[q];
      const Vec& p1 = pb_.cycle[(q + 1) % P];
      Index<D> c;
      for (int k = 0; k < D; ++k) c[k] = static_cast<int>(std::lround((p0[k] - g_.lower[k]) / g_.spacing(k)));
      const int reach = 2 + static_cast<int>(std::ceil((p1 - p0).norm() / hmax_));  // covers the segment
      for (const auto& off : offsets<D>(reach, false)) {
        Index<D> i;
        for (int k = 0; k < D; ++k) i[k] = c[k] + off[k];
        if (!lay_.inside(i)) continue;
        double x[D];
        coords(i, x);
        double ee = 0, xe = 0;
        for (int k = 0; k < D; ++k) {
          ee += (p1[k] - p0[k]) * (p1[k] - p0[k]);
          xe += (x[k] - p0[k]) * (p1[k] - p0[k]);
        }
        const double t = std::clamp(ee > 0 ? xe / ee : 0.0, 0.0, 1.0);
        double d2 = 0;
        for (int k = 0; k < D; ++k) {
          const double c2 = x[k] - p0[k] - t * (p1[k] - p0[k]);
          d2 += c2 * c2;
        }
        const std::int64_t f = lay_.flatten(i);
        dist[f] = std::min(dist[f], std::sqrt(d2));
      }
    }
    for (std::int64_t f = 0; f < N_; ++f)
      if (dist[f] <= 0.75 * hmax_) set_seed(f, 0.0);
    return heap_.empty() ? fail("the cycle does not pass through the grid") : true;
  }

  /// Whether the segment a -> x passes (strictly inside) within the seed
  /// radius of the attractor or another equilibrium, where the midpoint rule
  /// would price it at nearly nothing; such segments are skipped (paths
  /// through the neighbourhood go in and out by segments that end there).
  bool crosses_equilibrium(const double* a, const double* x) const {
    double ee = 0;
    for (int k = 0; k < D; ++k) ee += (x[k] - a[k]) * (x[k] - a[k]);
    for (const Vec& z : avoid_) {
      double t = 0;
      for (int k = 0; k < D; ++k) t += (z[k] - a[k]) * (x[k] - a[k]);
      t /= ee;
      if (t <= 0 || t >= 1) continue;
      double c2 = 0;
      for (int k = 0; k < D; ++k) {
        const double c = a[k] + t * (x[k] - a[k]) - z[k];
        c2 += c * c;
      }
      if (c2 < avoid_r_ * avoid_r_) return true;
    }
    return false;
  }

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
  void update(std::int64_t f, const Index<D>& i, std::int64_t fs, const Index<D>& is) {
    if (jet_) return update_jet(f, i, fs, is);
    std::vector<double>& V = r_.value;
    double xs[D], x0[D], x[D];
    coords(is, xs);
    coords(i, x);
    if (crosses_equilibrium(xs, x)) return;
    double best = V[fs] + cost_.segment(xs, x);
    ++r_.updates;
    if (!(best < V[f])) return;
    for_each_base_neighbour(i, is, [&](std::int64_t f0, const Index<D>& i0) {
      coords(i0, x0);
      best = std::min(best, cost_.triangle(x0, V[f0], xs, V[fs], x));
      ++r_.updates;
    });
    if (best < V[f]) {
      V[f] = best;
      heap_.push({best, f});
    }
  }

  /// The jet update (Method::kJet): the one-point update from the source
  /// along its minimum action direction, then edge updates with the source's
  /// accepted neighbours; V and grad V of the best are kept.
  void update_jet(std::int64_t f, const Index<D>& i, std::int64_t fs, const Index<D>& is) {
    using Vd = typename JetCost<D>::Vd;
    std::vector<double>& V = r_.value;
    const auto node = [&](const Index<D>& j) {
      Vd x;
      for (int k = 0; k < D; ++k) x[k] = g_.coordinate(k, j[k]);
      return x;
    };
    const auto grad = [&](std::int64_t fn) { return Vd(Eigen::Map<const Vd>(&r_.grad[fn * D])); };
    const Vd xs = node(is), x = node(i);
    if (crosses_equilibrium(xs.data(), x.data())) return;
    // The hierarchical filter of OLIM: the straight segment from the source
    // must improve V(x) before the (costlier) curved updates are tried.
    if (from_edge_[f] && !(V[fs] + cost_.segment(xs.data(), x.data()) < V[f])) return;
    const typename JetCost<D>::Point target = jet_->at(x);
    const double source = jet_->path_action(xs, grad(fs), target);
    ++r_.updates;
    typename JetCost<D>::Update best;
    // 3-D: the edge minima of the base neighbours, where face updates start,
    // located coarsely first (they rank the edges and start the face
    // searches); the best is refined if no face beats it. 2-D: to the
    // default tolerance, which the stop on the slope's rounding noise
    // (JetCost::from_edge) usually ends first.
    constexpr double kCoarse = D == 3 ? 1e-4 : 1e-10;
    std::array<Base, 26> bases;
    int nb = 0, best_edge = -1;
    for_each_base_neighbour(i, is, [&](std::int64_t f0, const Index<D>& i0) {
      const Vd x0 = node(i0);
      if (crosses_equilibrium(x0.data(), x.data())) return;
      const auto u = jet_->from_edge(x0, V[f0], grad(f0), xs, V[fs], grad(fs), target, source, kCoarse);
      ++r_.updates;
      if (u.value < best.value) best = u, best_edge = nb;
      if (D == 3)
        bases[nb++] = {f0, i0, std::isfinite(u.value) ? (u.base - xs).norm() / (x0 - xs).norm() : kNaN, u.value};
    });
    if constexpr (D == 3) {
      struct Face {
        Vd x[3];
        double v[3];
        Vd g[3];
      };
      const auto face = [&](int a, int c) {
        return Face{{node(bases[a].i), node(bases[c].i), xs},
                    {V[bases[a].f], V[bases[c].f], V[fs]},
                    {grad(bases[a].f), grad(bases[c].f), grad(fs)}};
      };
      face_updates(
          bases, nb, is,
          [&](int a, int c) {
            const Face fc = face(a, c);
            return jet_->face_descent(fc.x, fc.v, fc.g, target, bases[a].start, bases[a].value);
          },
          [&](int a, int c) {
            const Face fc = face(a, c);
            const auto u = jet_->from_face(fc.x, fc.v, fc.g, target, bases[a].start);
            if (u.value < best.value) best = u, best_edge = -1;
          });
      if (best_edge >= 0) {
        const Base& b = bases[best_edge];
        best = jet_->from_edge(node(b.i), V[b.f], grad(b.f), xs, V[fs], grad(fs), target, source);
      }
    }
    // Edge updates (the characteristic crosses the edge) carry reliable
    // gradients; one-point updates only stand in until one exists: V is
    // stationary in the path, its gradient is not.
    const bool edge = std::isfinite(best.value);
    if (!edge) {
      if (from_edge_[f]) return;
      best = jet_->from_point(xs, V[fs], grad(fs), target, source);
    }
    if (!(best.value < V[f] || (edge && !from_edge_[f]))) return;
    // A later edge update that lowers V by less than about h^2 |Hess V|
    // (a fraction of V's discretization error) lowers V but leaves grad V
    // to the node's earlier edge update. The values of edge updates from
    // different edges crossing the characteristic agree to high order (V is
    // stationary in the base point); their gradients do not, and taking the
    // gradient of whichever is lowest by such a margin left isolated nodes
    // with 10 to 30 times the gradient error of their neighbours, which the
    // Hermite data then carry downstream (1025^2: 74 nodes above 1e-2).
    // 2-D only: in 3-D the later updates are mostly face updates replacing
    // edge ones, whose gradients are the better (with the rule, grad V's
    // RMS error at 49^3, s = 0.1, rose from 1.8e-3 to 2.7e-3).
    const bool keep_gradient = D == 2 && edge && from_edge_[f] && best.value > V[f] - keep_gradient_below_;
    V[f] = best.value;
    if (!guided_) heap_.push({best.value, f});
    if (keep_gradient) return;
    from_edge_[f] = edge;
    // grad V is formed once, when the node is accepted (settle_gradient):
    // a trial node's value improves about three times in 2-D, and only
    // accepted nodes are sources or base points.
    std::int32_t& slot = pending_slot_[f];
    if (slot < 0) {
      if (free_slots_.empty()) {
        free_slots_.push_back(static_cast<std::int32_t>(pending_.size()));
        pending_.emplace_back();
      }
      slot = free_slots_.back();
      free_slots_.pop_back();
    }
    pending_[static_cast<std::size_t>(slot)] = best;
  }

  /// grad V at node f from the update that set its value: d/dx of that
  /// path's action (JetCost::gradient), or of the straight segment from the
  /// same base point where the curve cannot be formed on both sides of the
  /// node (not seen on the test fields; NaN if neither can).
  void settle_gradient(std::int64_t f) {
    using Vd = typename JetCost<D>::Vd;
    std::int32_t& slot = pending_slot_[f];
    if (slot < 0) return;
    typename JetCost<D>::Update u = pending_[static_cast<std::size_t>(slot)];
    free_slots_.push_back(slot);
    slot = -1;
    Vd x;
    coords(lay_.unflatten(f), x.data());
    const typename JetCost<D>::Point target = jet_->at(x);
    Vd g = jet_->gradient(u, target);
    if (!g.allFinite() && !u.straight) {
      u.straight = true;
      g = jet_->gradient(u, target);
    }
    for (int k = 0; k < D; ++k) r_.grad[f * D + k] = g[k];
  }

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
  void first_jet_update(std::int64_t f, const Index<D>& i) {
    constexpr std::size_t kKeep = D == 2 ? 2 : 4;
    candidates_.clear();
    double x[D], xs[D];
    coords(i, x);
    for_each_in_ball(front_, i, [&](std::int64_t fs, const Index<D>& is) {
      coords(is, xs);
      if (!crosses_equilibrium(xs, x)) candidates_.push_back({r_.value[fs] + cost_.segment(xs, x), fs});
    });
    const std::size_t keep = std::min(kKeep, candidates_.size());
    std::partial_sort(candidates_.begin(), candidates_.begin() + static_cast<std::ptrdiff_t>(keep), candidates_.end(),
                      [](const Entry& a, const Entry& b) { return a.value < b.value; });
    for (std::size_t c = 0; c < keep; ++c) update(f, i, candidates_[c].node, lay_.unflatten(candidates_[c].node));
  }

 public:
  /// The V below which the march itself computes the nodes under a guide:
  /// the core within K grid steps of the attractor in 2-D, 3K in 3-D
  /// (K the update radius), where the characteristics turn through large
  /// angles within the reach of an update. Measured: 2-D benchmark, 1025^2
  /// max errors 1.6e-5, 1.4e-5, 5.6e-6, 5.6e-6, 6.4e-6 and 7.1e-6 with
  /// cores of 0, 6, 9, 12, 24 and 48 steps; 3-D (s = 0.1, K = 6, 65^3)
  /// 8.2e-3, 1.6e-3, 4.19e-4 and 4.19e-4 with K, 2K, 3K and 4K (the march
  /// alone: 4.19e-4).
  double core_value() const {
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

  /// The guided pass (guide.hpp): after the core, every node not yet
  /// accepted, in increasing order of the guide's V, from the first segment
  /// (2-D; walking along the segment's line while the minimum lies beyond
  /// an end) or square (3-D, from_square) of computed nodes its backward
  /// characteristic crosses; nodes for which the walk finds none (it leaves
  /// the box, or the update radius) take the march's updates from every
  /// computed node within the radius.
  void run_guided(Progress* progress) {
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
        walk_back<3>(g_, guide_, start, r_.radius, [&](const int (&c)[3], int axis, const double (&fr)[3]) {
          from_square(x, target, c, axis, fr, got);
          return std::isfinite(got.value);
        });
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

 private:
  bool guided_ = false;

  /// 3-D guided update from the square of the grid plane normal to `axis`
  /// with lower corner c that the backward characteristic crosses at the
  /// fractions fr: the face update from the half of the square (split
  /// along its diagonal from c) holding the crossing, then from the other
  /// half, then the edge updates from its sides and diagonal; the lowest
  /// interior minimum into `got`. Needs the square's nodes computed.
  void from_square(const typename JetCost<D>::Vd& x, const typename JetCost<D>::Point& target, const int (&c)[3],
                   int axis, const double (&fr)[3], typename JetCost<D>::Update& got) {
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
      constexpr int kSides[5][2] = {{0, 1}, {1, 3}, {0, 2}, {2, 3}, {0, 3}};
      for (const auto& e : kSides) {
        const int a = e[0], b = e[1];
        ++r_.updates;
        const auto up = jet_->from_edge(xs[a], vs[a], gs[a], xs[b], vs[b], gs[b], target,
                                        jet_->path_action(xs[b], gs[b], target));
        if (up.value < got.value) got = up;
      }
    }
  }

  /// Accepts f1; returns true when the march should stop here.
  bool accept(std::int64_t f1) {
    done_[f1] = 1;
    if (jet_) settle_gradient(f1);
    if (r_.node_status[f1] != kSeedS) r_.node_status[f1] = kAcceptedS;
    trial_.clear(f1);
    ++r_.accepted;
    const Index<D> i1 = lay_.unflatten(f1);
    if (done_neighbours_[f1] < inside_neighbours(i1)) front_.set(f1);
    if (o_.stop_at_boundary && lay_.on_boundary(i1)) {
      r_.status = Result::Status::kStoppedAtBoundary;
      r_.boundary_value = r_.value[f1];
      double x[D];
      coords(i1, x);
      r_.boundary_point.assign(x, x + D);
      return true;
    }
    // Far neighbours of x1 become trial, with a first full update from every
    // front node within the radius.
    std::array<std::int64_t, 26> fresh{};
    int fresh_count = 0;
    for (const auto& off : cube_) {
      Index<D> i;
      for (int k = 0; k < D; ++k) i[k] = i1[k] + off[k];
      if (!lay_.inside(i)) continue;
      const std::int64_t f = lay_.flatten(i);
      if (++done_neighbours_[f] == inside_neighbours(i) && done_[f]) front_.clear(f);
      if (r_.node_status[f] != kFarS) continue;
      r_.node_status[f] = kTrialS;
      trial_.set(f);
      fresh[fresh_count++] = f;
      if (jet_) {
        first_jet_update(f, i);
        continue;
      }
      for_each_in_ball(front_, i, [&](std::int64_t fs, const Index<D>& is) { update(f, i, fs, is); });
    }
    // Trial nodes within the radius of x1 get x1 as a new source.
    for_each_in_ball(trial_, i1, [&](std::int64_t f, const Index<D>& i) {
      if (std::find(fresh.begin(), fresh.begin() + fresh_count, f) == fresh.begin() + fresh_count) update(f, i, f1, i1);
    });
    return false;
  }

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

}  // namespace

template <int D>
Result solve(const Problem& pb, const Options& o, Progress* progress) {
  const auto t0 = std::chrono::steady_clock::now();
  o.validate();
  if (pb.grid.dim() != D || pb.hamiltonian.dim() != D || (pb.cycle.empty() && pb.attractor.size() != D))
    throw Error(ExitCode::kSoftware, "hj::solve: grid, model and attractor dimensions differ");
  require_definite_noise(pb.hamiltonian, pb.grid, pb.attractor);
  Result r;
  r.grid = pb.grid;
  r.method = o.method;
  if (o.method == Method::kJet) {
    std::string why;
    if (!jet_applies(pb.hamiltonian, D, &why)) throw config_error("quasipotential.method = \"jet\": " + why);
  }
  // Options::guided: a solve at half the resolution (itself guided while
  // large enough) first.
  Guide guide;
  if (guided_applies<D>(pb, o)) {
    Problem coarse = pb;
    for (int k = 0; k < D; ++k) coarse.grid.nodes[k] = (pb.grid.nodes[k] + 1) / 2;
    const Result rc = solve<D>(coarse, o);
    if (rc.ok()) {
      guide = make_guide<D>(pb.hamiltonian, pb.grid, rc);
      r.guide_grid = rc.grid.nodes;
    }
  }
  const bool guided = !guide.empty();
  Marcher<D> m(pb, o, r, std::move(guide));
  if (!m.seed()) return r;
  if (guided) {
    m.run(progress, m.core_value());
    m.run_guided(progress);
  } else {
    m.run(progress);
  }
  if (progress) progress->update(static_cast<std::uint64_t>(pb.grid.size()));
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

template Result solve<2>(const Problem&, const Options&, Progress*);
template Result solve<3>(const Problem&, const Options&, Progress*);

}  // namespace fw::hj
