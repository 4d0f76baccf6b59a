#include "local_cost.hpp"

#include <cmath>
#include <limits>
#include <type_traits>

#include "fwkit/model/inner_problem.hpp"

namespace fw::hj {
namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr int kMaxDim = 3;
}  // namespace

LocalCost::LocalCost(const model::Hamiltonian& h, bool simpson) : h_(h), d_(h.dim()), simpson_(simpson) {
  const auto& noise = *h.model().noise;
  langevin_ = h.kind() == model::HamiltonianKind::kLangevin || noise.is_gaussian();
  constant_metric_ = langevin_ && !noise.depends_on_state() && d_ <= kMaxDim;
  if (constant_metric_) {
    const Mat a = noise.covariance(Vec::Zero(d_)).inverse();
    for (int k = 0; k < d_; ++k)
      for (int l = 0; l < d_; ++l) metric_[static_cast<std::size_t>(k * d_ + l)] = a(k, l);
  }
}

namespace {

/// c(y, v) = |b(y)|_A |v|_A - <b(y), v>_A and (Slope) its derivative along
/// (dy, dv), for a constant metric A (row-major D x D), the dimension fixed
/// at compile time (the marcher prices hundreds of segments per node).
struct PointCost {
  double value = 0, slope = 0;
};

template <int D, bool Slope>
PointCost point_cost(const model::System& sys, const double* metric, const double* y, const double* dy,
                     const double* v, const double* dv) {
  double b[D], db[D] = {};
  sys.drift(y, b);
  if constexpr (Slope) {
    double jac[D * D];  // column-major
    sys.jacobian(y, jac);
    for (int k = 0; k < D; ++k)
      for (int l = 0; l < D; ++l) db[k] += jac[l * D + k] * dy[l];
  }
  double bb = 0, vv = 0, bv = 0, dbb = 0, dvv = 0, dbv = 0;
  for (int k = 0; k < D; ++k)
    for (int l = 0; l < D; ++l) {
      const double g = metric[k * D + l];
      bb += b[k] * g * b[l];
      vv += v[k] * g * v[l];
      bv += b[k] * g * v[l];
      if constexpr (Slope) {
        dbb += 2 * db[k] * g * b[l];
        dvv += 2 * dv[k] * g * v[l];
        dbv += db[k] * g * v[l] + b[k] * g * dv[l];
      }
    }
  const double root = std::sqrt(bb * vv);
  PointCost out;
  out.value = root - bv;
  if constexpr (Slope) out.slope = (root > 0 ? (dbb * vv + bb * dvv) / (2 * root) : 0.0) - dbv;
  return out;
}

/// f(std::integral_constant<int, D>{}) for the runtime dimension d (1 to 3).
template <class F>
double by_dim(int d, F&& f) {
  switch (d) {
    case 1: return f(std::integral_constant<int, 1>{});
    case 2: return f(std::integral_constant<int, 2>{});
    default: return f(std::integral_constant<int, 3>{});
  }
}

}  // namespace

double LocalCost::segment(const double* a, const double* x) const {
  const int d = d_;
  if (constant_metric_) {
    return by_dim(d, [&](auto dim) {
      constexpr int D = decltype(dim)::value;
      // Simpson's rule on the straight segment: (c(a) + 4 c(m) + c(x)) / 6.
      double m[D], v[D];
      for (int k = 0; k < D; ++k) {
        m[k] = 0.5 * (a[k] + x[k]);
        v[k] = x[k] - a[k];
      }
      const model::System& sys = *h_.model().system;
      const double* g = metric_.data();
      const double mid = point_cost<D, false>(sys, g, m, v, v, v).value;
      if (!simpson_) return std::max(0.0, mid);
      const double c =
          (point_cost<D, false>(sys, g, a, v, v, v).value + 4 * mid + point_cost<D, false>(sys, g, x, v, v, v).value) /
          6;
      return std::max(0.0, c);
    });
  }
  return general_segment(a, x, nullptr);
}

double LocalCost::general_segment(const double* a, const double* x, Warm* warm) const {
  const int d = d_;
  const Vec av = Eigen::Map<const Vec>(a, d), xv = Eigen::Map<const Vec>(x, d);
  const Vec v = xv - av;
  auto at = [&](const Vec& y, int which) {
    if (langevin_) {
      const Vec b = h_.model().system->drift_at(y);
      const Eigen::LDLT<Mat> dm(h_.model().noise->covariance(y));
      const Vec ab = dm.solve(b), avv = dm.solve(v);
      return std::sqrt(std::max(0.0, b.dot(ab) * v.dot(avv))) - v.dot(ab);
    }
    Vec local_p;
    double local_lambda = 0;
    Vec& p = warm ? warm->p[which] : local_p;
    double& lambda = warm ? warm->lambda[which] : local_lambda;
    model::MomentumOptions o;
    o.warm = warm != nullptr;
    if (!model::optimal_momentum(h_, y, v, p, lambda, o)) {
      p.resize(0);  // no warm start from a failure
      return kInf;
    }
    return p.dot(v);
  };
  const double mid = at(0.5 * (av + xv), 0);
  if (!simpson_) return std::max(0.0, mid);
  return std::max(0.0, (at(av, 1) + 4 * mid + at(xv, 2)) / 6);
}

double LocalCost::segment_slope(const double* x0, const double* e, double s, const double* x, Warm* warm) const {
  const int d = d_;
  if (constant_metric_) {
    return by_dim(d, [&](auto dim) {
      constexpr int D = decltype(dim)::value;
      // Points a = x0 + s e (moves by e), m = (a + x)/2 (moves by e/2), x (fixed); v = x - a (moves by -e).
      double a[D], m[D], v[D], dv[D], da[D], dm[D], zero[D] = {};
      for (int k = 0; k < D; ++k) {
        a[k] = x0[k] + s * e[k];
        m[k] = 0.5 * (a[k] + x[k]);
        v[k] = x[k] - a[k];
        dv[k] = -e[k];
        da[k] = e[k];
        dm[k] = 0.5 * e[k];
      }
      const model::System& sys = *h_.model().system;
      const double* g = metric_.data();
      const double mid = point_cost<D, true>(sys, g, m, dm, v, dv).slope;
      if (!simpson_) return mid;
      return (point_cost<D, true>(sys, g, a, da, v, dv).slope + 4 * mid +
              point_cost<D, true>(sys, g, x, zero, v, dv).slope) / 6;
    });
  }
  // Central difference in s.
  const double hs = 1e-6;
  double lo[16], hi[16];
  for (int k = 0; k < d; ++k) {
    lo[k] = x0[k] + (s - hs) * e[k];
    hi[k] = x0[k] + (s + hs) * e[k];
  }
  const double up = general_segment(hi, x, warm);
  return (up - general_segment(lo, x, warm)) / (2 * hs);
}

double LocalCost::triangle(const double* x0, double v0, const double* x1, double v1, const double* x) const {
  const int d = d_;
  double e[16];
  for (int k = 0; k < d; ++k) e[k] = x1[k] - x0[k];
  Warm warm;  // the optimal momenta of the last segment priced, to start the next
  auto slope = [&](double s) { return (v1 - v0) + segment_slope(x0, e, s, x, &warm); };
  double lo = 0, hi = 1, glo = slope(0.0), ghi = slope(1.0);
  if (!(glo < 0 && ghi > 0)) return kInf;  // the minimum is at an end (or the slope is undefined)
  // Illinois regula falsi on the slope: superlinear, and never leaves [lo, hi].
  int side = 0;
  double s = 0.5;
  for (int it = 0; it < 60 && hi - lo > 1e-12; ++it) {
    s = (lo * ghi - hi * glo) / (ghi - glo);
    const double g = slope(s);
    if (g == 0) break;
    if (g < 0) {
      lo = s;
      glo = g;
      if (side == -1) ghi *= 0.5;
      side = -1;
    } else {
      hi = s;
      ghi = g;
      if (side == +1) glo *= 0.5;
      side = +1;
    }
  }
  double a[16];
  for (int k = 0; k < d; ++k) a[k] = x0[k] + s * e[k];
  return (1 - s) * v0 + s * v1 + (constant_metric_ ? segment(a, x) : general_segment(a, x, &warm));
}

}  // namespace fw::hj
