#include "fwkit/model/hamiltonian.hpp"

#include <cmath>

#include "fwkit/core/error.hpp"
#include "fwkit/model/field.hpp"

namespace fw::model {

namespace {

/// sigma(x) of a system as a Field (for state-dependent diffusion).
class DiffusionField final : public Field {
 public:
  explicit DiffusionField(std::shared_ptr<const System> s) : s_(std::move(s)) {}
  int in_dim() const override { return s_->dim(); }
  int out_dim() const override { return s_->dim() * s_->noise_rank(); }
  void eval(const double* x, double* out) const override {
    // System::diffusion is column-major; Field matrices are row-major.
    const int d = s_->dim(), r = s_->noise_rank();
    Mat sigma(d, r);
    s_->diffusion(x, sigma.data());
    for (int i = 0; i < d; ++i)
      for (int j = 0; j < r; ++j) out[i * r + j] = sigma(i, j);
  }
  void jacobian(const double* x, double* jac) const override {
    // Central differences: systems expose sigma(x) but not its derivative.
    const int n = in_dim(), m = out_dim();
    Vec xp = Eigen::Map<const Vec>(x, n), up(m), dn(m);
    for (int k = 0; k < n; ++k) {
      const double h = 1e-6 * (1 + std::abs(x[k]));
      xp[k] = x[k] + h;
      eval(xp.data(), up.data());
      xp[k] = x[k] - h;
      eval(xp.data(), dn.data());
      xp[k] = x[k];
      for (int i = 0; i < m; ++i) jac[k * m + i] = (up[i] - dn[i]) / (2 * h);
    }
  }

 private:
  std::shared_ptr<const System> s_;
};

}  // namespace

Model with_system_diffusion(std::shared_ptr<const System> system) {
  Model m;
  if (system->has_state_dependent_diffusion()) {
    const int d = system->dim(), r = system->noise_rank();
    std::shared_ptr<const Field> sigma = system->diffusion_field();
    if (!sigma) sigma = std::make_shared<DiffusionField>(system);
    m.noise = make_state_gaussian_noise(std::move(sigma), d, r);
  } else {
    m.noise = make_gaussian_noise(system->diffusion_matrix_at(Vec::Zero(system->dim())));
  }
  m.system = std::move(system);
  return m;
}

void Hamiltonian::noise_part(const Vec& x, const Vec& p, const MgfRequest& out) const {
  if (kind_ == HamiltonianKind::kDiscrete || model_.noise->is_gaussian()) {
    model_.noise->log_mgf(x, p, out);
    return;
  }
  const Mat d = model_.noise->covariance(x);
  if (out.value) *out.value = 0.5 * p.dot(d * p);
  if (out.grad) *out.grad = d * p;
  if (out.hess) *out.hess = d;
}

Hamiltonian::Hamiltonian(Model model, HamiltonianKind kind) : model_(std::move(model)), kind_(kind) {
  if (kind_ == HamiltonianKind::kDiscrete && !model_.noise->has_finite_log_mgf())
    throw config_error("model.noise: " + model_.noise->kind() +
                       " noise with a heavy-tailed law (student_t) has no finite log-moment generating function "
                       "(Lambda(p) = inf for every p != 0): its rare events are not exponentially unlikely and "
                       "the discrete-time large-deviation solvers do not apply. Simulate it, or ask for "
                       "hamiltonian = \"langevin\" (the Gaussian approximation with its covariance).");
}

double Hamiltonian::value(const Vec& x, const Vec& p) const {
  double lam = 0;
  noise_part(x, p, MgfRequest{&lam, nullptr, nullptr});
  return model_.system->drift_at(x).dot(p) + lam;
}

Vec Hamiltonian::grad_p(const Vec& x, const Vec& p) const {
  Vec g;
  noise_part(x, p, MgfRequest{nullptr, &g, nullptr});
  return model_.system->drift_at(x) + g;
}

Mat Hamiltonian::hess_p(const Vec& x, const Vec& p) const {
  Mat h;
  noise_part(x, p, MgfRequest{nullptr, nullptr, &h});
  return h;
}

Vec Hamiltonian::grad_x(const Vec& x, const Vec& p) const {
  Vec g = model_.system->jacobian_at(x).transpose() * p;
  if (kind_ == HamiltonianKind::kDiscrete || model_.noise->is_gaussian())
    return g + model_.noise->grad_x_log_mgf(x, p);
  // Langevin form of a non-Gaussian noise: d/dx (p^T Sigma(x) p / 2).
  Vec xp = x;
  for (Eigen::Index k = 0; k < x.size(); ++k) {
    const double h = 1e-6 * (1 + std::abs(x[k]));
    xp[k] = x[k] + h;
    const double up = p.dot(model_.noise->covariance(xp) * p);
    xp[k] = x[k] - h;
    const double dn = p.dot(model_.noise->covariance(xp) * p);
    xp[k] = x[k];
    g[k] += 0.25 * (up - dn) / h;
  }
  return g;
}

Vec Hamiltonian::mixed_times(const Vec& x, const Vec& p, const Vec& v) const {
  Vec out = model_.system->jacobian_at(x) * v;
  if (!model_.noise->depends_on_state() || v.norm() == 0) return out;
  const double eps = 1e-6 * (1 + x.norm()) / v.norm();
  Vec up, dn;
  noise_part(x + eps * v, p, MgfRequest{nullptr, &up, nullptr});
  noise_part(x - eps * v, p, MgfRequest{nullptr, &dn, nullptr});
  return out + (up - dn) / (2 * eps);
}

LagrangianResult Hamiltonian::gaussian_lagrangian(const Vec& x, const Vec& v) const {
  const Mat d = model_.noise->covariance(x);
  const Vec w = v - model_.system->drift_at(x);
  Eigen::SelfAdjointEigenSolver<Mat> eig(d);
  const double cutoff = 1e-12 * std::max(1.0, eig.eigenvalues().cwiseAbs().maxCoeff());
  const Vec c = eig.eigenvectors().transpose() * w;  // w in the eigenbasis of D
  Vec pc = Vec::Zero(c.size());
  LagrangianResult r;
  r.converged = true;
  for (Eigen::Index i = 0; i < c.size(); ++i) {
    if (eig.eigenvalues()[i] > cutoff) {
      pc[i] = c[i] / eig.eigenvalues()[i];
    } else if (std::abs(c[i]) > 1e-12 * (1 + w.norm())) {
      r.value = std::numeric_limits<double>::infinity();  // v - b outside range(D)
      r.momentum = Vec::Zero(v.size());
      return r;
    }
  }
  r.momentum = eig.eigenvectors() * pc;
  r.value = 0.5 * w.dot(r.momentum);
  return r;
}

LagrangianResult Hamiltonian::lagrangian(const Vec& x, const Vec& v,
                                         const LagrangianOptions& opt) const {
  if (kind_ == HamiltonianKind::kLangevin || model_.noise->is_gaussian())
    return gaussian_lagrangian(x, v);
  // Maximise g(p) = <p, v> - H(x, p): concave; Newton with backtracking.
  LagrangianResult r;
  const Vec b = model_.system->drift_at(x);
  Vec p = Vec::Zero(v.size());
  auto objective = [&](const Vec& q, Vec* grad, Mat* hess) {
    double lam = 0;
    model_.noise->log_mgf(x, q, MgfRequest{&lam, grad, hess});
    return q.dot(v - b) - lam;
  };
  Vec g;
  Mat h;
  double f = objective(p, &g, &h);
  for (r.iterations = 0; r.iterations < opt.max_iterations; ++r.iterations) {
    const Vec resid = v - b - g;  // gradient of the objective
    if (resid.norm() <= opt.tolerance * (1 + v.norm())) {
      r.converged = true;
      break;
    }
    // Newton direction on the (possibly singular) Hessian, regularised.
    const double shift = 1e-14 * (1 + h.diagonal().cwiseAbs().maxCoeff());
    Vec dp = (h + shift * Mat::Identity(h.rows(), h.cols())).ldlt().solve(resid);
    double t = 1;
    Vec pn;
    double fn = 0;
    Vec gn;
    Mat hn;
    for (int ls = 0; ls < 60; ++ls, t *= 0.5) {
      pn = p + t * dp;
      fn = objective(pn, &gn, &hn);
      if (std::isfinite(fn) && fn >= f + 1e-4 * t * resid.dot(dp)) break;
    }
    if (!(fn >= f)) break;  // no ascent possible: at the numerical optimum
    p = pn;
    f = fn;
    g = gn;
    h = hn;
    if (p.norm() > opt.momentum_bound) {
      r.momentum = p;
      r.value = std::numeric_limits<double>::infinity();
      return r;
    }
  }
  r.momentum = p;
  if (!r.converged && model_.noise->is_bounded() && p.norm() > 1e3) {
    r.value = std::numeric_limits<double>::infinity();  // sup approached only as |p| -> inf
    return r;
  }
  r.value = f;
  return r;
}

}  // namespace fw::model
