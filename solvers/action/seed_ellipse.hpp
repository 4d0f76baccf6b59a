// solvers/action/seed_ellipse.hpp — the seeded start of gMAM: the
// linearised quasi-potential at a stable equilibrium and the start node
// sliding on its ellipse.
#pragma once

#include <algorithm>
#include <cmath>

#include "fwkit/core/types.hpp"
#include "fwkit/model/hamiltonian.hpp"
#include "fwkit/model/inner_problem.hpp"
#include "fwkit/model/lyapunov.hpp"

namespace fw::action::detail {

/// The linearisation of the problem at a stable equilibrium a.
struct Seed {
  bool active = false;
  Vec a;
  Mat sigma_inv;    // Sigma^{-1}, J Sigma + Sigma J^T + D = 0
  double value = 0; // V_lin on the starting ellipse
  double d_norm = 1;

  double v_lin(const Vec& x) const { return 0.5 * (x - a).dot(sigma_inv * (x - a)); }
  Vec onto_ellipse(const Vec& z) const { return a + (z - a) * std::sqrt(value / v_lin(z)); }
};

/// `seed` < 0: at a focus (J with complex eigenvalues) V_lin = 2 h^2 with
/// h = |b - a|_{Sigma^{-1}} / (nodes - 1), an ellipse of about two node
/// spacings' radius; elsewhere 1e-6 (Options::seed).
inline Seed make_seed(const model::Hamiltonian& h, const Vec& a, const Vec& b, double seed, int nodes) {
  Seed s;
  const int d = h.dim();
  if (seed == 0 || d > 30) return s;
  const model::System& sys = *h.model().system;
  if (sys.drift_at(a).norm() > 1e-8 * (1 + a.norm())) return s;  // not an equilibrium
  const Mat j = sys.jacobian_at(a);
  if ((j.eigenvalues().real().array() >= 0).any()) return s;      // not stable
  const Mat dmat = h.hess_p(a, Vec::Zero(d));
  const Eigen::LDLT<Mat> dl(dmat);
  if (dl.info() != Eigen::Success || !dl.isPositive() || (dl.vectorD().array() <= 0).any()) return s;
  const Mat sigma = model::lyapunov_covariance(j, dmat);
  s.a = a;
  s.sigma_inv = sigma.inverse();
  const Eigen::VectorXcd ev = j.eigenvalues();
  const bool focus = ((ev.imag().array().abs() > 1e-3 * ev.real().array().abs())).any();
  const double intervals = static_cast<double>(std::max(nodes - 1, 1));
  s.value = seed > 0 ? seed : focus ? 2 * (b - a).dot(s.sigma_inv * (b - a)) / (intervals * intervals) : 1e-6;
  s.d_norm = dmat.norm();
  s.active = s.v_lin(b) > 4 * s.value;  // B well outside the ellipse
  return s;
}

/// -dS/dz of the discrete action at its start node z = path(0): the first
/// segment costs c(m, dz) = <p_hat, dz> at its midpoint m, so moving z moves
/// it by -(p_hat + H_x(m, p_hat) / (2 lambda)) (lambda for the velocity
/// x_1 - z), and V_lin adds only a normal part on the ellipse. p_hat at node
/// 0 alone (from a one-sided tangent) is O(h) off this: where the ellipse
/// is smaller than a node spacing the start then chased a direction the
/// discrete action does not descend (a rotating 2-D OU at 101 nodes stalled
/// with the residual at 0.98). Empty when the inner problem fails there.
inline Vec start_descent(const model::Hamiltonian& h, const Mat& path) {
  const Vec m = 0.5 * (path.col(0) + path.col(1)), dz = path.col(1) - path.col(0);
  Vec p;
  double lambda = 0;
  if (!model::optimal_momentum(h, m, dz, p, lambda) || !(lambda > 0)) return Vec();
  return p + h.grad_x(m, p) / (2 * lambda);
}

/// Where the start node slides on the ellipse, in the direction that lowers
/// S (dS = -<q, dz>, q = start_descent, its tangential part). Each move is at
/// most `size` times the ellipse's radius (in its own metric); the size is
/// halved whenever the tangential direction reverses, so the start settles
/// on the optimum instead of jumping across it (a gradient step scaled by
/// the pseudo-time alone does so on a small or stiff ellipse: Muller-Brown
/// at scale 1 alternated between two points for 20,000 iterations).
struct Slide {
  double size = 0.1;
  Vec last;  // the last move's direction
  void move(const Seed& seed, Mat& path, const Vec& p0, double step) {
    const Vec z = path.col(0);
    const Vec normal = seed.sigma_inv * (z - seed.a);
    const Vec tangential = p0 - (p0.dot(normal) / normal.squaredNorm()) * normal;
    if (last.size() == tangential.size() && last.dot(tangential) < 0) size *= 0.5;
    else size = std::min(0.1, 1.25 * size);
    last = tangential;
    Vec dz = step * tangential;
    const double length = std::sqrt(dz.dot(seed.sigma_inv * dz)), radius = std::sqrt(2 * seed.value);
    if (length > size * radius) dz *= size * radius / length;
    path.col(0) = seed.onto_ellipse(z + dz);
  }
};

}  // namespace fw::action::detail
