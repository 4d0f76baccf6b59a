#include "paths.hpp"

#include <cmath>

namespace fw::hj {

Path trace_back(const model::Hamiltonian& h, const grid::Grid& g, const std::vector<double>& value,
                const std::vector<double>& grad, const std::vector<Vec>& attractors, const Vec& x0, double stop_radius,
                int max_points) {
  const int d = g.dim();
  double hmin = g.spacing(0);
  for (int k = 1; k < d; ++k) hmin = std::min(hmin, g.spacing(k));
  const double ds = 0.5 * hmin;
  // Per-component copies of the gradient, made once (interpolate() takes one field).
  std::vector<std::vector<double>> comp(d, std::vector<double>(g.size()));
  for (std::size_t f = 0; f < g.size(); ++f)
    for (int k = 0; k < d; ++k) comp[k][f] = grad[f * d + k];
  auto velocity = [&](const Vec& x, Vec& v) {
    Vec p(d);
    for (int k = 0; k < d; ++k) {
      p[k] = interpolate(g, comp[k], x.data());
      if (!std::isfinite(p[k])) return false;
    }
    v = -h.grad_p(x, p);
    const double n = v.norm();
    if (!(n > 0)) return false;
    v /= n;  // unit speed: the path is parametrised by arclength
    return true;
  };
  Path path;
  path.value_start = interpolate(g, value, x0.data());
  Vec x = x0, v(d), xm(d);
  path.points.assign(x.data(), x.data() + d);
  for (int i = 1; i < max_points; ++i) {
    bool near = false;
    for (const Vec& a : attractors) near = near || (x - a).norm() <= stop_radius;
    if (near) {
      path.reached = true;
      break;
    }
    if (!velocity(x, v)) break;
    xm = x + 0.5 * ds * v;
    if (!velocity(xm, v)) break;
    x += ds * v;
    path.points.insert(path.points.end(), x.data(), x.data() + d);
  }
  return path;
}

}  // namespace fw::hj
