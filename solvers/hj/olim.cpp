#include "olim.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <limits>
#include <queue>

#include "fwkit/core/error.hpp"
#include "fwkit/model/lyapunov.hpp"
#include "local_cost.hpp"

namespace fw::hj {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

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
double rotation_ratio(const model::Hamiltonian& h, const grid::Grid& g) {
  const int d = g.dim(), per = 9;
  double sym2 = 0, anti2 = 0;
  std::vector<int> idx(d, 0);
  Vec x(d);
  while (true) {
    for (int k = 0; k < d; ++k) x[k] = g.lower[k] + (g.upper[k] - g.lower[k]) * (idx[k] + 0.5) / per;
    const Mat j = h.model().system->jacobian_at(x);
    sym2 += (0.5 * (j + j.transpose())).squaredNorm();
    anti2 += (0.5 * (j - j.transpose())).squaredNorm();
    int k = d - 1;
    while (k >= 0 && idx[k] == per - 1) idx[k--] = 0;
    if (k < 0) break;
    ++idx[k];
  }
  return std::min(2.0, std::sqrt(anti2 / std::max(sym2, 1e-300)));
}

/// The default update radius: (0.5 + 0.5 rho) sqrt(n) in 2-D (rho the
/// rotation ratio, so 1.5 sqrt(n) for strongly rotational drifts, where long
/// segments are needed to follow spirals, and 0.5 sqrt(n) for gradient-like
/// ones, where long midpoint segments undercharge convex |b|); sqrt(n) / 2
/// in 3-D.
template <int D>
int default_radius(const model::Hamiltonian& h, const grid::Grid& g, int nmax) {
  if (D == 3) return std::max(2, static_cast<int>(std::lround(0.5 * std::sqrt(nmax))));
  const double rho = rotation_ratio(h, g);
  return std::max(3, static_cast<int>(std::lround((0.5 + 0.5 * rho) * std::sqrt(nmax))));
}

}  // namespace

void Options::validate() const {
  if (radius < 0 || radius > 200)
    throw config_error(fmt::format("quasipotential.radius = {}: must be in [0, 200] (0: automatic)", radius));
  if (!(seed_radius >= 1 && seed_radius <= 50))
    throw config_error(fmt::format("quasipotential.seed_radius = {}: must be in [1, 50] grid steps", seed_radius));
}

std::size_t Result::memory_estimate(const grid::Grid& g) {
  // value + status, the solver's coordinates cache, and a heap of at most a
  // few entries per node.
  return g.size() * (sizeof(double) + 1 + 3 * sizeof(Entry));
}

std::string Result::brief_report() const {
  std::string s = fmt::format("quasi-potential: {} ({} nodes accepted, radius {}, {} updates, {:.3g} s)\n", message,
                              accepted, radius, updates, seconds);
  if (status == Status::kStoppedAtBoundary) {
    s += fmt::format("  first boundary node at (");
    for (std::size_t k = 0; k < boundary_point.size(); ++k) s += fmt::format("{}{:.6g}", k ? ", " : "", boundary_point[k]);
    s += fmt::format("), V = {:.10g}\n", boundary_value);
  }
  return s;
}

template <int D>
Result solve(const Problem& pb, const Options& o, Progress* progress) {
  const auto t0 = std::chrono::steady_clock::now();
  o.validate();
  const grid::Grid& g = pb.grid;
  const model::Hamiltonian& h = pb.hamiltonian;
  if (g.dim() != D || h.dim() != D || (pb.cycle.empty() && pb.attractor.size() != D))
    throw Error(ExitCode::kSoftware, "hj::solve: grid, model and attractor dimensions differ");
  Result r;
  r.grid = g;
  const Layout<D> lay(g);
  const std::int64_t N = static_cast<std::int64_t>(g.size());
  int nmax = 0;
  for (int k = 0; k < D; ++k) nmax = std::max(nmax, g.nodes[k]);
  r.radius = o.radius > 0 ? o.radius : default_radius<D>(h, g, nmax);
  const auto ball = offsets<D>(r.radius, false);
  const auto cube = offsets<D>(1, true);
  auto coords = [&](const Index<D>& i, double* x) {
    for (int k = 0; k < D; ++k) x[k] = g.coordinate(k, i[k]);
  };

  std::vector<double>& V = r.value;
  std::vector<std::int8_t>& st = r.node_status;
  V.assign(N, kInf);
  st.assign(N, static_cast<std::int8_t>(NodeStatus::kFar));
  std::priority_queue<Entry, std::vector<Entry>, std::greater<>> heap;

  double hmax = 0;
  for (int k = 0; k < D; ++k) hmax = std::max(hmax, g.spacing(k));
  const double seed_r = o.seed_radius * hmax;
  // A segment whose closest approach to the attractor or another
  // equilibrium lies strictly inside it and within the seed radius would
  // cross that point, where the midpoint rule prices it at nearly nothing;
  // such segments are skipped (paths through the neighbourhood go in and
  // out by segments that start or end there).
  std::vector<Vec> avoid = pb.equilibria;
  if (pb.cycle.empty()) avoid.push_back(pb.attractor);
  auto crosses_seed = [&](const double* a, const double* x) {
    double ee = 0;
    for (int k = 0; k < D; ++k) ee += (x[k] - a[k]) * (x[k] - a[k]);
    for (const Vec& z : avoid) {
      double t = 0;
      for (int k = 0; k < D; ++k) t += (z[k] - a[k]) * (x[k] - a[k]);
      t /= ee;
      if (t <= 0 || t >= 1) continue;
      double c2 = 0;
      for (int k = 0; k < D; ++k) {
        const double c = a[k] + t * (x[k] - a[k]) - z[k];
        c2 += c * c;
      }
      if (c2 < seed_r * seed_r) return true;
    }
    return false;
  };
  auto seed = [&](std::int64_t f, double value) {
    V[f] = value;
    st[f] = static_cast<std::int8_t>(NodeStatus::kSeed);
    heap.push({value, f});
  };
  if (!pb.cycle.empty()) {
    // Limit cycle: V = 0 at the nodes within 0.75 h of the closed polyline
    // through the cycle's points (an O(h^2) error in V).
    std::vector<double> dist(N, kInf);
    const std::size_t P = pb.cycle.size();
    for (std::size_t q = 0; q < P; ++q) {
      const Vec& p0 = pb.cycle[q];
      const Vec& p1 = pb.cycle[(q + 1) % P];
      Index<D> c;
      for (int k = 0; k < D; ++k) c[k] = static_cast<int>(std::lround((p0[k] - g.lower[k]) / g.spacing(k)));
      const int reach = 2 + static_cast<int>(std::ceil((p1 - p0).norm() / hmax));  // covers the segment
      for (const auto& off : offsets<D>(reach, false)) {
        Index<D> i;
        for (int k = 0; k < D; ++k) i[k] = c[k] + off[k];
        if (!lay.inside(i)) continue;
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
          const double c = x[k] - p0[k] - t * (p1[k] - p0[k]);
          d2 += c * c;
        }
        const std::int64_t f = lay.flatten(i);
        dist[f] = std::min(dist[f], std::sqrt(d2));
      }
    }
    for (std::int64_t f = 0; f < N; ++f)
      if (dist[f] <= 0.75 * hmax) seed(f, 0.0);
    if (heap.empty()) {
      r.status = Result::Status::kFailed;
      r.message = "the cycle does not pass through the grid";
      return r;
    }
  } else {
    // Point attractor: the linearisation's quadratic form
    // V_lin(x) = (x - x*)^T Sigma^{-1} (x - x*) / 2, J Sigma + Sigma J^T + D = 0.
    const Vec& xa = pb.attractor;
    const Mat jac = h.model().system->jacobian_at(xa);
    if ((jac.eigenvalues().real().array() >= 0).any() || h.model().system->drift_at(xa).norm() > 1e-6 * (1 + xa.norm())) {
      r.status = Result::Status::kFailed;
      r.message = "the attractor is not a stable equilibrium of the drift";
      return r;
    }
    const Mat sigma_inv = model::lyapunov_covariance(jac, h.hess_p(xa, Vec::Zero(D))).inverse();
    Index<D> center;
    for (int k = 0; k < D; ++k) center[k] = static_cast<int>(std::lround((xa[k] - g.lower[k]) / g.spacing(k)));
    if (!lay.inside(center)) {
      r.status = Result::Status::kFailed;
      r.message = "the attractor lies outside the grid";
      return r;
    }
    auto seed_value = [&](const double* x) {
      double v = 0;
      for (int k = 0; k < D; ++k)
        for (int l = 0; l < D; ++l) v += (x[k] - xa[k]) * sigma_inv(k, l) * (x[l] - xa[l]);
      return 0.5 * v;
    };
    const int reach = static_cast<int>(std::ceil(o.seed_radius)) + 1;
    for (const auto& off : offsets<D>(reach * std::sqrt(static_cast<double>(D)), false)) {
      Index<D> i;
      for (int k = 0; k < D; ++k) i[k] = center[k] + off[k];
      if (!lay.inside(i)) continue;
      double x[D];
      coords(i, x);
      double r2 = 0;
      for (int k = 0; k < D; ++k) r2 += (x[k] - xa[k]) * (x[k] - xa[k]);
      if (r2 <= seed_r * seed_r) seed(lay.flatten(i), seed_value(x));
    }
    double x[D];
    coords(center, x);
    if (st[lay.flatten(center)] != static_cast<std::int8_t>(NodeStatus::kSeed)) seed(lay.flatten(center), seed_value(x));
  }

  const LocalCost cost(h, o.simpson);
  const auto kAccepted = static_cast<std::int8_t>(NodeStatus::kAccepted);
  const auto kTrial = static_cast<std::int8_t>(NodeStatus::kTrial);
  const auto kFar = static_cast<std::int8_t>(NodeStatus::kFar);
  const auto kSeedS = static_cast<std::int8_t>(NodeStatus::kSeed);
  std::vector<char> done(N, 0);                 // accepted (seeds too, once popped)
  std::vector<std::uint8_t> done_neighbours(N, 0);
  // Front: accepted with a neighbour not yet accepted. Only front nodes are
  // update sources (a path from deeper inside crosses the front anyway).
  auto inside_neighbours = [&](const Index<D>& i) {
    int c = 1;
    for (int k = 0; k < D; ++k) c *= 1 + (i[k] > 0) + (i[k] < lay.n[k] - 1);
    return c - 1;
  };
  auto on_front = [&](std::int64_t f, const Index<D>& i) { return done[f] && done_neighbours[f] < inside_neighbours(i); };
  auto within = [&](const Index<D>& a, const Index<D>& b) {
    double d2 = 0;
    for (int k = 0; k < D; ++k) d2 += static_cast<double>(a[k] - b[k]) * (a[k] - b[k]);
    return d2 <= static_cast<double>(r.radius) * r.radius;
  };
  double xs[D], x0[D], x[D];
  // Updates node (f, i) from the accepted source (fs, is): one-point, and if
  // that improves V(f), triangles with the accepted neighbours of the source.
  auto update = [&](std::int64_t f, const Index<D>& i, std::int64_t fs, const Index<D>& is) {
    coords(is, xs);
    coords(i, x);
    if (crosses_seed(xs, x)) return;
    double best = V[fs] + cost.segment(xs, x);
    ++r.updates;
    if (!(best < V[f])) return;  // the hierarchical rule of OLIM
    for (const auto& off : cube) {
      Index<D> i0;
      for (int k = 0; k < D; ++k) i0[k] = is[k] + off[k];
      if (!lay.inside(i0)) continue;
      const std::int64_t f0 = lay.flatten(i0);
      if (!done[f0] || !within(i, i0)) continue;
      coords(i0, x0);
      best = std::min(best, cost.triangle(x0, V[f0], xs, V[fs], x));
      ++r.updates;
    }
    if (best < V[f]) {
      V[f] = best;
      heap.push({best, f});
    }
  };
  r.status = Result::Status::kSuccess;
  while (!heap.empty()) {
    const Entry top = heap.top();
    heap.pop();
    if (done[top.node] || top.value > V[top.node]) continue;  // stale entry
    const std::int64_t f1 = top.node;
    done[f1] = 1;
    if (st[f1] != kSeedS) st[f1] = kAccepted;
    ++r.accepted;
    if (progress && (r.accepted & 0xFFFF) == 0) progress->update(static_cast<std::uint64_t>(r.accepted));
    const Index<D> i1 = lay.unflatten(f1);
    if (o.stop_at_boundary && lay.on_boundary(i1)) {
      r.status = Result::Status::kStoppedAtBoundary;
      r.boundary_value = V[f1];
      coords(i1, xs);
      r.boundary_point.assign(xs, xs + D);
      break;
    }
    // Far neighbours of x1 become trial: a first full update from every
    // front node within the radius.
    std::array<std::int64_t, 26> fresh{};
    int fresh_count = 0;
    for (const auto& off : cube) {
      Index<D> i;
      for (int k = 0; k < D; ++k) i[k] = i1[k] + off[k];
      if (!lay.inside(i)) continue;
      const std::int64_t f = lay.flatten(i);
      ++done_neighbours[f];
      if (st[f] != kFar) continue;
      st[f] = kTrial;
      fresh[fresh_count++] = f;
      for (const auto& o2 : ball) {
        Index<D> is;
        for (int k = 0; k < D; ++k) is[k] = i[k] + o2[k];
        if (!lay.inside(is)) continue;
        const std::int64_t fs = lay.flatten(is);
        if (on_front(fs, is)) update(f, i, fs, is);
      }
    }
    // Trial nodes within the radius of x1 get x1 as a new source.
    for (const auto& off : ball) {
      Index<D> i;
      for (int k = 0; k < D; ++k) i[k] = i1[k] + off[k];
      if (!lay.inside(i)) continue;
      const std::int64_t f = lay.flatten(i);
      if (st[f] != kTrial) continue;
      bool is_fresh = false;
      for (int q = 0; q < fresh_count; ++q) is_fresh = is_fresh || fresh[q] == f;
      if (!is_fresh) update(f, i, f1, i1);
    }
  }
  r.message = r.status == Result::Status::kStoppedAtBoundary ? "stopped at the first boundary node" : "whole box";
  if (progress) progress->update(static_cast<std::uint64_t>(N));
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

template Result solve<2>(const Problem&, const Options&, Progress*);
template Result solve<3>(const Problem&, const Options&, Progress*);

double interpolate(const grid::Grid& g, const std::vector<double>& values, const double* x) {
  const int d = g.dim();
  std::vector<int> base(d);
  std::vector<double> frac(d);
  for (int k = 0; k < d; ++k) {
    const double u = (x[k] - g.lower[k]) / g.spacing(k);
    if (!(u >= 0 && u <= g.nodes[k] - 1)) return std::numeric_limits<double>::quiet_NaN();
    base[k] = std::min(static_cast<int>(u), g.nodes[k] - 2);
    frac[k] = u - base[k];
  }
  double acc = 0;
  for (int corner = 0; corner < (1 << d); ++corner) {
    double w = 1;
    std::int64_t f = 0;
    for (int k = 0; k < d; ++k) {
      const int bit = (corner >> k) & 1;
      w *= bit ? frac[k] : 1 - frac[k];
      f = f * g.nodes[k] + base[k] + bit;
    }
    if (w == 0) continue;
    if (!std::isfinite(values[f])) return std::numeric_limits<double>::quiet_NaN();
    acc += w * values[f];
  }
  return acc;
}

std::vector<double> gradient(const grid::Grid& g, const std::vector<double>& values) {
  const int d = g.dim();
  const std::int64_t N = static_cast<std::int64_t>(g.size());
  std::vector<std::int64_t> stride(d);
  std::int64_t s = 1;
  for (int k = d - 1; k >= 0; --k) {
    stride[k] = s;
    s *= g.nodes[k];
  }
  std::vector<double> grad(static_cast<std::size_t>(N) * d, std::numeric_limits<double>::quiet_NaN());
  for (std::int64_t f = 0; f < N; ++f) {
    if (!std::isfinite(values[f])) continue;
    for (int k = 0; k < d; ++k) {
      const int i = static_cast<int>((f / stride[k]) % g.nodes[k]);
      const bool lo = i > 0 && std::isfinite(values[f - stride[k]]);
      const bool hi = i < g.nodes[k] - 1 && std::isfinite(values[f + stride[k]]);
      const double hk = g.spacing(k);
      double v = std::numeric_limits<double>::quiet_NaN();
      if (lo && hi) v = (values[f + stride[k]] - values[f - stride[k]]) / (2 * hk);
      else if (hi) v = (values[f + stride[k]] - values[f]) / hk;
      else if (lo) v = (values[f] - values[f - stride[k]]) / hk;
      grad[static_cast<std::size_t>(f) * d + k] = v;
    }
  }
  return grad;
}

}  // namespace fw::hj
