// gMAM with default options on problems it was not tuned for, against an
// exact quasi-potential (1/2 for Maier-Stein with beta <= 4, 2 Delta U for
// gradient systems) or an independent one: the Hamilton-Jacobi equation
// marched on a grid (jet method, hj/olim.hpp; no code shared with gMAM) on
// h and h/2 with the saddle on a node. Cases: Maier-Stein for beta from 1
// to 20 from the straight path (for beta > 4 the axis is a saddle point of
// the action and the minimum lies off it), Maier-Stein with non-Gaussian SGD
// noise, a toggle switch, a bistable FitzHugh-Nagumo system whose minima are
// foci, and Mueller-Brown at its natural scale (energies ~ 100). gMAM is
// compared after the N -> 2N Richardson step the CLI takes; the grid's
// error at h/2 is bounded by its change from h (it converges monotonically
// at order >= 1 on these problems), so the tolerance is that change plus
// 1e-6, which is 1e-5 relative or less.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

#include "action/gmam.hpp"
#include "action/transitions.hpp"
#include "fwkit/config/config.hpp"
#include "fwkit/config/model_config.hpp"
#include "hj/olim.hpp"

using namespace fw;

namespace {

model::Model build(const std::string& text) {
  const config::Config cfg = config::Config::from_string(text, "gmam-defaults");
  return config::build_model(cfg.root().table("model"));
}

Vec newton(const model::System& s, Vec x) {
  for (int i = 0; i < 60; ++i) x -= s.jacobian_at(x).lu().solve(s.drift_at(x));
  return x;
}

/// gMAM with default options on N and 2N intervals (the second from the
/// first's path, as the CLI does), Richardson-extrapolated.
double gmam_default(const model::Hamiltonian& h, const Vec& a, const Vec& b, action::Result* first = nullptr) {
  action::Options o;
  const action::Result coarse = action::minimize_action(h, a, b, o);
  INFO("N: " << coarse.brief_report());
  REQUIRE(coarse.ok());
  const action::Result fine = action::minimize_action(h, a, b, action::refinement_options(o, coarse), &coarse.path);
  INFO("2N: " << fine.brief_report());
  REQUIRE(fine.ok());
  if (first) *first = coarse;
  return action::richardson(coarse.action, fine.action, 2);
}

/// V(b) from the grid solution on the box [lo, hi] shifted so that b is a
/// node, with n - 1, 2 (n - 1) and 4 (n - 1) cells a side (as many levels
/// as `levels`, 2 or 3).
std::vector<double> grid_levels(const model::Hamiltonian& h, const Vec& a, const Vec& b, Vec lo, Vec hi, int n,
                                int levels) {
  std::vector<double> v;
  for (int level = 0, nodes = n; level < levels; ++level, nodes = 2 * nodes - 1) {
    std::vector<double> lower(2), upper(2);
    for (int k = 0; k < 2; ++k) {
      const double step = (hi[k] - lo[k]) / (nodes - 1);
      lower[k] = b[k] - std::round((b[k] - lo[k]) / step) * step;
      upper[k] = lower[k] + step * (nodes - 1);
    }
    hj::Options o;
    o.method = hj::jet_applies(h, 2) ? hj::Method::kJet : hj::Method::kOlim;
    const hj::Result r = hj::solve<2>({h, grid::Grid{lower, upper, {nodes, nodes}}, a, {b}}, o);
    REQUIRE(r.ok());
    const std::int64_t at = r.grid.locate(b.data());
    REQUIRE(at >= 0);
    v.push_back(r.value[static_cast<std::size_t>(at)]);
  }
  return v;
}

/// The finest of two grid levels; `change` receives |V_h - V_h/2|.
double grid_cost(const model::Hamiltonian& h, const Vec& a, const Vec& b, Vec lo, Vec hi, int n, double& change) {
  const std::vector<double> v = grid_levels(h, a, b, lo, hi, n, 2);
  change = std::abs(v[0] - v[1]);
  return v[1];
}

/// gMAM within `relative` of the grid value, itself known to that accuracy.
void compare_with_grid(const model::Hamiltonian& h, const Vec& a, const Vec& b, const Vec& lo, const Vec& hi,
                       const std::string& what, double* reference = nullptr, double relative = 1e-5) {
  double change = 0;
  const double grid = grid_cost(h, a, b, lo, hi, 401, change);
  action::Result first;
  const double s = gmam_default(h, a, b, &first);
  INFO(what << ": gMAM " << s << ", grid " << grid << " (change from h: " << change << "); " << first.saddle_check);
  CHECK(change <= relative * grid);
  CHECK(std::abs(s - grid) < relative * grid);
  if (reference) *reference = s;
}

std::string maier_stein(double beta, const std::string& noise = "") {
  return "[model.system]\nkind = \"maier_stein\"\nparameters = { beta = " + std::to_string(beta) + ", mu = 1.0 }\n" + noise;
}

}  // namespace

TEST_CASE("gMAM defaults: Maier-Stein for beta 1 to 20 from the straight path", "[action][validation]") {
  const Vec a = (Vec(2) << -1.0, 0.0).finished(), b = Vec::Zero(2);
  const Vec lo = (Vec(2) << -1.8, -1.0).finished(), hi = (Vec(2) << 0.2, 1.0).finished();
  for (double beta : {1.0, 3.0, 4.0}) {
    const model::Hamiltonian h(build(maier_stein(beta)), model::HamiltonianKind::kLangevin);
    const double s = gmam_default(h, a, b);
    INFO("beta " << beta << ": " << s);
    CHECK(std::abs(s - 0.5) < 1e-5 * 0.5);
  }
  for (double beta : {5.0, 10.0, 20.0}) {
    // The axis (S = 1/2) is a critical path; the minimum lies off it, and
    // gMAM must not stop on the axis, where the straight first path is.
    const model::Hamiltonian h(build(maier_stein(beta)), model::HamiltonianKind::kLangevin);
    double s = 0;
    compare_with_grid(h, a, b, lo, hi, "Maier-Stein beta " + std::to_string(beta), &s);
    CHECK(s < 0.5 - 1e-2);
  }
}

TEST_CASE("gMAM defaults: Maier-Stein with Laplace and uniform SGD noise", "[action][validation]") {
  // Along the axis y = 0 the x-noise is Laplace(0.5), Lambda(p) = -log(1 - p^2/4),
  // and the drift x - x^3: the axis costs V1 = int_{-1}^0 p*(x) dx with
  // (x - x^3) p* + Lambda(p*) = 0, p* in (0, 2) (bisection, midpoint rule on
  // 20,000 cells). For beta = 3 the axis is the minimum; for beta = 10 the
  // axis bounds the cost from above (with bounded uniform noise in y the
  // relaxations from displaced paths return to the axis).
  auto root = [](double x) {
    const double b = x - x * x * x;
    double lo = 1e-12, hi = 2 - 1e-15;
    for (int it = 0; it < 200; ++it) {
      const double m = 0.5 * (lo + hi);
      (b * m - std::log(1 - m * m / 4) < 0 ? lo : hi) = m;
    }
    return 0.5 * (lo + hi);
  };
  double axis = 0;
  constexpr int kCells = 20000;
  for (int i = 0; i < kCells; ++i) axis += root(-1 + (i + 0.5) / kCells) / kCells;
  const std::string noise = "[model.noise]\nkind = \"additive\"\nlaws = [\"laplace(0.5)\", \"uniform(0.8)\"]\n";
  const Vec a = (Vec(2) << -1.0, 0.0).finished(), b = Vec::Zero(2);
  {
    const model::Hamiltonian h(build(maier_stein(3.0, noise)), model::HamiltonianKind::kDiscrete);
    const double s = gmam_default(h, a, b);
    INFO("beta 3: gMAM " << s << ", axis quadrature " << axis);
    CHECK(std::abs(s - axis) < 1e-5 * axis);
  }
  {
    const model::Hamiltonian h(build(maier_stein(10.0, noise)), model::HamiltonianKind::kDiscrete);
    action::Result first;
    const double s = gmam_default(h, a, b, &first);
    INFO("beta 10: gMAM " << s << ", axis quadrature " << axis << "; " << first.saddle_check);
    CHECK(s < axis * (1 + 1e-5));
    CHECK(first.saddle_check.find("passed") != std::string::npos);
  }
}

TEST_CASE("gMAM defaults: a toggle switch and a bistable FitzHugh-Nagumo system", "[action][validation]") {
  {
    const model::Model m = build(R"toml(
[model.system]
kind = "expression"
variables = ["u", "v"]
drift = ["3/(1 + v^2) - u", "3/(1 + u^2) - v"]
)toml");
    const model::Hamiltonian h(m, model::HamiltonianKind::kLangevin);
    const Vec a = newton(*m.system, (Vec(2) << 0.4, 2.6).finished());
    const Vec s = newton(*m.system, (Vec(2) << 1.2, 1.2).finished());
    // The grid's change from 401^2 to 801^2 is 2e-5 relative here, too much
    // to certify 1e-5 from two levels. Three levels (201, 401, 801 nodes a
    // side) give the observed order p (asserted near 2) and the Richardson
    // value V_801 - (V_401 - V_801) / (2^p - 1); its correction is below
    // 1e-5 relative, so even a 100% error in it keeps the reference within
    // the tolerance. (A fourth level, 1601^2, moved the value by 5e-8.)
    const std::vector<double> v =
        grid_levels(h, a, s, (Vec(2) << 0.0, 0.6).finished(), (Vec(2) << 2.0, 3.4).finished(), 201, 3);
    const double order = std::log2((v[0] - v[1]) / (v[1] - v[2]));
    const double correction = (v[1] - v[2]) / (std::pow(2.0, order) - 1);
    const double reference = v[2] - correction;
    action::Result first;
    const double cost = gmam_default(h, a, s, &first);
    INFO("toggle switch: gMAM " << cost << ", grid " << v[0] << " " << v[1] << " " << v[2] << " (order " << order
                                << ", Richardson " << reference << "); " << first.saddle_check);
    CHECK(order == Approx(2).margin(0.3));
    CHECK(std::abs(correction) < 1e-5 * reference);
    CHECK(std::abs(cost - reference) < 1e-5 * reference);
  }
  {
    // x - x^3 - y, 0.5 (x - 3 y): minima at x = +-sqrt(2/3) are foci
    // (eigenvalues -1.25 +- 0.66 i), the saddle at the origin.
    const model::Model m = build(R"toml(
[model.system]
kind = "expression"
variables = ["x", "y"]
drift = ["x - x^3 - y", "0.5*(x - 3*y)"]
[model.noise]
kind = "gaussian"
covariance = [[1.0, 0.0], [0.0, 0.25]]
)toml");
    const model::Hamiltonian h(m, model::HamiltonianKind::kLangevin);
    const Vec a = newton(*m.system, (Vec(2) << -0.8, -0.27).finished());
    // Out of a focus the path turns all the way in: with the fixed start
    // ellipse V_lin = 1e-6 the first segment cut across those turns and the
    // N -> 2N extrapolation from 201 nodes was 1.1e-5 off (the raw actions
    // converged irregularly, order ~0.9 then ~3); the default ellipse at a
    // focus is two node spacings wide, kept for the 2N run (clean order 2).
    compare_with_grid(h, a, Vec::Zero(2), (Vec(2) << -1.6, -0.8).finished(), (Vec(2) << 0.4, 0.6).finished(),
                      "FitzHugh-Nagumo");
  }
}

TEST_CASE("gMAM defaults: Mueller-Brown at scale 1, every leg of [action.transitions] is 2 Delta U", "[action][validation]") {
  const model::Model m = build("[model.system]\nkind = \"muller_brown\"\nparameters = { scale = 1.0 }\n");
  const model::Hamiltonian h(model::with_system_diffusion(m.system), model::HamiltonianKind::kLangevin);
  std::vector<Vec> minima, saddles;
  for (auto [x, y] : {std::pair{-0.558, 1.442}, std::pair{-0.050, 0.467}, std::pair{0.623, 0.028}})
    minima.push_back(newton(*m.system, (Vec(2) << x, y).finished()));
  for (auto [x, y] : {std::pair{-0.822, 0.624}, std::pair{0.212, 0.293}})
    saddles.push_back(newton(*m.system, (Vec(2) << x, y).finished()));
  const auto r = action::transitions(h, minima, saddles, action::TransitionOptions{});
  REQUIRE(r.legs.size() == 4);
  for (const auto& leg : r.legs) {
    const double exact = 2 * (m.system->loss(saddles[static_cast<std::size_t>(leg.saddle)].data()) -
                              m.system->loss(minima[static_cast<std::size_t>(leg.from)].data()));
    INFO("leg " << leg.from << " -> " << leg.to << ": " << leg.cost << " against " << exact);
    CHECK(leg.converged);
    CHECK(std::abs(leg.cost - exact) < 1e-5 * exact);
  }
}

TEST_CASE("gMAM defaults: a rotating OU out of its focus, seeded, converges at order 2 to V = |x|^2", "[action][validation]") {
  // b = -x + 2 J x (J the rotation by 90 degrees), D = I: b = -grad U + l with
  // l . grad U = 0 and U = |x|^2 / 2, so V = 2 U = |x|^2 exactly: 1.25 at (1, 1/2).
  // The seeded start's slide once followed p_hat at node 0 from a one-sided
  // tangent, O(h) off the discrete action's descent: at 101 nodes the seeded
  // relaxation stalled with the residual at 0.98.
  const model::Model m = build(R"toml(
[model.system]
kind = "expression"
variables = ["x", "y"]
drift = ["-x - 2*y", "2*x - y"]
)toml");
  const model::Hamiltonian h(m, model::HamiltonianKind::kLangevin);
  const Vec a = Vec::Zero(2), b = (Vec(2) << 1.0, 0.5).finished();
  double err[3];
  int k = 0;
  for (int nodes : {101, 201, 401}) {
    action::Options o;
    o.nodes = nodes;
    o.restarts = false;
    o.saddle_check = false;
    const action::Result r = action::minimize_action(h, a, b, o);
    INFO(nodes << " nodes: " << r.brief_report());
    REQUIRE(r.status == action::Status::kConverged);
    CHECK(r.seed_action > 0);
    err[k++] = r.action - 1.25;
  }
  const double order1 = std::log2(err[0] / err[1]), order2 = std::log2(err[1] / err[2]);
  INFO("errors " << err[0] << " " << err[1] << " " << err[2] << ", orders " << order1 << " " << order2);
  CHECK(order1 == Approx(2).margin(0.3));
  CHECK(order2 == Approx(2).margin(0.3));
  CHECK(std::abs(gmam_default(h, a, b) - 1.25) < 1e-5 * 1.25);
}
