// Minimum action (gMAM), transitions between attractors and the string
// method against exact quasi-potentials, quadratures and simulation.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <functional>
#include <initializer_list>
#include <limits>
#include <vector>

#include "action/gmam.hpp"
#include "action/string_method.hpp"
#include "action/transitions.hpp"
#include "analyze/equilibria.hpp"
#include "fwkit/model/catalog.hpp"
#include "fwkit/model/expression.hpp"
#include "hj/global.hpp"
#include "hj/quadrature_1d.hpp"
#include "lyapunov_2x2.hpp"
#include "sim/ensemble.hpp"

using namespace fw;

namespace {

/// The gMAM action from a to b on each node count (every run converged).
std::vector<double> actions_on(const model::Hamiltonian& h, const Vec& a, const Vec& b, std::initializer_list<int> nodes) {
  std::vector<double> out;
  for (int n : nodes) {
    action::Options o;
    o.nodes = n;
    const auto r = action::minimize_action(h, a, b, o);
    REQUIRE(r.status == action::Status::kConverged);
    out.push_back(r.action);
  }
  return out;
}

model::Hamiltonian langevin(const std::string& name, model::ParamValues p = {}) {
  std::shared_ptr<const model::System> sys = model::make_catalog_system(name, p);
  return model::Hamiltonian(model::with_system_diffusion(sys), model::HamiltonianKind::kLangevin);
}

/// Muller-Brown's deepest minimum and the saddle next to it (x < -0.5), by
/// Newton on the drift (analyze).
std::pair<analyze::Equilibrium, analyze::Equilibrium> muller_brown_deep_minimum_and_saddle(const model::Hamiltonian& h) {
  analyze::Options ao;
  ao.lower = {-1.5, -0.5};
  ao.upper = {1.2, 2.0};
  const auto eq = analyze::find_equilibria(*h.model().system, ao);
  const analyze::Equilibrium *deep = nullptr, *saddle = nullptr;
  for (const auto& e : eq.equilibria) {
    if (e.stability == analyze::Stability::kStable && (!deep || e.loss < deep->loss)) deep = &e;
    if (e.stability == analyze::Stability::kSaddle && e.x[0] < -0.5) saddle = &e;
  }
  REQUIRE(deep);
  REQUIRE(saddle);
  return {*deep, *saddle};
}

}  // namespace

TEST_CASE("gMAM: Maier-Stein with beta <= 4 costs exactly 0.5, second order in N", "[action][validation]") {
  // Along the axis b = (x - x^3, 0) is a gradient of -(x^2/2 - x^4/4): with
  // D = I the cost from (-1, 0) to the saddle is 2 (U(0) - U(-1)) = 1/2.
  for (double beta : {1.0, 2.5, 4.0}) {
    const auto h = langevin("maier_stein", {{"beta", model::ParamValue::scalar(beta)}});
    double s[3];
    int k = 0;
    for (int nodes : {51, 101, 201}) {
      action::Options o;
      o.nodes = nodes;
      const auto r = action::minimize_action(h, (Vec(2) << -1.0, 0.0).finished(), Vec::Zero(2), o);
      REQUIRE(r.status == action::Status::kConverged);
      CHECK(r.hamiltonian_residual < 1e-10);
      s[k++] = r.action;
    }
    const double order = std::log2((s[0] - 0.5) / (s[1] - 0.5));
    INFO("beta " << beta << ": actions " << s[0] << " " << s[1] << " " << s[2] << ", order " << order);
    CHECK(order == Approx(2).margin(0.2));
    CHECK(std::abs(action::richardson(s[1], s[2], 2) - 0.5) < 1e-6);
  }
}

TEST_CASE("gMAM: Mueller-Brown barrier from a minimum to its saddle is 2 Delta U", "[action][validation]") {
  const auto h = langevin("muller_brown", {{"scale", model::ParamValue::scalar(0.01)}});
  // Independent: the minimum and saddle and their energies from Newton.
  const auto [deep, saddle] = muller_brown_deep_minimum_and_saddle(h);
  const auto s = actions_on(h, deep.x, saddle.x, {101, 201});
  const double exact = 2 * (saddle.loss - deep.loss);
  INFO("actions " << s[0] << " " << s[1] << " exact " << exact);
  CHECK(std::abs(action::richardson(s[0], s[1], 2) - exact) < 1e-5 * exact);
}

TEST_CASE("gMAM with Rademacher SGD noise matches the 1-D quadrature", "[action][validation]") {
  // H(x, p) = b(x) p + log cosh(s p), b = x - x^3: V(-1 -> 0) = int p*(x) dx
  // with p* the non-zero root of H(x, .), found here by bisection.
  const double sc = 0.6;
  std::shared_ptr<const model::System> sys = model::make_catalog_system("double_well_1d", {});
  const model::Hamiltonian h(model::Model{sys, model::make_rademacher_noise(Vec::Constant(1, sc))},
                             model::HamiltonianKind::kDiscrete);
  auto p_star = [&](double x) {
    const double b = x - x * x * x;
    if (b == 0) return 0.0;
    auto f = [&](double p) { return b * p + std::log(std::cosh(sc * p)); };
    // For b > 0 the root is negative: f < 0 just below 0, f > 0 far out.
    double lo = b > 0 ? -1.0 : 1e-12, hi = b > 0 ? -1e-12 : 1.0;
    while (f(b > 0 ? lo : hi) < 0) (b > 0 ? lo : hi) *= 2;
    for (int it = 0; it < 200; ++it) {
      const double mid = 0.5 * (lo + hi);
      ((f(mid) < 0) == (b > 0 ? false : true) ? lo : hi) = mid;
      if (b > 0) (f(mid) > 0 ? lo : hi) = mid;
    }
    return 0.5 * (lo + hi);
  };
  // Composite Simpson on [-1, 0].
  const int m = 4000;
  double exact = p_star(-1) + p_star(0);
  for (int i = 1; i < m; ++i) exact += (i % 2 ? 4 : 2) * p_star(-1 + static_cast<double>(i) / m);
  exact /= 3 * m;
  REQUIRE(exact > 0);
  double s[2];
  int k = 0;
  for (int nodes : {101, 201}) {
    action::Options o;
    o.nodes = nodes;
    const auto r = action::minimize_action(h, Vec::Constant(1, -1.0), Vec::Zero(1), o);
    REQUIRE(r.status == action::Status::kConverged);
    CHECK(r.hamiltonian_residual < 1e-10);
    s[k++] = r.action;
  }
  INFO("actions " << s[0] << " " << s[1] << " quadrature " << exact);
  CHECK(std::abs(action::richardson(s[0], s[1], 2) - exact) < 1e-6 * exact);
  // Discrete-time Rademacher noise is lighter-tailed than the Gaussian of the
  // same variance s^2: its barrier is higher than 2 Delta U / s^2.
  CHECK(exact > 0.5 / (sc * sc));
}

TEST_CASE("gMAM: the non-gradient family b = -(I + g J) grad U costs 2 Delta U = 0.5 for every g", "[action][validation]") {
  // U = (x^2-1)^2/4 + y^2/2, J the rotation by 90 degrees: J grad U is
  // orthogonal to grad U, so V = 2 (U - U(-1, 0)) with D = I, 0.5 at the
  // saddle (0, 0). For g > 1/sqrt(8) the attractor is a focus, where the
  // equal-arclength discretisation loses its second order (gmam.hpp): g = 1
  // is held to the accuracy it reaches there.
  for (double g : {0.1, 0.2, 0.3, 1.0}) {
    const auto h = langevin("rotational_double_well", {{"g", model::ParamValue::scalar(g)}});
    const auto s = actions_on(h, (Vec(2) << -1.0, 0.0).finished(), Vec::Zero(2), {51, 101, 201});
    const double order = std::log2((s[0] - s[1]) / (s[1] - s[2]));
    const double extrapolated = action::richardson(s[1], s[2], 2);
    INFO("g " << g << ": actions " << s[0] << " " << s[1] << " " << s[2] << ", order " << order << ", extrapolated "
              << extrapolated);
    if (g < 1 / std::sqrt(8.0)) {
      CHECK(order == Approx(2).margin(0.25));
      CHECK(std::abs(extrapolated - 0.5) < 1e-6);
    } else {
      CHECK(order > 1.3);
      CHECK(std::abs(extrapolated - 0.5) < 5e-5);
    }
  }
}

TEST_CASE("gMAM: linear OU with anisotropic noise against the Lyapunov form x^T Sigma^{-1} x / 2", "[action][validation]") {
  // A = [[-1, -0.4], [0.6, -2]] (not symmetric, real eigenvalues: a node),
  // D = [[1, 0.3], [0.3, 0.5]]; Sigma by hand (lyapunov_2x2.hpp).
  Mat a(2, 2), dm(2, 2);
  a << -1, -0.4, 0.6, -2;
  dm << 1, 0.3, 0.3, 0.5;
  const Mat sigma = testing::lyapunov_2x2(a, dm);
  REQUIRE((a * sigma + sigma * a.transpose() + dm).norm() < 1e-12);
  model::ParamValue pa{{a(0, 0), a(0, 1), a(1, 0), a(1, 1)}, 2, 2};
  std::shared_ptr<const model::System> s = model::make_catalog_system("linear", {{"A", pa}});
  const model::Hamiltonian h({s, model::make_gaussian_noise(dm)}, model::HamiltonianKind::kLangevin);
  const Vec target = (Vec(2) << 0.6, -0.4).finished();
  const double exact = 0.5 * target.dot(sigma.ldlt().solve(target));
  const auto v = actions_on(h, Vec::Zero(2), target, {51, 101, 201});
  const double extrapolated = action::richardson(v[1], v[2], 2);
  INFO("exact " << exact << ", actions " << v[0] << " " << v[1] << " " << v[2] << ", extrapolated " << extrapolated);
  const double order = std::log2((v[0] - v[1]) / (v[1] - v[2]));
  INFO("order " << order);
  CHECK(order > 1.8);
  CHECK(std::abs(extrapolated - exact) < 1e-6 * exact);
}

namespace {

/// Mean first-passage time from a to b > a of dX = -u'(X) dt + sqrt(eps) dW
/// (reflected far to the left), by quadrature of the exact 1-D formula
/// T = (2/eps) int_a^b exp(2u(y)/eps) int_{-inf}^y exp(-2u(z)/eps) dz dy,
/// returned as log T (the integrand is scaled to stay finite).
double log_mfpt_1d(const std::function<double(double)>& u, double a, double b, double eps) {
  const double lo = a - 2.0, h = 2e-4;
  const int n = static_cast<int>((b - lo) / h);
  double umax = -1e300, umin = 1e300;  // max over [a, b], min over [lo, b]: the scales of the two integrals
  for (int i = 0; i <= n; ++i) {
    const double y = lo + i * h;
    umin = std::min(umin, u(y));
    if (y >= a) umax = std::max(umax, u(y));
  }
  // inner(y) = int_lo^y exp(-2(u - umin)/eps), trapezoid; outer over [a, b] of exp(2(u - umax)/eps) inner.
  double inner = 0, outer = 0, prev_inner_f = std::exp(-2 * (u(lo) - umin) / eps), prev_outer = 0;
  for (int i = 1; i <= n; ++i) {
    const double y = lo + i * h, f = std::exp(-2 * (u(y) - umin) / eps);
    inner += 0.5 * h * (prev_inner_f + f);
    prev_inner_f = f;
    const double g = y >= a ? std::exp(2 * (u(y) - umax) / eps) * inner : 0.0;
    outer += 0.5 * h * (prev_outer + g);
    prev_outer = g;
  }
  return std::log(2 / eps * outer) + 2 * (umax - umin) / eps;
}

}  // namespace

TEST_CASE("transitions: tilted double well, costs 2 Delta U, W-graphs and Eyring-Kramers against the exact MFPT",
          "[action][validation]") {
  // U = (x^2-1)^2/4 - 0.1 x + y^2/2, D = I. Its equilibria by Newton on the
  // cubic here, independently of analyze.
  std::shared_ptr<const model::System> s = model::make_catalog_system("double_well_2d", {{"tilt", model::ParamValue::scalar(0.1)}});
  const model::Hamiltonian h({s, model::make_gaussian_noise(Mat::Identity(2, 2))}, model::HamiltonianKind::kLangevin);
  auto root = [](double x) {
    for (int i = 0; i < 60; ++i) x -= (x - x * x * x + 0.1) / (1 - 3 * x * x);
    return x;
  };
  const double a = root(-1), sx = root(0), b = root(1);
  auto u = [](double x) { return (x * x - 1) * (x * x - 1) / 4 - 0.1 * x; };
  auto u2 = [](double x) { return 3 * x * x - 1; };
  action::TransitionOptions o;
  o.action.nodes = 101;
  const auto r = action::transitions(h, {(Vec(2) << a, 0).finished(), (Vec(2) << b, 0).finished()},
                                     {(Vec(2) << sx, 0).finished()}, o);
  INFO(r.brief_report());
  REQUIRE(r.legs.size() == 2);
  CHECK(r.joins[0] == std::pair<int, int>{1, 0});  // x increases along the unstable direction's sign convention either way
  const double c01 = 2 * (u(sx) - u(a)), c10 = 2 * (u(sx) - u(b));
  CHECK(std::abs(r.cost(0, 1) - c01) < 1e-6);
  CHECK(std::abs(r.cost(1, 0) - c10) < 1e-6);
  // Two attractors: W_0 = cost(1 -> 0), W_1 = cost(0 -> 1); the deeper well (b) is the ground state.
  CHECK(r.ground == 1);
  CHECK(r.log_occupation[0] == Approx(-(c10 - c01)).margin(1e-6));
  // Eyring–Kramers prefactor: 2 pi / sqrt(|u''(s)| u''(a)) (the y factors cancel).
  const action::Leg& leg = r.legs[0].from == 0 ? r.legs[0] : r.legs[1];
  REQUIRE(leg.gradient);
  CHECK(leg.prefactor == Approx(2 * M_PI / std::sqrt(std::abs(u2(sx)) * u2(a))).epsilon(1e-8));
  // Against the exact mean passage time from a to b: the ratio tends to 1 as O(eps).
  double dev[2];
  int k = 0;
  for (double eps : {0.02, 0.01}) {
    const double ratio = std::exp(log_mfpt_1d(u, a, b, eps) - std::log(leg.prefactor) - leg.cost / eps);
    INFO("eps " << eps << ": exact / Eyring-Kramers = " << ratio);
    dev[k++] = std::abs(ratio - 1);
  }
  INFO("deviations " << dev[0] << ", " << dev[1]);
  CHECK(dev[1] < 0.05);
  CHECK(dev[1] < 0.7 * dev[0]);
}

TEST_CASE("transitions: Maier-Stein (not a gradient) costs 0.5 both ways, no Eyring-Kramers", "[action][validation]") {
  const auto h = langevin("maier_stein", {{"beta", model::ParamValue::scalar(3.0)}});
  action::TransitionOptions o;
  o.action.nodes = 101;
  const auto r = action::transitions(h, {(Vec(2) << -1, 0).finished(), (Vec(2) << 1, 0).finished()}, {Vec::Zero(2)}, o);
  INFO(r.brief_report());
  REQUIRE(r.legs.size() == 2);
  for (const auto& l : r.legs) {
    CHECK(l.converged);
    CHECK(std::abs(l.cost - 0.5) < 1e-6);
    CHECK_FALSE(l.gradient);
  }
  CHECK(std::abs(r.w[0] - r.w[1]) < 1e-6);
}

TEST_CASE("transitions: state-dependent noise makes a shallower well the ground state (W-graphs)", "[action][validation]") {
  // f = u(x) + y^2/2 with the triple well u = x^2 (x^2 - 4)^2 / 16 - 0.05 x
  // (deepest at x = 2), D(x) = d(x) I with d = 0.5 + 1.5 exp(-(x - 2)^2):
  // the noise is strong in the deepest well, so leaving it is cheap. On the
  // axis (invariant for the Hamiltonian flow) the cost between x0 and x1 is
  // the 1-D quadrature int 2 u'(s) / d(s) ds, computed independently here.
  const std::vector<std::string> vars{"x", "y"};
  std::shared_ptr<const model::System> s(model::make_expression_system(
      {vars, {}, {"-(x*(x^2 - 4)^2/8 + x^3*(x^2 - 4)/4 - 0.05)", "-y"}, "", {}}));
  auto sigma = model::make_expression_field({{"sqrt(0.5 + 1.5*exp(-(x - 2)^2))", "0"}, {"0", "sqrt(0.5 + 1.5*exp(-(x - 2)^2))"}},
                                            vars, {}, "sigma");
  const model::Hamiltonian h({s, model::make_state_gaussian_noise(sigma, 2, 2)}, model::HamiltonianKind::kLangevin);
  auto u = [](double x) { return x * x * (x * x - 4) * (x * x - 4) / 16 - 0.05 * x; };
  auto du = [](double x) { return x * (x * x - 4) * (x * x - 4) / 8 + x * x * x * (x * x - 4) / 4 - 0.05; };
  auto d = [](double x) { return 0.5 + 1.5 * std::exp(-(x - 2) * (x - 2)); };
  auto newton = [&](double x) {
    for (int i = 0; i < 100; ++i) {
      const double e = 1e-6, slope = (du(x + e) - du(x - e)) / (2 * e);
      x -= du(x) / slope;
    }
    return x;
  };
  const std::vector<double> m{newton(-2), newton(0), newton(2)}, sd{newton(-1.15), newton(1.15)};
  // The 1-D costs by Simpson's rule on 20000 panels.
  auto cost = [&](double from, double to) {
    const int n = 20000;
    double acc = 0;
    for (int i = 0; i <= n; ++i) {
      const double x = from + (to - from) * i / n, w = (i == 0 || i == n) ? 1 : (i % 2 ? 4 : 2);
      acc += w * 2 * du(x) / d(x);
    }
    return acc * (to - from) / (3.0 * n);
  };
  Mat expected = Mat::Constant(3, 3, std::numeric_limits<double>::infinity());
  expected.diagonal().setZero();
  expected(0, 1) = cost(m[0], sd[0]);
  expected(1, 0) = cost(m[1], sd[0]);
  expected(1, 2) = cost(m[1], sd[1]);
  expected(2, 1) = cost(m[2], sd[1]);
  action::TransitionOptions o;
  o.action.nodes = 101;
  std::vector<Vec> att, sad;
  for (double x : m) att.push_back((Vec(2) << x, 0).finished());
  for (double x : sd) sad.push_back((Vec(2) << x, 0).finished());
  const auto r = action::transitions(h, att, sad, o);
  INFO(r.brief_report() << "expected costs\n" << expected);
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j)
      if (std::isfinite(expected(i, j))) CHECK(std::abs(r.cost(i, j) - expected(i, j)) < 1e-5);
      else CHECK(std::isinf(r.cost(i, j)));
  for (const auto& l : r.legs) CHECK_FALSE(l.gradient);  // D depends on x: no Eyring-Kramers
  // The ground state from the independent costs, against the deepest well of u.
  const Vec w = hj::w_graph_energies(expected);
  Eigen::Index ground = 0;
  w.minCoeff(&ground);
  CHECK(r.ground == ground);
  CHECK(u(m[2]) < u(m[0]));
  CHECK(u(m[2]) < u(m[1]));
  CHECK(r.ground != 2);  // the deepest well of f is not where the process spends its time

  // The simulation engine: Euler–Maruyama for dX = b dt + sqrt(eps) sigma(X) dW
  // at eps = 0.6 (step 0.01, 64 members over 2e5 steps, about 2000 exits from
  // the wells), occupation of balls of radius 0.6 around the attractors. The
  // W-graph ranking (ground state most occupied, the highest W least) must
  // hold with every gap above 4 standard errors. (At this eps the ratios
  // themselves carry O(1) prefactors the W-graph does not predict.)
  sim::Options so;
  so.scheme = sim::Scheme::kLangevin;
  so.eps = 0.6;
  so.step.eta = 0.01;
  so.members = 64;
  so.steps = 200000;
  so.burn_in = 10000;
  so.stride = 10;
  so.seed = 5;
  for (int i = 0; i < 3; ++i) so.regions.push_back({"well_" + std::to_string(i), att[i], 0.6, {}, {}});
  auto st = sim::EnsembleState::start(so, Vec::Zero(2));
  sim::advance(model::Model{s, model::make_state_gaussian_noise(sigma, 2, 2)}, so, st, so.steps);
  const auto sum = sim::summarize(so, st);
  std::vector<int> by_w{0, 1, 2};
  std::sort(by_w.begin(), by_w.end(), [&](int x, int y) { return r.w[x] < r.w[y]; });
  for (int k = 0; k < 2; ++k) {
    const auto& hi = sum.occupation[by_w[k]];
    const auto& lo = sum.occupation[by_w[k + 1]];
    INFO("occupation " << by_w[k] << ": " << hi.value << " +- " << hi.standard_error << ", " << by_w[k + 1] << ": "
                       << lo.value << " +- " << lo.standard_error);
    CHECK(hi.value - lo.value > 4 * std::hypot(hi.standard_error, lo.standard_error));
  }
}

TEST_CASE("gMAM in 100 dimensions: a banded non-normal OU against its Lyapunov form", "[action][validation]") {
  // A = -(I + N/2), N the ones on the superdiagonal (banded, defective:
  // every eigenvalue is -1), D = diag(1 + k/100). Entry (i, j) of
  // A S + S A^T + D = 0 reads -2 S_ij - S_{i+1,j}/2 - S_{i,j+1}/2 + D_ij = 0,
  // solved here by back-substitution from the last row and column:
  // independent of the solver's Lyapunov code.
  const int d = 100;
  Mat a = -Mat::Identity(d, d), dm = Mat::Zero(d, d);
  for (int k = 0; k + 1 < d; ++k) a(k, k + 1) = -0.5;
  for (int k = 0; k < d; ++k) dm(k, k) = 1 + k / 100.0;
  Mat sigma = Mat::Zero(d, d);
  for (int r = d - 1; r >= 0; --r)
    for (int c = d - 1; c >= 0; --c) {
      const double below = r + 1 < d ? sigma(r + 1, c) : 0, right = c + 1 < d ? sigma(r, c + 1) : 0;
      sigma(r, c) = 0.5 * (dm(r, c) - 0.5 * below - 0.5 * right);
    }
  REQUIRE((a * sigma + sigma * a.transpose() + dm).norm() < 1e-12 * dm.norm());
  model::ParamValue pa{{}, d, d};
  for (int i = 0; i < d; ++i)
    for (int j = 0; j < d; ++j) pa.data.push_back(a(i, j));
  std::shared_ptr<const model::System> s = model::make_catalog_system("linear", {{"A", pa}});
  const model::Hamiltonian h({s, model::make_gaussian_noise(dm)}, model::HamiltonianKind::kLangevin);
  Vec target(d);
  for (int k = 0; k < d; ++k) target[k] = 0.3 * std::sin(0.1 * k + 0.5);
  const double exact = 0.5 * target.dot(sigma.ldlt().solve(target));
  const auto v = actions_on(h, Vec::Zero(d), target, {41, 81});
  const double extrapolated = action::richardson(v[0], v[1], 2);
  INFO("exact " << exact << ", actions " << v[0] << " " << v[1] << ", extrapolated " << extrapolated);
  CHECK(std::abs(v[1] - exact) < std::abs(v[0] - exact));
  CHECK(std::abs(extrapolated - exact) < 1e-4 * exact);
}

TEST_CASE("string method with a climbing image: the Mueller-Brown saddles", "[action][validation]") {
  std::shared_ptr<const model::System> s =
      model::make_catalog_system("muller_brown", {{"scale", model::ParamValue::scalar(0.01)}});
  // Reference: analyze's Newton search over the box.
  analyze::Options ao;
  ao.lower = {-1.5, -0.5};
  ao.upper = {1.2, 2.0};
  const auto eq = analyze::find_equilibria(*s, ao);
  std::vector<Vec> minima, saddles;
  for (const auto& e : eq.equilibria) {
    if (e.stability == analyze::Stability::kStable) minima.push_back(e.x);
    if (e.stability == analyze::Stability::kSaddle) saddles.push_back(e.x);
  }
  REQUIRE(minima.size() == 3);
  REQUIRE(saddles.size() == 2);
  // Minima sorted by x: (-0.558, 1.442), (-0.050, 0.467), (0.623, 0.028); neighbours share a saddle.
  std::sort(minima.begin(), minima.end(), [](const Vec& p, const Vec& q) { return p[0] < q[0]; });
  for (int k = 0; k < 2; ++k) {
    action::StringOptions so;
    const auto r = action::string_method(*s, minima[k], minima[k + 1], so);
    INFO(r.message);
    REQUIRE(r.converged);
    REQUIRE(r.climbing > 0);
    double nearest = 1e300;
    for (const auto& sd : saddles) nearest = std::min(nearest, (sd - r.saddle).norm());
    INFO("saddle (" << r.saddle.transpose() << "), distance to analyze's " << nearest);
    CHECK(nearest < 1e-8);
    // Before the polish the climbing image already sits on the saddle (to the tolerance).
    CHECK((r.path.col(r.climbing) - r.saddle).norm() < 1e-4);
    // The energy along the path peaks at the climbing image.
    Eigen::Index top = 0;
    r.energy.maxCoeff(&top);
    CHECK(top == r.climbing);
  }
  // Not a gradient: refused with the reason.
  std::shared_ptr<const model::System> ms = model::make_catalog_system("maier_stein", {});
  CHECK_THROWS_WITH(action::string_method(*ms, (Vec(2) << -1, 0).finished(), (Vec(2) << 1, 0).finished(), {}),
                    Catch::Contains("gradient"));
}

TEST_CASE("gMAM attractor to attractor: the downhill leg costs nothing", "[action][validation]") {
  // Tilted double well, D = I: from the shallow minimum a to the deep one b
  // the cost is 2 (U(s) - U(a)), all of it spent before the saddle s.
  std::shared_ptr<const model::System> s = model::make_catalog_system("double_well_2d", {{"tilt", model::ParamValue::scalar(0.1)}});
  const model::Hamiltonian h({s, model::make_gaussian_noise(Mat::Identity(2, 2))}, model::HamiltonianKind::kLangevin);
  auto root = [](double x) {
    for (int i = 0; i < 60; ++i) x -= (x - x * x * x + 0.1) / (1 - 3 * x * x);
    return x;
  };
  auto u = [](double x) { return (x * x - 1) * (x * x - 1) / 4 - 0.1 * x; };
  const double a = root(-1), sx = root(0), b = root(1), exact = 2 * (u(sx) - u(a));
  double v[2];
  action::Result fine;
  int k = 0;
  for (int nodes : {101, 201}) {
    action::Options o;
    o.nodes = nodes;
    fine = action::minimize_action(h, (Vec(2) << a, 0).finished(), (Vec(2) << b, 0).finished(), o);
    REQUIRE(fine.status == action::Status::kConverged);
    v[k++] = fine.action;
  }
  const double extrapolated = action::richardson(v[0], v[1], 2);
  INFO("exact " << exact << ", actions " << v[0] << " " << v[1] << ", extrapolated " << extrapolated);
  CHECK(std::abs(extrapolated - exact) < 2e-5);
  // V(s) along the path: flat (to the discretisation) past the saddle.
  double past = 0;
  for (Eigen::Index i = 0; i < fine.path.cols(); ++i)
    if (fine.path(0, i) > sx + 0.05) past = std::max(past, std::abs(fine.cumulative[i] - fine.action));
  CHECK(past < 1e-4 * exact);
}

namespace {

/// minimize_action with the option `flag` off, then on; both must converge.
std::pair<action::Result, action::Result> off_then_on(const model::Hamiltonian& h, const Vec& a, const Vec& b,
                                                      const Mat* guess, action::Options o, bool action::Options::*flag) {
  o.*flag = false;
  auto off = action::minimize_action(h, a, b, o, guess);
  o.*flag = true;
  auto on = action::minimize_action(h, a, b, o, guess);
  INFO("off: " << off.message);
  REQUIRE(off.status == action::Status::kConverged);
  REQUIRE(on.status == action::Status::kConverged);
  return {std::move(off), std::move(on)};
}

}  // namespace

TEST_CASE("gMAM: the preconditioned flow reaches the plain flow's minimiser in fewer iterations", "[action][validation]") {
  // Preconditioning adds J phi (and, unseeded with constant noise, the
  // transport term) to both sides of the step: the discrete minimiser must
  // not move. Checked in 2-D (code compiled for d = 2) and
  // in 4-D (the run-time dimension path): Muller-Brown, and Maier-Stein
  // beta = 10 beside two stable non-normal linear coordinates it does not
  // interact with (their optimal path stays at zero: the 2-D cost 0.340044).
  auto both = [](const model::Hamiltonian& h, const Vec& a, const Vec& b, const Mat* guess) {
    action::Options o;
    o.nodes = 201;
    o.seed = 0;
    o.max_iterations = 100000;
    o.tolerance = 1e-10;
    const auto [plain, pre] = off_then_on(h, a, b, guess, o, &action::Options::precondition);
    INFO("plain " << plain.action << " in " << plain.iterations << ", preconditioned " << pre.action << " in "
                  << pre.iterations);
    CHECK(std::abs(pre.action - plain.action) < 1e-10 * plain.action);
    CHECK((pre.path - plain.path).cwiseAbs().maxCoeff() < 1e-7);
    CHECK(pre.iterations < plain.iterations);
    return std::pair(pre, plain);
  };
  {
    const auto h = langevin("muller_brown", {{"scale", model::ParamValue::scalar(0.01)}});
    const auto [deep, saddle] = muller_brown_deep_minimum_and_saddle(h);
    const auto [pre, plain] = both(h, deep.x, saddle.x, nullptr);
    CHECK(pre.iterations * 5 < plain.iterations);  // the stiff case: 828 -> 32 at 401 nodes
  }
  {
    model::ExpressionSpec spec;
    spec.variables = {"x", "y", "u", "w"};
    spec.drift = {"x - x^3 - 10*x*y^2", "-(1 + x^2)*y", "-2*u + 5*w", "-3*w - u"};
    std::shared_ptr<const model::System> sys = model::make_expression_system(spec);
    const model::Hamiltonian h({sys, model::make_gaussian_noise(Mat::Identity(4, 4))}, model::HamiltonianKind::kLangevin);
    Mat guess(4, 3);
    guess << -1, -0.5, 0, 0, 0.3, 0, 0, 0, 0, 0, 0, 0;
    const Vec a = (Vec(4) << -1, 0, 0, 0).finished();
    const auto [pre, plain] = both(h, a, Vec::Zero(4), &guess);
    CHECK(pre.action == Approx(0.340044).epsilon(1e-3));
  }
  {
    // Discrete-time SGD with Rademacher noise (H_pp in place of D): the cost
    // from (-1, 0) to the saddle is V1(0), a 1-D quadrature.
    std::shared_ptr<const model::System> s = model::make_catalog_system("double_well_2d", {});
    const model::Hamiltonian h({s, model::make_rademacher_noise((Vec(2) << 0.8, 0.6).finished())},
                               model::HamiltonianKind::kDiscrete);
    Mat guess(2, 3);
    guess << -1, -0.5, 0, 0, 0.2, 0;
    const auto [pre, plain] = both(h, (Vec(2) << -1, 0).finished(), Vec::Zero(2), &guess);
    std::shared_ptr<const model::System> s1 = model::make_catalog_system("double_well_1d", {});
    const model::Hamiltonian h1({s1, model::make_rademacher_noise(Vec::Constant(1, 0.8))}, model::HamiltonianKind::kDiscrete);
    CHECK(pre.action == Approx(hj::quadrature_1d(h1, -1.0, {0.0})[0]).epsilon(1e-3));
  }
}

TEST_CASE("gMAM: nested iteration reaches the single-level minimiser with fewer fine iterations", "[action][validation]") {
  // Options::nested relaxes on a curve of N/4 intervals first and starts
  // the full relaxation from it: the fixed point is the same discrete
  // minimiser. Maier-Stein beta = 10 from (-1, 0) to the saddle (the path
  // leaves the axis) and Muller-Brown, 401 nodes, ends fixed.
  auto both = [](const model::Hamiltonian& h, const Vec& a, const Vec& b, const Mat* guess) {
    action::Options o;
    o.nodes = 401;
    o.seed = 0;
    const auto [single, nested] = off_then_on(h, a, b, guess, o, &action::Options::nested);
    INFO("single level " << single.action << " in " << single.iterations << ", nested " << nested.action << " in "
                         << nested.coarse_iterations << " + " << nested.iterations);
    CHECK(single.coarse_iterations == 0);
    CHECK(nested.coarse_iterations > 0);
    CHECK(std::abs(nested.action - single.action) < 1e-10 * single.action);
    CHECK((nested.path - single.path).cwiseAbs().maxCoeff() < 1e-6);
    CHECK(2 * nested.iterations < single.iterations);
  };
  {
    const auto h = langevin("maier_stein", {{"beta", model::ParamValue::scalar(10.0)}});
    Mat guess(2, 3);
    guess << -1, -0.5, 0, 0, 0.3, 0;
    both(h, (Vec(2) << -1, 0).finished(), Vec::Zero(2), &guess);
  }
  {
    const auto h = langevin("muller_brown", {{"scale", model::ParamValue::scalar(0.01)}});
    const auto [deep, saddle] = muller_brown_deep_minimum_and_saddle(h);
    both(h, deep.x, saddle.x, nullptr);
  }
}
