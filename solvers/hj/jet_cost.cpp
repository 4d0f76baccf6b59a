#include "jet_cost.hpp"

#include <cmath>

#include "fwkit/core/error.hpp"

namespace fw::hj {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
/// The curve follows departures up to this angle from the chord (cosine);
/// beyond it the target is not ahead of the characteristic from a.
constexpr double kMinCos = 0.8;

/// Cubic Hermite basis on [0, 1].
inline double hermite(double s, double v0, double d0, double v1, double d1) {
  const double s2 = s * s, s3 = s2 * s;
  return (2 * s3 - 3 * s2 + 1) * v0 + (s3 - 2 * s2 + s) * d0 + (-2 * s3 + 3 * s2) * v1 + (s3 - s2) * d1;
}

/// d/ds of the cubic Hermite interpolant.
inline double hermite_slope(double s, double v0, double d0, double v1, double d1) {
  const double s2 = s * s;
  return (6 * s2 - 6 * s) * (v0 - v1) + (3 * s2 - 4 * s + 1) * d0 + (3 * s2 - 2 * s) * d1;
}

}  // namespace

template <int D>
JetCost<D>::JetCost(const model::Hamiltonian& h) : h_(h) {
  // The caller has checked jet_applies() (Gaussian noise, invertible D).
  if (h.dim() != D) throw Error(ExitCode::kSoftware, "hj::JetCost: dimension mismatch");
  constant_metric_ = !h.model().noise->depends_on_state();
  if (constant_metric_) {
    dm_ = h.model().noise->covariance(Vec::Zero(D));
    a_ = dm_.inverse();
  }
}

template <int D>
typename JetCost<D>::Point JetCost<D>::at(const Vd& x) const {
  Point p;
  p.x = x;
  h_.model().system->drift(x.data(), p.b.data());
  if (!constant_metric_) {
    p.dm = h_.model().noise->covariance(x);
    p.a = p.dm.inverse();
  }
  p.ab = metric(p) * p.b;
  p.bb = p.b.dot(p.ab);
  return p;
}

template <int D>
typename JetCost<D>::Vd JetCost<D>::gradient(const Update& u, const Point& t) const {
  // Central differences in the target with a step relative to the chord.
  const double step = 1e-5 * std::max((t.x - u.base).norm(), 1e-300);
  Vd g;
  for (int k = 0; k < D; ++k) {
    Vd xp = t.x, xm = t.x;
    xp[k] += step;
    xm[k] -= step;
    g[k] = (curve(u.base, u.base_grad, at(xp), u.straight) - curve(u.base, u.base_grad, at(xm), u.straight)) / (2 * step);
    if (!std::isfinite(g[k])) return Vd::Constant(std::numeric_limits<double>::quiet_NaN());
  }
  return g;
}

template <int D>
double JetCost<D>::curve(const Vd& a, const Vd& ga, const Point& t, bool straight) const {
  const Vd c = t.x - a;
  const double len = c.norm();
  if (len == 0) return 0;
  const Vd ch = c / len;
  const Point pa = at(a);
  const Vd u = pa.b + diffusion(pa) * ga;
  const double un = u.norm();
  const Vd t0 = un > 0 && !straight ? Vd(u / un) : ch;
  const double cs = t0.dot(ch);
  if (cs < kMinCos) return kInf;
  const Vd t1 = 2 * cs * ch - t0;
  // Hermite end derivatives of the length a circular arc of half-angle theta
  // needs: L / cos^2(theta / 2) = 2 L / (1 + cos theta).
  const double mag = 2 * len / (1 + cs);
  const Vd d0 = mag * t0, d1 = mag * t1;
  Point pm = at(0.5 * (a + t.x) + 0.125 * (d0 - d1));
  const Vd dmid = 1.5 * c - 0.25 * (d0 + d1);
  auto cost = [this](const Point& p, const Vd& v) { return std::sqrt(p.bb * v.dot(metric(p) * v)) - p.ab.dot(v); };
  return std::max(0.0, (cost(pa, d0) + 4 * cost(pm, dmid) + cost(t, d1)) / 6);
}

template <int D>
typename JetCost<D>::Update JetCost<D>::from_point(const Vd& xa, double va, const Vd& ga, const Point& target,
                                                   double path) const {
  // The curve along the minimum action direction at xa, or the straight
  // segment (needed where characteristics leave the source at a grazing
  // angle, as from a limit cycle): the cheaper path.
  Update out;
  const double line = curve(xa, ga, target, true);
  out.straight = !(path <= line);
  out.value = va + (out.straight ? line : path);
  out.base = xa;
  out.base_grad = ga;
  return out;
}

template <int D>
typename JetCost<D>::Update JetCost<D>::from_edge(const Vd& x0, double v0, const Vd& g0, const Vd& x1, double v1,
                                                  const Vd& g1, const Point& target, double source) const {
  const Vd e = x1 - x0;
  const double d0 = g0.dot(e), d1 = g1.dot(e);
  auto value = [&](double s) {
    return hermite(s, v0, d0, v1, d1) + curve(x0 + s * e, (1 - s) * g0 + s * g1, target, false);
  };
  // The minimum is located as the root of dF/ds, not by comparing values of
  // F: F is flat to second order there, and a root in the slope is what
  // fixes the base point (hence grad V at the target) to rounding.
  constexpr double kStep = 1e-5;
  auto path = [&](double s) { return curve(x0 + s * e, (1 - s) * g0 + s * g1, target, false); };
  auto slope = [&](double s) {
    const double lo = std::max(0.0, s - kStep), hi = std::min(1.0, s + kStep);
    return hermite_slope(s, v0, d0, v1, d1) + (path(hi) - path(lo)) / (hi - lo);
  };
  Update out;
  // The end slopes, one-sided; the x1 end (the source, shared by the edges
  // of one update) first: most edges are rejected there.
  const double fhi0 = hermite_slope(1, v0, d0, v1, d1) + (source - path(1 - kStep)) / kStep;
  if (!(fhi0 > 0)) return out;  // the minimum is at an end: a one-point update
  const double flo0 = hermite_slope(0, v0, d0, v1, d1) + (path(kStep) - path(0)) / kStep;
  if (!(flo0 < 0)) return out;
  double lo = 0, hi = 1, flo = flo0, fhi = fhi0;
  // Illinois regula falsi: superlinear, and never leaves [lo, hi].
  int side = 0;
  double s = 0.5;
  for (int it = 0; it < 50 && hi - lo > 1e-10; ++it) {
    s = (lo * fhi - hi * flo) / (fhi - flo);
    const double fs = slope(s);
    if (!std::isfinite(fs)) return out;
    if (fs == 0) break;
    if (fs < 0) {
      lo = s, flo = fs;
      if (side == -1) fhi *= 0.5;
      side = -1;
    } else {
      hi = s, fhi = fs;
      if (side == +1) flo *= 0.5;
      side = +1;
    }
  }
  out.value = value(s);
  out.base = x0 + s * e;
  out.base_grad = (1 - s) * g0 + s * g1;
  return out;
}

template class JetCost<2>;
template class JetCost<3>;

}  // namespace fw::hj
