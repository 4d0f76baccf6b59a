#include "jet_cost.hpp"

#include <algorithm>
#include <cmath>

#include "face_minimum.hpp"
#include "fwkit/core/error.hpp"

namespace fw::hj {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
/// The curve follows departures up to this angle from the chord (cosine);
/// beyond it the target is not ahead of the characteristic from a. In 3-D
/// the wider limit: near a strongly rotating attractor the characteristics
/// cross the few front faces at wide angles (0.8 there left a 17% error
/// three steps from the seed on a rotational linear field); in 2-D the
/// narrower one is more accurate (4.4e-5 against 8.3e-5 at 513^2 on the
/// benchmark).
template <int D>
constexpr double kMinCos = D == 2 ? 0.8 : 0.3;

/// The rounding error of the edge minimum's difference-quotient slope,
/// relative to the path action over the difference step: a slope below it
/// is zero to working precision. On the benchmark (257^2), once the steps
/// are below 1e-9 the slopes are noise of 2e-15 (median) to 1.2e-14 (99th
/// percentile) on this scale; 1e-13 stops a factor of eight above that.
/// Stopping on the step alone (1e-10) took 6.2 slope evaluations per
/// refined edge, the last two to four chasing the noise; this takes 2.8
/// (the same V errors at 257^2 and 513^2, 1025^2 1.40e-5 -> 1.43e-5, 17%
/// faster).
constexpr double kSlopeNoise = 1e-13;

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

/// The root in (0, 1) of c0 + c1 s + c2 s^2 with c0 < 0 < c0 + c1 + c2 (one
/// sign change, so exactly one); 0.5 if rounding loses it.
inline double cubic_root_inside(double c0, double c1, double c2) {
  double s = 0.5;
  if (std::abs(c2) < 1e-12 * (std::abs(c0) + std::abs(c1))) {
    s = -c0 / c1;
  } else {
    const double disc = c1 * c1 - 4 * c2 * c0;
    if (disc >= 0) {
      // The stable pair of roots: q / c2 and c0 / q.
      const double qq = -0.5 * (c1 + std::copysign(std::sqrt(disc), c1));
      const double r1 = qq / c2, r2 = qq != 0 ? c0 / qq : r1;
      s = r1 > 0 && r1 < 1 ? r1 : r2;
    }
  }
  return s > 0 && s < 1 ? s : 0.5;
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
  const double cc = c.squaredNorm();
  if (cc == 0) return 0;
  const Point pa = at(a);
  // Hermite end derivatives d0 = L' t0, d1 = L' t1 with t0 the unit
  // departure direction (along u), t1 its reflection about the chord, and
  // L' = 2 L / (1 + cos theta) (the length a circular arc of half-angle
  // theta needs, L / cos^2(theta / 2)); one square root for all of it.
  Vd d0 = c, d1 = c;  // the straight segment (and u = 0): t0 = t1 = c / L
  if (!straight) {
    const Vd u = pa.b + diffusion(pa) * ga;
    const double uu = u.squaredNorm();
    if (uu > 0) {
      const double r = std::sqrt(uu * cc), cs = u.dot(c) / r;  // r = |u| L, cs = cos theta
      if (cs < kMinCos<D>) return kInf;
      const double w = 2 / (1 + cs);
      d0 = (w * cc / r) * u;
      d1 = (2 * w * cs) * c - d0;
    }
  }
  const Point pm = at(0.5 * (a + t.x) + 0.125 * (d0 - d1));
  const Vd dmid = 1.5 * c - 0.25 * (d0 + d1);
  auto cost = [this](const Point& p, const Vd& v) { return std::sqrt(p.bb * v.dot(metric(p) * v)) - p.ab.dot(v); };
  return std::max(0.0, (cost(pa, d0) + 4 * cost(pm, dmid) + cost(t, d1)) * (1.0 / 6));
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
                                                  const Vd& g1, const Point& target, double source,
                                                  double tolerance, int* end) const {
  const Vd e = x1 - x0;
  const double d0 = g0.dot(e), d1 = g1.dot(e);
  // The minimum is located as the root of dF/ds, not by comparing values of
  // F: F is flat to second order there, and a root in the slope is what
  // fixes the base point (hence grad V at the target) to rounding.
  constexpr double kStep = 1e-5;
  auto path = [&](double s) { return curve(x0 + s * e, (1 - s) * g0 + s * g1, target, false); };
  Update out;
  // The end slopes, one-sided; the x1 end (the source, shared by the edges
  // of one update) first: most edges are rejected there.
  const double fhi0 = hermite_slope(1, v0, d0, v1, d1) + (source - path(1 - kStep)) / kStep;
  if (!(fhi0 > 0)) {  // the minimum is at an end: a one-point update
    if (end) *end = 1;
    return out;
  }
  const double p0 = path(0);
  const double flo0 = hermite_slope(0, v0, d0, v1, d1) + (path(kStep) - p0) / kStep;
  if (!(flo0 < 0)) {
    if (end) *end = -1;
    return out;
  }
  if (end) *end = 0;
  // Start at the minimum of the cubic with F's values and slopes at the
  // ends, then secant steps on dF/ds (the first a Newton step with the
  // cubic's curvature), kept inside the bracket [lo, hi] by falling back to
  // regula falsi. Stops when a step is below the tolerance or when the
  // slope is within the rounding error of its difference quotient, below
  // which the steps only chase that noise; the value there is
  // extrapolated from the last evaluation (exact to the step squared).
  const double r = v1 + source - v0 - p0 - flo0, q = fhi0 - flo0;
  const double ca = 3 * r - q, cb = q - 2 * r;  // F ~ F(0) + flo0 s + ca s^2 + cb s^3
  double s = cubic_root_inside(flo0, 2 * ca, 3 * cb);
  const double curvature = 2 * ca + 6 * cb * s;
  double lo = 0, hi = 1, flo = flo0, fhi = fhi0, prev_s = kNaN, prev_f = kNaN, p = kNaN, dp = kNaN, at_s = s;
  for (int it = 0; it < 50; ++it) {
    const double a = std::max(0.0, s - kStep), b = std::min(1.0, s + kStep);
    const double pa = path(a), pb = path(b);
    dp = (pb - pa) / (b - a);
    p = pa + dp * (s - a);
    at_s = s;
    const double fs = hermite_slope(s, v0, d0, v1, d1) + dp;
    if (!std::isfinite(fs)) return out;
    if (fs < 0) lo = s, flo = fs;
    else hi = s, fhi = fs;
    double next = std::isnan(prev_s) ? (curvature > 0 ? s - fs / curvature : kNaN)
                                     : (fs != prev_f ? s - fs * (s - prev_s) / (fs - prev_f) : kNaN);
    const bool inside = next > lo && next < hi;
    if (!inside) next = (lo * fhi - hi * flo) / (fhi - flo);
    prev_s = s, prev_f = fs;
    const double step = next - s;
    s = next;
    // (A regula falsi step can be small far from the root.)
    if (fs == 0 || (inside && std::abs(step) < tolerance) || hi - lo < tolerance ||
        std::abs(fs) < kSlopeNoise * (std::abs(pa) + std::abs(pb)) / (b - a))
      break;
  }
  out.value = hermite(s, v0, d0, v1, d1) + p + dp * (s - at_s);
  out.base = x0 + s * e;
  out.base_grad = (1 - s) * g0 + s * g1;
  return out;
}

namespace {

/// The cubic Bezier patch on a triangle from values and gradients at its
/// vertices, in barycentric coordinates (b0, b1, b2).
struct CubicPatch {
  double v[3], e[3][3];  // e[i][j]: the control value on edge ij next to vertex i
  double centre;
  template <class Vd>
  CubicPatch(const Vd (&x)[3], const double (&val)[3], const Vd (&g)[3]) {
    double edges = 0;
    for (int i = 0; i < 3; ++i) {
      v[i] = val[i];
      for (int j = 0; j < 3; ++j)
        if (j != i) edges += e[i][j] = val[i] + g[i].dot(x[j] - x[i]) / 3;
    }
    // Reproduces quadratics: the centre control value of a quadratic's
    // degree-raised patch.
    centre = edges / 4 - (v[0] + v[1] + v[2]) / 6;
  }
  double operator()(double b0, double b1, double b2) const {
    const double b[3] = {b0, b1, b2};
    double s = 6 * centre * b0 * b1 * b2;
    for (int i = 0; i < 3; ++i) {
      s += v[i] * b[i] * b[i] * b[i];
      for (int j = 0; j < 3; ++j)
        if (j != i) s += 3 * e[i][j] * b[i] * b[i] * b[j];
    }
    return s;
  }
};

}  // namespace

/// The value of an update from a point of the triangle x (barycentric
/// l0, l1 on x0, x1; x2 the source) to the target.
template <int D>
struct FaceValue {
  using Vd = typename JetCost<D>::Vd;
  const JetCost<D>& jet;
  const CubicPatch patch;
  const Vd& x2;
  const Vd& g2;
  const Vd e0, e1, g0, g1;
  const typename JetCost<D>::Point& target;
  FaceValue(const JetCost<D>& j, const Vd (&x)[3], const double (&v)[3], const Vd (&g)[3],
            const typename JetCost<D>::Point& t)
      : jet(j), patch(x, v, g), x2(x[2]), g2(g[2]), e0(x[0] - x[2]), e1(x[1] - x[2]), g0(g[0] - g[2]), g1(g[1] - g[2]),
        target(t) {}
  Vd base(double l0, double l1) const { return x2 + l0 * e0 + l1 * e1; }
  Vd base_grad(double l0, double l1) const { return g2 + l0 * g0 + l1 * g1; }
  double operator()(double l0, double l1) const {
    return patch(l0, l1, 1 - l0 - l1) + jet.path_action(base(l0, l1), base_grad(l0, l1), target);
  }
};

template <int D>
double JetCost<D>::face_descent(const Vd (&x)[3], const double (&v)[3], const Vd (&g)[3], const Point& target,
                                double start, double edge_value) const {
  const FaceValue<D> value(*this, x, v, g, target);
  // Per unit length: l1 moves the base point by the height of x1 over the edge.
  const double e00 = value.e0.squaredNorm(), e01 = value.e0.dot(value.e1);
  const double height = std::sqrt(std::max(0.0, value.e1.squaredNorm() - e01 * e01 / e00));
  return face_fall(value, start, edge_value) / height;
}

template <int D>
typename JetCost<D>::Update JetCost<D>::from_face(const Vd (&x)[3], const double (&v)[3], const Vd (&g)[3],
                                                  const Point& target, double start, double start1) const {
  const FaceValue<D> value(*this, x, v, g, target);
  Update out;
  const auto l = face_minimum(value, start, start1);
  if (!l) return out;
  out.value = value(l->first, l->second);
  out.base = value.base(l->first, l->second);
  out.base_grad = value.base_grad(l->first, l->second);
  return out;
}

template class JetCost<2>;
template class JetCost<3>;

}  // namespace fw::hj
