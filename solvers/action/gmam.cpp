#include "gmam.hpp"
#include "fwkit/model/lyapunov.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <sstream>

#include "fwkit/core/error.hpp"

namespace fw::action {

void Options::validate() const {
  if (nodes < 5) throw config_error(fmt::format("action.nodes = {}: must be >= 5", nodes));
  if (max_iterations < 1) throw config_error(fmt::format("action.max_iterations = {}: must be >= 1", max_iterations));
  if (!(tolerance > 0)) throw config_error(fmt::format("action.tolerance = {}: must be > 0", tolerance));
  if (!(seed >= 0)) throw config_error(fmt::format("action.seed = {}: must be >= 0", seed));
  if (!(initial_step > 0)) throw config_error(fmt::format("action.initial_step = {}: must be > 0", initial_step));
  if (inner_iterations < 1) throw config_error(fmt::format("action.inner_iterations = {}: must be >= 1", inner_iterations));
}

namespace {
bool optimal_momentum_with(const model::Hamiltonian& h, const Eigen::LDLT<Mat>* fixed, const Vec& x, const Vec& v,
                           Vec& p, double& lambda, int max_iterations);
}  // namespace

bool optimal_momentum(const model::Hamiltonian& h, const Vec& x, const Vec& v, Vec& p, double& lambda,
                      int max_iterations) {
  return optimal_momentum_with(h, nullptr, x, v, p, lambda, max_iterations);
}

namespace {

/// optimal_momentum with D = H_pp(x, 0) factorised once by the caller when
/// it does not depend on x (`fixed`), else here.
bool optimal_momentum_with(const model::Hamiltonian& h, const Eigen::LDLT<Mat>* fixed, const Vec& x, const Vec& v,
                           Vec& p, double& lambda, int max_iterations) {
  const int d = static_cast<int>(x.size());
  const Vec b = h.model().system->drift_at(x);
  if (v.norm() == 0) {
    p = Vec::Zero(d);
    lambda = 0;
    return true;
  }
  // Closed form for H = <b, p> + p^T D p / 2; the Newton start otherwise.
  Eigen::LDLT<Mat> local;
  if (!fixed) local.compute(h.hess_p(x, Vec::Zero(d)));
  const Eigen::LDLT<Mat>& ldlt = fixed ? *fixed : local;
  const Vec dv = ldlt.solve(v), db = ldlt.solve(b);
  lambda = std::sqrt(std::max(b.dot(db), 0.0) / v.dot(dv));
  p = lambda * dv - db;
  if (h.kind() == model::HamiltonianKind::kLangevin || h.model().noise->is_gaussian()) return true;
  // Newton on F(p, lambda) = (H_p - lambda v, H) = 0, backtracking on |F|.
  const double scale = 1 + v.norm() + b.norm();
  auto residual = [&](const Vec& q, double l) {
    Vec f(d + 1);
    f.head(d) = h.grad_p(x, q) - l * v;
    f[d] = h.value(x, q);
    return f;
  };
  Vec f = residual(p, lambda);
  // A root with lambda < 0 has H_p anti-parallel to v: -v is reachable, v is
  // not, and the cost is infinite.
  for (int it = 0; it < max_iterations; ++it) {
    if (f.norm() <= 1e-13 * scale) return lambda >= 0;
    Mat jac = Mat::Zero(d + 1, d + 1);
    jac.topLeftCorner(d, d) = h.hess_p(x, p);
    jac.topRightCorner(d, 1) = -v;
    jac.bottomLeftCorner(1, d) = h.grad_p(x, p).transpose();
    const Vec step = jac.fullPivLu().solve(-f);
    double t = 1;
    for (int ls = 0; ls < 40; ++ls, t *= 0.5) {
      const Vec pn = p + t * step.head(d);
      const double ln = lambda + t * step[d];
      const Vec fn = residual(pn, ln);
      if (fn.allFinite() && fn.norm() < (1 - 1e-4 * t) * f.norm()) {
        p = pn, lambda = ln, f = fn;
        break;
      }
      if (ls == 39) return f.norm() <= 1e-10 * scale && lambda >= 0;
    }
  }
  return f.norm() <= 1e-10 * scale && lambda >= 0;
}

/// The inner problem along a path, with D factorised once for constant
/// Gaussian noise (in high dimension a factorisation per node and step
/// dominated the run, allocations included).
struct Inner {
  const model::Hamiltonian& h;
  int iterations;
  bool constant = false;
  Mat dmat;
  Eigen::LDLT<Mat> ldlt;
  Inner(const model::Hamiltonian& ham, int it) : h(ham), iterations(it) {
    const auto& noise = *h.model().noise;
    constant = (h.kind() == model::HamiltonianKind::kLangevin || noise.is_gaussian()) && !noise.depends_on_state();
    if (constant) {
      dmat = h.hess_p(Vec::Zero(h.dim()), Vec::Zero(h.dim()));
      ldlt.compute(dmat);
      dinv = ldlt.solve(Mat::Identity(dmat.rows(), dmat.cols()));
      scratch.assign(static_cast<std::size_t>(dmat.rows() * (dmat.rows() + 6)), 0.0);
    }
  }
  Mat dinv;                              // D^{-1} when constant
  mutable std::vector<double> scratch;   // constant case: b, D^{-1} b, D^{-1} v, Db, and work space

  bool solve(const Vec& x, const Vec& v, Vec& p, double& lambda) const {
    return optimal_momentum_with(h, constant ? &ldlt : nullptr, x, v, p, lambda, iterations);
  }
  /// The closed form for constant Gaussian noise, without allocation: x, v
  /// and p point to d values.
  void solve_gaussian(const double* x, const double* v, double* p, double& lambda) const {
    const Eigen::Index d = dmat.rows();
    double* b = scratch.data();
    double* db = b + d;
    double* dv = db + d;
    h.model().system->drift(x, b);
    double bb = 0, vv = 0;
    for (Eigen::Index k = 0; k < d; ++k) {
      db[k] = dv[k] = 0;
      for (Eigen::Index l = 0; l < d; ++l) {
        db[k] += dinv(k, l) * b[l];
        dv[k] += dinv(k, l) * v[l];
      }
      bb += b[k] * db[k];
      vv += v[k] * dv[k];
    }
    if (vv == 0) {
      lambda = 0;
      for (Eigen::Index k = 0; k < d; ++k) p[k] = 0;
      return;
    }
    lambda = std::sqrt(std::max(bb, 0.0) / vv);
    for (Eigen::Index k = 0; k < d; ++k) p[k] = lambda * dv[k] - db[k];
  }
  /// Db(x) column-major into the scratch (after the three vectors).
  double* jacobian(const double* x) const {
    double* jac = scratch.data() + 3 * dmat.rows();
    h.model().system->jacobian(x, jac);
    return jac;
  }
  /// H_pp(x, p) w.
  Vec hess_p_times(const Vec& x, const Vec& p, const Vec& w) const { return constant ? Vec(dmat * w) : Vec(h.hess_p(x, p) * w); }
};


/// One pass of redistribution to equal chord length (linear interpolation).
void redistribute(Mat& path) {
  const Eigen::Index n = path.cols();
  Vec s(n);
  s[0] = 0;
  for (Eigen::Index i = 1; i < n; ++i) s[i] = s[i - 1] + (path.col(i) - path.col(i - 1)).norm();
  if (s[n - 1] == 0) return;
  Mat out(path.rows(), n);
  out.col(0) = path.col(0);
  out.col(n - 1) = path.col(n - 1);
  Eigen::Index j = 0;
  for (Eigen::Index i = 1; i + 1 < n; ++i) {
    const double target = s[n - 1] * static_cast<double>(i) / static_cast<double>(n - 1);
    while (j + 2 < n && s[j + 1] < target) ++j;
    const double w = (target - s[j]) / std::max(s[j + 1] - s[j], 1e-300);
    out.col(i) = (1 - w) * path.col(j) + w * path.col(j + 1);
  }
  path = out;
}

/// Redistributes the nodes to equal chord lengths. One linear pass cuts the
/// polygon's corners and so moves an already redistributed path again; the
/// passes are repeated until the segment lengths agree to 1e-12, which makes
/// the redistribution idempotent (otherwise the discrete action jitters by
/// O(h^2) from one iteration to the next and stalls the step-size control).
void reparametrize(Mat& path) {
  for (int pass = 0; pass < 100; ++pass) {
    redistribute(path);
    double lo = 1e300, hi = 0;
    for (Eigen::Index i = 1; i < path.cols(); ++i) {
      const double l = (path.col(i) - path.col(i - 1)).norm();
      lo = std::min(lo, l), hi = std::max(hi, l);
    }
    if (hi - lo <= 1e-12 * hi) return;
  }
}

/// phi' by central differences in alpha in [0, 1] (one-sided at the ends).
Mat tangent(const Mat& path) {
  const Eigen::Index n = path.cols();
  const double h = 1.0 / static_cast<double>(n - 1);
  Mat t(path.rows(), n);
  for (Eigen::Index i = 1; i + 1 < n; ++i) t.col(i) = (path.col(i + 1) - path.col(i - 1)) / (2 * h);
  t.col(0) = (path.col(1) - path.col(0)) / h;
  t.col(n - 1) = (path.col(n - 1) - path.col(n - 2)) / h;
  return t;
}

/// sum_i <p_hat(x_{i+1/2}, v_{i+1/2}), phi_{i+1} - phi_i> with midpoint
/// positions and chord velocities: second order, and for Gaussian noise the
/// exact geometric action of the polygon's midpoint rule. `partial`, when
/// given, receives the running sums.
double midpoint_action(const Inner& inner, const Mat& path, Vec* partial, bool& ok) {
  const Eigen::Index n = path.cols();
  const double hh = 1.0 / static_cast<double>(n - 1);
  double total = 0;
  if (partial) partial->resize(n), (*partial)[0] = 0;
  if (inner.constant) {
    const Eigen::Index d = path.rows();
    Vec mid(d), v(d), p(d);
    for (Eigen::Index i = 0; i + 1 < n; ++i) {
      mid = 0.5 * (path.col(i) + path.col(i + 1));
      v = (path.col(i + 1) - path.col(i)) / hh;
      double l = 0;
      inner.solve_gaussian(mid.data(), v.data(), p.data(), l);
      total += hh * p.dot(v);
      if (partial) (*partial)[i + 1] = total;
    }
    ok = ok && std::isfinite(total);
    return total;
  }
  for (Eigen::Index i = 0; i + 1 < n; ++i) {
    const Vec dx = path.col(i + 1) - path.col(i);
    Vec p;
    double l = 0;
    ok = inner.solve(0.5 * (path.col(i) + path.col(i + 1)), dx / hh, p, l) && ok;
    total += p.dot(dx);
    if (partial) (*partial)[i + 1] = total;
  }
  return total;
}

struct State {
  Mat path, velocity, momentum;
  Vec lambda;
  double action = 0;
  bool ok = true;
};

State evaluate(const Inner& inner, const Mat& path) {
  State s;
  s.path = path;
  s.velocity = tangent(path);
  const Eigen::Index n = path.cols();
  s.momentum.resize(path.rows(), n);
  s.lambda.resize(n);
  if (inner.constant) {
    for (Eigen::Index i = 0; i < n; ++i)
      inner.solve_gaussian(s.path.col(i).data(), s.velocity.col(i).data(), s.momentum.col(i).data(), s.lambda[i]);
    s.ok = s.momentum.allFinite();
    s.action = midpoint_action(inner, path, nullptr, s.ok);
    return s;
  }
  for (Eigen::Index i = 0; i < n; ++i) {
    Vec p;
    double l = 0;
    // Solve at every node (no short circuit): p must be filled even after a failure.
    const bool ok = inner.solve(path.col(i), s.velocity.col(i), p, l);
    s.ok = s.ok && ok;
    s.momentum.col(i) = p;
    s.lambda[i] = l;
  }
  s.action = midpoint_action(inner, path, nullptr, s.ok);
  return s;
}

/// One implicit step of the gMAM flow from `s` with pseudo-time step tau.
/// `residual` receives max_i |R_i| / max_i (size of R_i's terms), where R_i
/// is the right-hand side of the flow at node i, normal to the curve: zero
/// (to round-off) exactly at a discrete minimiser, whatever tau is.
Mat flow_step(const Inner& inner, const State& s, double tau, double& residual) {
  const model::Hamiltonian& h = inner.h;
  const Eigen::Index n = s.path.cols(), d = s.path.rows();
  const double hh = 1.0 / static_cast<double>(n - 1);
  Mat rhs = s.path;
  double r_max = 0, scale = 0;
  Vec drift_c(d), u_c(d), curv_c(d), r_c(d), jtp(d);
  for (Eigen::Index i = 1; i + 1 < n && inner.constant; ++i) {
    // Constant Gaussian noise: H_px v = Db v, grad_x H = Db^T p, H_pp = D.
    const double* x = s.path.col(i).data();
    const double* p = s.momentum.col(i).data();
    const double* v = s.velocity.col(i).data();
    const double l = s.lambda[i];
    const double* jac = inner.jacobian(x);
    double vn = 0;
    for (Eigen::Index k = 0; k < d; ++k) vn += v[k] * v[k];
    vn = std::sqrt(vn);
    for (Eigen::Index k = 0; k < d; ++k) {
      double jv = 0, jp = 0;
      for (Eigen::Index m = 0; m < d; ++m) {
        jv += jac[m * d + k] * v[m];
        jp += jac[k * d + m] * p[m];
      }
      drift_c[k] = -l * jv;
      jtp[k] = jp;
      u_c[k] = v[k] / vn;
    }
    drift_c.noalias() += inner.dmat * jtp;
    drift_c -= drift_c.dot(u_c) * u_c;
    rhs.col(i) += tau * drift_c;
    curv_c = l * l * (s.path.col(i + 1) - 2 * s.path.col(i) + s.path.col(i - 1)) / (hh * hh);
    r_c = curv_c + drift_c;
    r_max = std::max(r_max, (r_c - r_c.dot(u_c) * u_c).norm());
    scale = std::max(scale, curv_c.norm() + drift_c.norm());
  }
  for (Eigen::Index i = 1; i + 1 < n && !inner.constant; ++i) {
    const Vec x = s.path.col(i), p = s.momentum.col(i), v = s.velocity.col(i);
    const double l = s.lambda[i];
    // The explicit terms, normal part only: motion along the curve is the
    // reparametrisation's business (lambda lambda' phi' is purely tangential).
    const Vec u = v.normalized();
    Vec drift = -l * h.mixed_times(x, p, v) + inner.hess_p_times(x, p, h.grad_x(x, p));
    drift -= drift.dot(u) * u;
    rhs.col(i) += tau * drift;
    const Vec curvature = l * l * (s.path.col(i + 1) - 2 * s.path.col(i) + s.path.col(i - 1)) / (hh * hh);
    const Vec r = curvature + drift;
    r_max = std::max(r_max, (r - r.dot(u) * u).norm());
    scale = std::max(scale, curvature.norm() + drift.norm());
  }
  residual = scale > 0 ? r_max / scale : 0;
  // (I - tau lambda^2 D2) phi_new = rhs, Dirichlet ends: Thomas algorithm.
  Vec lower(n), diag(n), upper(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    const double c = (i == 0 || i == n - 1) ? 0 : tau * s.lambda[i] * s.lambda[i] / (hh * hh);
    lower[i] = -c, upper[i] = -c, diag[i] = 1 + 2 * c;
  }
  Mat out(d, n);
  Vec cp(n), dp(n);
  for (Eigen::Index k = 0; k < d; ++k) {
    cp[0] = upper[0] / diag[0];
    dp[0] = rhs(k, 0) / diag[0];
    for (Eigen::Index i = 1; i < n; ++i) {
      const double m = diag[i] - lower[i] * cp[i - 1];
      cp[i] = upper[i] / m;
      dp[i] = (rhs(k, i) - lower[i] * dp[i - 1]) / m;
    }
    out(k, n - 1) = dp[n - 1];
    for (Eigen::Index i = n - 2; i >= 0; --i) out(k, i) = dp[i] - cp[i] * out(k, i + 1);
  }
  return out;
}

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

Seed make_seed(const model::Hamiltonian& h, const Vec& a, const Vec& b, double seed) {
  Seed s;
  const int d = h.dim();
  if (seed <= 0 || d > 30) return s;
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
  s.value = seed;
  s.d_norm = dmat.norm();
  s.active = s.v_lin(b) > 4 * seed;  // B well outside the ellipse
  return s;
}

/// Moves the start node along the ellipse in the direction that lowers S
/// (dS = -<p_hat_0, dz>): the tangential part of p_hat_0.
void slide_start(const Seed& seed, Mat& path, const Vec& p0, double step) {
  const Vec z = path.col(0);
  const Vec normal = seed.sigma_inv * (z - seed.a);
  const Vec tangential = p0 - (p0.dot(normal) / normal.squaredNorm()) * normal;
  path.col(0) = seed.onto_ellipse(z + step * tangential);
}

Mat initial_path(const Vec& a, const Vec& b, int nodes, const Mat* guess) {
  Mat path(a.size(), nodes);
  if (!guess) {
    for (int i = 0; i < nodes; ++i) path.col(i) = a + (b - a) * (static_cast<double>(i) / (nodes - 1));
    return path;
  }
  // Resample the guess to `nodes` points, ends pinned to a and b.
  Mat g = *guess;
  g.col(0) = a;
  g.col(g.cols() - 1) = b;
  Vec s(g.cols());
  s[0] = 0;
  for (Eigen::Index i = 1; i < g.cols(); ++i) s[i] = s[i - 1] + (g.col(i) - g.col(i - 1)).norm();
  Eigen::Index j = 0;
  for (int i = 0; i < nodes; ++i) {
    const double target = s[g.cols() - 1] * i / (nodes - 1);
    while (j + 2 < g.cols() && s[j + 1] < target) ++j;
    const double w = (target - s[j]) / std::max(s[j + 1] - s[j], 1e-300);
    path.col(i) = (1 - w) * g.col(j) + w * g.col(j + 1);
  }
  return path;
}

}  // namespace

Result minimize_action(const model::Hamiltonian& h, const Vec& a, const Vec& b, const Options& o, const Mat* guess) {
  o.validate();
  if (a.size() != h.dim() || b.size() != h.dim())
    throw config_error(fmt::format("action: endpoints need {} coordinates", h.dim()));
  if (guess && (guess->rows() != h.dim() || guess->cols() < 2))
    throw config_error("action: the initial path needs one row per coordinate and at least 2 points");
  const Seed seed = make_seed(h, a, b, o.seed);
  Mat path = initial_path(a, b, o.nodes, guess);
  if (seed.active) {
    // Start where the first path leaves the ellipse; keep its shape beyond.
    Eigen::Index k = 1;
    while (k + 1 < path.cols() && seed.v_lin(path.col(k)) < seed.value) ++k;
    Mat rest(path.rows(), path.cols() - k + 1);
    rest.col(0) = seed.onto_ellipse(path.col(k));
    rest.rightCols(path.cols() - k) = path.rightCols(path.cols() - k);
    path = initial_path(rest.col(0), b, o.nodes, &rest);
  }
  reparametrize(path);
  const Inner inner(h, o.inner_iterations);
  State s = evaluate(inner, path);
  Result r;
  if (!s.ok) {
    r.status = Status::kFailure;
    r.message = "the inner problem (optimal momentum) failed on the initial path";
    return r;
  }
  double tau = o.initial_step, tau_cap = 1e6 * o.initial_step;
  bool converged = false;
  for (r.iterations = 0; r.iterations < o.max_iterations && !converged; ++r.iterations) {
    double residual = 0;
    Mat next = flow_step(inner, s, tau, residual);
    if (seed.active) {
      // The free start is optimal when p_hat_0 is normal to the ellipse.
      const Vec p0 = s.momentum.col(0), normal = seed.sigma_inv * (s.path.col(0) - seed.a);
      const double sine = (p0 - p0.dot(normal) / normal.squaredNorm() * normal).norm() / std::max(p0.norm(), 1e-300);
      residual = std::max(residual, sine);
      slide_start(seed, next, p0, tau * seed.d_norm);
    }
    if (residual < o.tolerance) {
      converged = true;
      break;
    }
    reparametrize(next);
    State t = evaluate(inner, next);
    // The discrete flow is not an exact descent direction of the discrete
    // action, so only a rise above round-off level counts against a step.
    if (!t.ok || !next.allFinite() || t.action > s.action + 1e-8 * std::abs(s.action)) {
      // Too large a step for the explicit terms: halve it, and never grow
      // back to where it failed (so tau settles below the limit instead of
      // cycling, which would keep the curve jittering).
      tau *= 0.5;
      tau_cap = std::min(tau_cap, tau);
      if (tau < 1e-12 * o.initial_step) break;
      continue;
    }
    s = std::move(t);
    tau = std::min(tau * 1.2, tau_cap);
  }
  r.status = converged ? Status::kConverged : (r.iterations >= o.max_iterations ? Status::kMaxIterations : Status::kFailure);
  r.path = s.path;
  r.momentum = s.momentum;
  r.lambda = s.lambda;
  r.seed_action = seed.active ? seed.value : 0;
  bool ok = true;
  r.action = r.seed_action + midpoint_action(inner, s.path, &r.cumulative, ok);
  r.cumulative.array() += r.seed_action;
  for (Eigen::Index i = 0; i < s.path.cols(); ++i)
    r.hamiltonian_residual = std::max(r.hamiltonian_residual, std::abs(h.value(s.path.col(i), s.momentum.col(i))));
  r.message = r.status == Status::kConverged ? "converged"
              : r.status == Status::kMaxIterations ? "stopped at max_iterations"
                                                   : "the step size underflowed before convergence";
  return r;
}

std::string Result::brief_report() const {
  std::ostringstream os;
  os << fmt::format("action: {} after {} iterations; S = {:.12g} on {} nodes, max |H| on the path {:.2e}\n", message,
                    iterations, action, path.cols(), hamiltonian_residual);
  return os.str();
}

}  // namespace fw::action
