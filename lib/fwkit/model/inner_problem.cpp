#include "fwkit/model/inner_problem.hpp"

#include <cmath>

#include "fwkit/model/system.hpp"
#include "fwkit/model/tilted.hpp"

namespace fw::model {

FrozenHamiltonian::FrozenHamiltonian(const Hamiltonian& h, const Vec& x) : b_(h.model().system->drift_at(x)) {
  const NoiseModel& noise = *h.model().noise;
  if (h.kind() == HamiltonianKind::kDiscrete || noise.is_gaussian()) law_ = noise.frozen_at(x);
  else law_ = std::make_unique<QuadraticLaw>(noise.covariance(x));  // the Langevin form of other noise
}

void FrozenHamiltonian::evaluate(const Vec& p, double* value, Vec* grad, Mat* hess) const {
  law_->log_mgf(p, MgfRequest{value, grad, hess});
  if (value) *value += b_.dot(p);
  if (grad) *grad += b_;
}

namespace {

/// The Gaussian closed form with D = H_pp(x, 0): exact for the Langevin
/// Hamiltonian, the Newton start otherwise.
void gaussian_momentum(const Eigen::LDLT<Mat>& ldlt, const Vec& b, const Vec& v, Vec& p, double& lambda) {
  const Vec dv = ldlt.solve(v), db = ldlt.solve(b);
  lambda = std::sqrt(std::max(b.dot(db), 0.0) / v.dot(dv));
  p = lambda * dv - db;
}

/// Newton on F(p, lambda) = (H_p - lambda v, H) = 0 from (p, lambda),
/// backtracking on |F|. A root with lambda < 0 has H_p anti-parallel to v:
/// -v is reachable, v is not, and the cost is infinite.
bool newton_momentum(const FrozenHamiltonian& fh, const Vec& v, Vec& p, double& lambda, int max_iterations) {
  const Eigen::Index d = v.size();
  const double scale = 1 + v.norm() + fh.drift().norm();
  Vec f(d + 1), grad(d), fn(d + 1), pn(d);
  Mat hess(d, d), hess_n(d, d);
  // F and H_pp at (q, l), from one evaluation of the frozen law.
  auto residual = [&](const Vec& q, double l, Vec& out, Mat& h) {
    double value = 0;
    fh.evaluate(q, &value, &grad, &h);
    out.head(d) = grad - l * v;
    out[d] = value;
  };
  residual(p, lambda, f, hess);
  Mat jac(d + 1, d + 1);
  for (int it = 0; it < max_iterations; ++it) {
    if (!f.allFinite()) return false;
    if (f.norm() <= 1e-13 * scale) return lambda >= 0;
    jac.topLeftCorner(d, d) = hess;
    jac.topRightCorner(d, 1) = -v;
    jac.bottomLeftCorner(1, d) = (f.head(d) + lambda * v).transpose();  // H_p
    jac(d, d) = 0;
    const Vec step = jac.fullPivLu().solve(-f);
    double t = 1;
    for (int ls = 0;; ++ls, t *= 0.5) {
      pn = p + t * step.head(d);
      const double ln = lambda + t * step[d];
      residual(pn, ln, fn, hess_n);
      if (fn.allFinite() && fn.norm() < (1 - 1e-4 * t) * f.norm()) {
        p.swap(pn);
        lambda = ln;
        f.swap(fn);
        hess.swap(hess_n);
        break;
      }
      if (ls == 39) return f.norm() <= 1e-10 * scale && lambda >= 0;
    }
  }
  return f.norm() <= 1e-10 * scale && lambda >= 0;
}

}  // namespace

bool optimal_momentum(const Hamiltonian& h, const Vec& x, const Vec& v, Vec& p, double& lambda,
                      const MomentumOptions& o) {
  const Eigen::Index d = x.size();
  if (v.norm() == 0) {
    p = Vec::Zero(d);
    lambda = 0;
    return true;
  }
  const bool gaussian = h.kind() == HamiltonianKind::kLangevin || h.model().noise->is_gaussian();
  if (gaussian) {
    const Vec b = h.model().system->drift_at(x);
    Eigen::LDLT<Mat> local;
    if (!o.fixed) local.compute(h.hess_p(x, Vec::Zero(d)));
    gaussian_momentum(o.fixed ? *o.fixed : local, b, v, p, lambda);
    return true;
  }
  const FrozenHamiltonian fh(h, x);
  if (o.warm && p.size() == d && p.allFinite() && std::isfinite(lambda) &&
      newton_momentum(fh, v, p, lambda, o.max_iterations))
    return true;
  Mat d0(d, d);
  fh.evaluate(Vec::Zero(d), nullptr, nullptr, &d0);
  Eigen::LDLT<Mat> local;
  if (!o.fixed) local.compute(d0);
  gaussian_momentum(o.fixed ? *o.fixed : local, fh.drift(), v, p, lambda);
  return newton_momentum(fh, v, p, lambda, o.max_iterations);
}

}  // namespace fw::model
