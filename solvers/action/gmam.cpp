#include "gmam.hpp"
#include "inner_diagnosis.hpp"
#include "block_tridiagonal.hpp"
#include "path_geometry.hpp"
#include "run_status.hpp"
#include "seed_ellipse.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <sstream>
#include <tuple>

#include "fwkit/core/error.hpp"
#include "fwkit/model/inner_problem.hpp"

namespace fw::action {

void Options::validate() const {
  if (nodes < 5) throw config_error(fmt::format("action.nodes = {}: must be >= 5", nodes));
  if (max_iterations < 0) throw config_error(fmt::format("action.max_iterations = {}: must be >= 0 (0: 500 x nodes)", max_iterations));
  if (!(tolerance > 0)) throw config_error(fmt::format("action.tolerance = {}: must be > 0", tolerance));
  if (std::isnan(seed)) throw config_error("action.seed = nan: must be >= 0 (or absent: scaled with the node spacing)");
  if (!(initial_step > 0)) throw config_error(fmt::format("action.initial_step = {}: must be > 0", initial_step));
  if (inner_iterations < 1) throw config_error(fmt::format("action.inner_iterations = {}: must be >= 1", inner_iterations));
}

namespace {

using namespace geometry;
using namespace detail;


/// The inner problem along a path, with D factorised once for constant
/// Gaussian noise (in high dimension a factorisation per node and step
/// dominated the run, allocations included).

struct Inner {
  const model::Hamiltonian& h;
  int iterations;
  bool constant = false;
  Mat dmat;
  Eigen::LDLT<Mat> ldlt;
  bool precondition = false;  // the flow step takes J = D Db^T D^{-1} Db implicitly (any noise, d <= 8)
  Inner(const model::Hamiltonian& ham, int it, bool want_precondition) : h(ham), iterations(it) {
    const auto& noise = *h.model().noise;
    constant = (h.kind() == model::HamiltonianKind::kLangevin || noise.is_gaussian()) && !noise.depends_on_state();
    if (constant) {
      dmat = h.hess_p(Vec::Zero(h.dim()), Vec::Zero(h.dim()));
      ldlt.compute(dmat);
      dinv = ldlt.solve(Mat::Identity(dmat.rows(), dmat.cols()));
      scratch.assign(static_cast<std::size_t>(dmat.rows() * (dmat.rows() + 6)), 0.0);
      gn_scratch.assign(static_cast<std::size_t>(2 * dmat.rows() * dmat.rows()), 0.0);
    }
    precondition = want_precondition && h.dim() <= kMaxPreconditioned;
  }
  /// The preconditioner for any Hamiltonian: J = H_pp Db^T H_pp^{-1} Db at
  /// (x, p), H_pp standing in for D (equal to it for Gaussian noise).
  Mat general_gauss_newton(const Vec& x, const Vec& p) const {
    const Eigen::Index d = x.size();
    Mat db(d, d);
    h.model().system->jacobian(x.data(), db.data());  // column-major: db(k, m) = d b_k / d x_m
    const Mat hpp = h.hess_p(x, p);
    return hpp * (db.transpose() * Eigen::LDLT<Mat>(hpp).solve(db));
  }
  Mat dinv;                              // D^{-1} when constant
  mutable std::vector<double> scratch;   // constant case: b, D^{-1} b, D^{-1} v, Db, and work space

  bool solve(const Vec& x, const Vec& v, Vec& p, double& lambda) const {
    model::MomentumOptions o;
    o.max_iterations = iterations;
    o.fixed = constant ? &ldlt : nullptr;
    return model::optimal_momentum(h, x, v, p, lambda, o);
  }
  /// The closed form for constant Gaussian noise, without allocation: x, v
  /// and p point to d values.
  template <int D>
  void solve_gaussian(const double* x, const double* v, double* p, double& lambda) const {
    const Eigen::Index d = D > 0 ? D : dmat.rows();
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
  /// J = K Db, K = D Db^T D^{-1}, row-major into J, from Db column-major
  /// (jac[m d + k] = d b_k / d x_m); with T given, also T = K - Db there.
  template <int D>
  void gauss_newton(const double* jac, double* J, double* T = nullptr) const {
    const Eigen::Index d = D > 0 ? D : dmat.rows();
    Eigen::Map<const Mat> db(jac, d, d);  // column-major: db(k, m) = d b_k / d x_m
    double* w = gn_scratch.data();  // Db^T D^{-1}
    double* K = w + d * d;
    for (Eigen::Index a = 0; a < d; ++a)
      for (Eigen::Index m = 0; m < d; ++m) {
        double acc = 0;
        for (Eigen::Index k = 0; k < d; ++k) acc += db(k, a) * dinv(k, m);
        w[a * d + m] = acc;
      }
    for (Eigen::Index a = 0; a < d; ++a)
      for (Eigen::Index m = 0; m < d; ++m) {
        double acc = 0;
        for (Eigen::Index k = 0; k < d; ++k) acc += dmat(a, k) * w[k * d + m];
        K[a * d + m] = acc;
        if (T) T[a * d + m] = acc - db(a, m);
      }
    for (Eigen::Index a = 0; a < d; ++a)
      for (Eigen::Index m = 0; m < d; ++m) {
        double acc = 0;
        for (Eigen::Index k = 0; k < d; ++k) acc += K[a * d + k] * db(k, m);
        J[a * d + m] = acc;
      }
  }
  /// Also take the transport term lambda T phi', T = D Db^T D^{-1} - Db,
  /// implicitly (constant Gaussian noise, fixed ends): see relax().
  bool transport = false;
  mutable std::vector<double> blocks;      // J_i per node, for the preconditioned step
  mutable std::vector<double> tblocks;     // T_i per node, when transport is on
  mutable std::vector<double> solve_work;  // block_solve's G_i and y_i
  mutable std::vector<double> gn_scratch;  // 2 d^2
  /// H_pp(x, p) w.
  Vec hess_p_times(const Vec& x, const Vec& p, const Vec& w) const { return constant ? Vec(dmat * w) : Vec(h.hess_p(x, p) * w); }
};


/// sum_i <p_hat(x_{i+1/2}, v_{i+1/2}), phi_{i+1} - phi_i> with midpoint
/// positions and chord velocities: second order, and for Gaussian noise the
/// exact geometric action of the polygon's midpoint rule. `partial`, when
/// given, receives the running sums.
template <int D>
double midpoint_action(const Inner& inner, const Mat& path, Vec* partial, bool& ok) {
  const Eigen::Index n = path.cols();
  const double hh = 1.0 / static_cast<double>(n - 1);
  double total = 0;
  if (partial) partial->resize(n), (*partial)[0] = 0;
  if (inner.constant) {
    const Eigen::Index d = D > 0 ? D : path.rows();
    Vec mid(d), v(d), p(d);
    const double* x = path.data();
    for (Eigen::Index i = 0; i + 1 < n; ++i) {
      for (Eigen::Index k = 0; k < d; ++k) {
        mid[k] = 0.5 * (x[i * d + k] + x[(i + 1) * d + k]);
        v[k] = (x[(i + 1) * d + k] - x[i * d + k]) / hh;
      }
      double l = 0;
      inner.solve_gaussian<D>(mid.data(), v.data(), p.data(), l);
      double pv = 0;
      for (Eigen::Index k = 0; k < d; ++k) pv += p[k] * v[k];
      total += hh * pv;
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

template <int D>
State evaluate(const Inner& inner, const Mat& path) {
  State s;
  s.path = path;
  s.velocity = tangent<D>(path);
  const Eigen::Index n = path.cols();
  s.momentum.resize(path.rows(), n);
  s.lambda.resize(n);
  if (inner.constant) {
    for (Eigen::Index i = 0; i < n; ++i)
      inner.solve_gaussian<D>(s.path.col(i).data(), s.velocity.col(i).data(), s.momentum.col(i).data(), s.lambda[i]);
    s.ok = s.momentum.allFinite();
    s.action = midpoint_action<D>(inner, path, nullptr, s.ok);
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
  s.action = midpoint_action<D>(inner, path, nullptr, s.ok);
  return s;
}

/// One implicit step of the gMAM flow from `s` with pseudo-time step tau.
/// `residual` receives max_i |R_i| / max_i (size of R_i's terms), where R_i
/// is the right-hand side of the flow at node i, normal to the curve: zero
/// (to round-off) exactly at a discrete minimiser, whatever tau is. `floor`
/// receives the round-off level of that ratio: eps times the pieces that
/// cancel in R_i (the three terms of the second difference, lambda H_px v
/// and H_pp H_x), over the same scale.
template <int D>
Mat flow_step(const Inner& inner, const State& s, double tau, double& residual, double& floor) {
  const model::Hamiltonian& h = inner.h;
  const Eigen::Index n = s.path.cols(), d = D > 0 ? D : s.path.rows();
  const double hh = 1.0 / static_cast<double>(n - 1);
  Mat rhs = s.path;
  double r_max = 0, scale = 0, round_max = 0;
  constexpr double kEps = std::numeric_limits<double>::epsilon();
  Vec drift_c(d), u_c(d), jtp(d);
  // Constant Gaussian noise in few dimensions: the stiff part of the
  // explicit terms, -D Db^T D^{-1} b, is also taken implicitly through its
  // Gauss-Newton Jacobian J_i = D Db^T D^{-1} Db (positive semi-definite in
  // the D^{-1} inner product): J_i phi_i is added on both sides, so a fixed
  // point (the discrete minimiser) is unchanged, but steps are no longer
  // limited by the largest eigenvalue of J (the drift's fast directions).
  const bool precondition = inner.precondition;
  std::vector<double>& jblock = inner.blocks;
  // Every interior block is written below (a zero one where a node stays explicit).
  if (precondition) jblock.resize(static_cast<std::size_t>(n * d * d));
  const bool transport = precondition && inner.transport;
  if (transport) inner.tblocks.resize(static_cast<std::size_t>(n * d * d));
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
    double* dc = drift_c.data();
    double* uc = u_c.data();
    double* jp = jtp.data();
    for (Eigen::Index k = 0; k < d; ++k) {
      double jv = 0, acc = 0;
      for (Eigen::Index m = 0; m < d; ++m) {
        jv += jac[m * d + k] * v[m];
        acc += jac[k * d + m] * p[m];
      }
      dc[k] = -l * jv;
      jp[k] = acc;
      uc[k] = v[k] / vn;
    }
    double along = 0, transport2 = 0, gradient2 = 0;
    for (Eigen::Index k = 0; k < d; ++k) {
      double g = 0;
      for (Eigen::Index m = 0; m < d; ++m) g += inner.dmat(k, m) * jp[m];
      transport2 += dc[k] * dc[k], gradient2 += g * g;
      dc[k] += g;
      along += dc[k] * uc[k];
    }
    const double* prev = x - d;
    const double* next = x + d;
    const double cc = l * l / (hh * hh);
    double curv2 = 0, drift2 = 0, r_along = 0, nodes2 = 0;
    for (Eigen::Index k = 0; k < d; ++k) {
      const double pieces = std::abs(next[k]) + 2 * std::abs(x[k]) + std::abs(prev[k]);
      nodes2 += pieces * pieces;
      dc[k] -= along * uc[k];
      rhs(k, i) += tau * dc[k];
      const double curv = cc * (next[k] - 2 * x[k] + prev[k]);
      curv2 += curv * curv;
      drift2 += dc[k] * dc[k];
      r_along += (curv + dc[k]) * uc[k];
    }
    double r2 = 0;
    for (Eigen::Index k = 0; k < d; ++k) {
      const double r = cc * (next[k] - 2 * x[k] + prev[k]) + dc[k] - r_along * uc[k];
      r2 += r * r;
    }
    r_max = std::max(r_max, std::sqrt(r2));
    scale = std::max(scale, std::sqrt(curv2) + std::sqrt(drift2));
    round_max = std::max(round_max, kEps * (cc * std::sqrt(nodes2) + std::sqrt(transport2) + std::sqrt(gradient2)));
    if (precondition) {
      double* J = jblock.data() + static_cast<std::size_t>(i * d * d);  // row-major d x d
      double* T = transport ? inner.tblocks.data() + static_cast<std::size_t>(i * d * d) : nullptr;
      inner.gauss_newton<D>(jac, J, T);
      for (Eigen::Index k = 0; k < d; ++k)
        for (Eigen::Index m = 0; m < d; ++m) rhs(k, i) += tau * J[k * d + m] * x[m];
      if (transport) {
        // -tau lambda T phi' on both sides (phi' by central differences, as
        // in the velocity).
        for (Eigen::Index k = 0; k < d; ++k)
          for (Eigen::Index m = 0; m < d; ++m) rhs(k, i) -= tau * l * T[k * d + m] * v[m];
      }
    }
  }
  for (Eigen::Index i = 1; i + 1 < n && !inner.constant; ++i) {
    const Vec x = s.path.col(i), p = s.momentum.col(i), v = s.velocity.col(i);
    const double l = s.lambda[i];
    // The explicit terms, normal part only: motion along the curve is the
    // reparametrisation's business (lambda lambda' phi' is purely tangential).
    const Vec u = v.normalized();
    const Vec transport = -l * h.mixed_times(x, p, v), gradient = inner.hess_p_times(x, p, h.grad_x(x, p));
    Vec drift = transport + gradient;
    drift -= drift.dot(u) * u;
    rhs.col(i) += tau * drift;
    const Vec curvature = l * l * (s.path.col(i + 1) - 2 * s.path.col(i) + s.path.col(i - 1)) / (hh * hh);
    const Vec r = curvature + drift;
    r_max = std::max(r_max, (r - r.dot(u) * u).norm());
    scale = std::max(scale, curvature.norm() + drift.norm());
    const Vec pieces = s.path.col(i + 1).cwiseAbs() + 2 * x.cwiseAbs() + s.path.col(i - 1).cwiseAbs();
    round_max = std::max(round_max, kEps * (l * l / (hh * hh) * pieces.norm() + transport.norm() + gradient.norm()));
    if (precondition) {
      const Mat J = inner.general_gauss_newton(x, p);
      double* out = jblock.data() + static_cast<std::size_t>(i * d * d);  // row-major
      if (!J.allFinite()) {  // this node stays explicit (its block is zero)
        std::fill(out, out + d * d, 0.0);
        continue;
      }
      rhs.col(i) += tau * J * x;
      for (Eigen::Index k = 0; k < d; ++k)
        for (Eigen::Index m = 0; m < d; ++m) out[k * d + m] = J(k, m);
    }
  }
  residual = scale > 0 ? r_max / scale : 0;
  // In 1-D there is no normal direction: R_i is zero identically, not by
  // cancellation, so it has no round-off level (the ratio above read 4.9).
  floor = scale > 0 && d > 1 ? round_max / scale : 0;
  if (precondition) return block_solve<D>(s.path, s.lambda, tau, rhs, jblock, transport ? &inner.tblocks : nullptr, inner.solve_work);
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

/// The inner equation H_p(phi, p_hat) = lambda phi' at every node. The
/// Gaussian closed form solves it only where phi' lies in the range of D
/// (plus the drift): with a singular noise covariance a path that needs
/// motion the noise cannot make would otherwise be priced by the part it
/// can (a finite, wrong cost reported as converged). Marks r failed then.
void check_velocity_equation(const model::Hamiltonian& h, Result& r) {
  const Mat v = tangent<-1>(r.path);
  double worst = 0;
  Eigen::Index at = 0;
  for (Eigen::Index i = 0; i < r.path.cols(); ++i) {
    const Vec x = r.path.col(i), lv = r.lambda[i] * v.col(i);
    const double scale = lv.norm() + h.model().system->drift_at(x).norm();
    if (!(scale > 0)) continue;
    const double miss = (h.grad_p(x, r.momentum.col(i)) - lv).norm() / scale;
    if (!(miss <= worst)) worst = miss, at = i;
  }
  if (worst <= 1e-6) return;
  r.status = Status::kFailure;
  r.message = fmt::format("failed: the optimal momentum does not produce the path's velocity at node {} of {} "
                          "(|H_p - lambda phi'| is {:.3g} of its terms): the noise covariance is singular there and "
                          "the path moves outside its range; such a path costs +inf, and a cost through the drift's "
                          "coupling of the undriven coordinates is not computed here", at, r.path.cols(), worst);
  r.action = std::numeric_limits<double>::quiet_NaN();
}

/// The relaxation from `path` (seeded or not) to convergence; D is the
/// dimension when known at compile time (2, 3), else -1.
template <int D>
Result relax(const model::Hamiltonian& h, const Options& o, const Seed& seed, Mat path, double* step = nullptr) {
  Reparam work;
  reparametrize<D>(path, work);
  Inner inner(h, o.inner_iterations, o.precondition);
  // With both ends fixed, the transport term goes implicit too (Maier-Stein
  // beta = 10: 36 -> 27 iterations). Not with a sliding start: there it
  // provokes early rejections that cap the step for good (the non-gradient
  // family of the tests: 25,000 -> 49,000 iterations over its runs).
  inner.transport = inner.precondition && inner.constant && !seed.active;
  State s = evaluate<D>(inner, path);
  Result r;
  if (!s.ok) {
    r.status = Status::kFailure;
    r.message = "the inner problem (optimal momentum) failed on the initial path";
    bool unreachable = false;
    const std::string why = explain_inner_failure(h, s.path, o.inner_iterations, &unreachable);
    if (!why.empty()) r.message += " " + why;
    // A velocity the noise cannot produce costs +inf along this path.
    if (unreachable) r.action = std::numeric_limits<double>::infinity();
    const Eigen::Index n = s.path.cols();
    const double nan = std::numeric_limits<double>::quiet_NaN();
    r.path = s.path;
    r.momentum = Mat::Constant(s.path.rows(), n, nan);
    r.lambda = r.cumulative = Vec::Constant(n, nan);
    r.relaxations = 1;
    return r;
  }
  // `step`: where to start the pseudo-time step (when positive), and where it ended.
  double tau = step && *step > 0 ? *step : o.initial_step, tau_cap = 1e6 * o.initial_step;
  const int cap = o.iteration_cap(), window = std::max(2000, 10 * o.nodes);
  double first_residual = 1;
  int stall_window = window;  // the window that ended a stalled run
  enum class End { kCap, kConverged, kStalled, kUnderflow } end = End::kCap;
  double best = std::numeric_limits<double>::infinity();
  int best_at = 0;
  Slide slide;
  for (r.iterations = 0; r.iterations < cap; ++r.iterations) {
    double residual = 0, floor = 0;
    Mat next = flow_step<D>(inner, s, tau, residual, floor);
    if (seed.active) {
      // The free start is optimal when p_hat_0 is normal to the ellipse.
      Vec p0 = start_descent(h, s.path);
      if (p0.size() == 0) p0 = s.momentum.col(0);
      const Vec normal = seed.sigma_inv * (s.path.col(0) - seed.a);
      const double sine = (p0 - p0.dot(normal) / normal.squaredNorm() * normal).norm() / std::max(p0.norm(), 1e-300);
      residual = std::max(residual, sine);
      slide.move(seed, next, p0, tau * seed.d_norm);
    }
    r.residual = residual, r.rounding_floor = floor;
    if (r.iterations == 0) first_residual = residual;
    if (residual < o.tolerance) {
      end = End::kConverged;
      break;
    }
    // Within 10x its round-off floor (and small) the residual only jitters: a
    // short window decides (the full one cost 2000 idle iterations, 16 s on
    // a 50-point finite sum).
    if (residual <= kEarlyRoundingMargin * floor && residual < 1e-6 && r.iterations - best_at > kRoundingWindow) {
      end = End::kStalled;
      stall_window = kRoundingWindow;
      break;
    }
    // Progress is a fall of the residual by 30% within the window.
    if (residual < 0.7 * best) best = residual, best_at = r.iterations;
    if (r.iterations - best_at > window) {
      end = End::kStalled;
      stall_window = window;
      break;
    }
    if (o.progress && r.iterations % 16 == 0) o.progress->update(residual_progress(first_residual, residual, o.tolerance));
    reparametrize<D>(next, work);
    State t = evaluate<D>(inner, next);
    // The discrete flow is not an exact descent direction of the discrete
    // action, so only a rise above round-off level counts against a step.
    if (!t.ok || !next.allFinite() || t.action > s.action + 1e-8 * std::abs(s.action)) {
      // Too large a step for the explicit terms: halve it, and never grow
      // back to where it failed (so tau settles below the limit instead of
      // cycling, which would keep the curve jittering).
      tau *= 0.5;
      tau_cap = std::min(tau_cap, tau);
      if (tau < 1e-12 * o.initial_step) {
        end = End::kUnderflow;
        break;
      }
      continue;
    }
    s = std::move(t);
    tau = std::min(tau * 2, tau_cap);
  }
  if (step) *step = tau;
  r.relaxations = 1;
  r.path = s.path;
  r.momentum = s.momentum;
  r.lambda = s.lambda;
  r.seed_action = seed.active ? seed.value : 0;
  bool ok = true;
  r.action = r.seed_action + midpoint_action<D>(inner, s.path, &r.cumulative, ok);
  r.cumulative.array() += r.seed_action;
  for (Eigen::Index i = 0; i < s.path.cols(); ++i)
    r.hamiltonian_residual = std::max(r.hamiltonian_residual, std::abs(h.value(s.path.col(i), s.momentum.col(i))));
  check_velocity_equation(h, r);
  if (r.status == Status::kFailure) return r;
  const double zero_scale = end == End::kConverged ? 0.0 : drift_work(h, r.path);
  finish_status(r, end == End::kConverged, o.tolerance, zero_scale, end == End::kStalled ? fmt::format("over the last {} iterations", stall_window)
                                           : end == End::kUnderflow ? std::string("before the step size underflowed")
                                                                    : fmt::format("by the iteration cap {}", cap));
  return r;
}

/// relax(), through a coarser curve first when Options::nested applies.
template <int D>
Result relax_nested(const model::Hamiltonian& h, const Options& o, const Seed& seed, Mat path) {
  constexpr int kMinCoarse = 51;
  constexpr double kCoarseTolerance = 1e-4;
  const int coarse_nodes = (o.nodes - 1) / 4 + 1;
  if (!o.nested || seed.active || coarse_nodes < kMinCoarse || !(o.tolerance < kCoarseTolerance))
    return relax<D>(h, o, seed, std::move(path));
  Options oc = o;
  oc.nodes = coarse_nodes;
  oc.tolerance = kCoarseTolerance;
  oc.progress = nullptr;  // measured against its own 1e-4, it read 100% before the full run began
  double step = 0;
  const Result coarse = relax<D>(h, oc, seed, initial_path(path.col(0), path.col(path.cols() - 1), coarse_nodes, &path), &step);
  if (coarse.status != Status::kConverged) return relax<D>(h, o, seed, std::move(path));  // start afresh
  Result r = relax<D>(h, o, seed, refine_path(coarse.path, o.nodes), &step);
  r.coarse_iterations = coarse.iterations;
  return r;
}

}  // namespace

Result relax_once(const model::Hamiltonian& h, const Vec& a, const Vec& b, const Options& o, const Mat* guess) {
  o.validate();
  if (a.size() != h.dim() || b.size() != h.dim())
    throw config_error(fmt::format("action: endpoints need {} coordinates", h.dim()));
  if (guess && (guess->rows() != h.dim() || guess->cols() < 2))
    throw config_error("action: the initial path needs one row per coordinate and at least 2 points");
  const Seed seed = make_seed(h, a, b, o.seed, o.nodes);
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
  // Two and three dimensions get code compiled for their size.
  switch (h.dim()) {
    case 2: return relax_nested<2>(h, o, seed, std::move(path));
    case 3: return relax_nested<3>(h, o, seed, std::move(path));
    default: return relax_nested<-1>(h, o, seed, std::move(path));
  }
}

}  // namespace fw::action
