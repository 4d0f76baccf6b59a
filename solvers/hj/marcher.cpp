// The marching behind fw::hj::solve (olim.hpp): seeding, the accepted
// front, one-point and triangle updates (marcher.hpp).
#include "marcher.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

#include "fwkit/core/error.hpp"
#include "fwkit/model/lyapunov.hpp"

namespace fw::hj {
namespace detail {
namespace {

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

/// The rotation of the drift relative to its contraction over the box:
/// sqrt(sum |A|_F^2 / sum |S|_F^2) over a coarse sample, Db = S + A its
/// symmetric and antisymmetric parts; capped at 2.
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

}  // namespace

template <int D>
Marcher<D>::Marcher(const Problem& pb, const Options& o, Result& r, Guide guide)
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

template <int D>
void Marcher<D>::run(Progress* progress, double until) {
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
  r_.message = r_.status == Result::Status::kStoppedAtBoundary ? "stopped at the first boundary node" : box_message();
}

template <int D>
std::string Marcher<D>::box_message() const {
  const std::int64_t unreached = N_ - static_cast<std::int64_t>(r_.accepted);
  if (unreached <= 0) return "whole box";
  const model::Hamiltonian& h = pb_.hamiltonian;
  const bool bounded = h.kind() == model::HamiltonianKind::kDiscrete && h.model().noise->is_bounded();
  return fmt::format("whole box where the cost is finite; {} of {} nodes have V = inf ({})", unreached, N_,
                     bounded ? "the noise is bounded: no sequence of its values pushes the state there against the "
                               "drift, so no path of finite cost reaches them"
                             : "no path of finite cost from the attractor was found");
}

template <int D>
bool Marcher<D>::seed_point() {
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

template <int D>
bool Marcher<D>::seed_cycle() {
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

template <int D>
bool Marcher<D>::crosses_equilibrium(const double* a, const double* x) const {
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

template <int D>
void Marcher<D>::update(std::int64_t f, const Index<D>& i, std::int64_t fs, const Index<D>& is) {
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

template <int D>
void Marcher<D>::update_jet(std::int64_t f, const Index<D>& i, std::int64_t fs, const Index<D>& is) {
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

template <int D>
void Marcher<D>::settle_gradient(std::int64_t f) {
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

template <int D>
void Marcher<D>::first_jet_update(std::int64_t f, const Index<D>& i) {
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

template <int D>
bool Marcher<D>::accept(std::int64_t f1) {
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

template class Marcher<2>;
template class Marcher<3>;

}  // namespace detail

using detail::guided_applies;
using detail::Marcher;
using detail::require_definite_noise;

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
