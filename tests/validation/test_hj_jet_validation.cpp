// The second-order (jet) grid solver against exact quasi-potentials: observed
// orders on two grids, and the escape cost of Maier–Stein. The exact
// solutions come from the structure of the drift (b = -(1/2) D grad U + l
// with l . grad U = 0 gives V = U), or from a Lyapunov equation solved here
// by hand.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <functional>

#include "action/gmam.hpp"
#include "fwkit/model/catalog.hpp"
#include "fwkit/model/expression.hpp"
#include "hj/olim.hpp"
#include "lyapunov_2x2.hpp"

using namespace fw;

namespace {

using Exact = std::function<double(const double*)>;

struct Errors {
  double value = 0;  // max |V - exact| over exact <= level
  double grad = 0;   // RMS |grad V - exact gradient| over the same nodes (central differences of `exact`)
};

template <int D = 2>
Errors errors(const hj::Result& r, const Exact& exact, double level) {
  Errors e;
  const auto& g = r.grid;
  double g2 = 0;
  std::size_t count = 0;
  for (std::size_t f = 0; f < g.size(); ++f) {
    double x[D];
    std::size_t rem = f;
    for (int k = D - 1; k >= 0; --k) {
      x[k] = g.coordinate(k, static_cast<int>(rem % g.nodes[k]));
      rem /= g.nodes[k];
    }
    const double v = exact(x);
    if (!(v <= level)) continue;
    e.value = std::max(e.value, std::abs(r.value[f] - v));
    const double d = 1e-6;
    for (int k = 0; k < D; ++k) {
      double xp[D], xm[D];
      std::copy(x, x + D, xp);
      std::copy(x, x + D, xm);
      xp[k] += d;
      xm[k] -= d;
      const double dk = (exact(xp) - exact(xm)) / (2 * d) - r.grad[D * f + k];
      g2 += dk * dk;
    }
    ++count;
  }
  e.grad = std::sqrt(g2 / static_cast<double>(count));
  return e;
}

double order(double coarse, double fine, double ratio) { return std::log(coarse / fine) / std::log(ratio); }

hj::Options jet() {
  hj::Options o;
  o.method = hj::Method::kJet;
  return o;
}

/// Errors on two grids of the same box (n and 2n - 1 nodes per side).
std::array<Errors, 2> two_grids(const model::Hamiltonian& h, const Vec& lower, const Vec& upper, const Vec& attractor,
                                int n, const Exact& exact, double level) {
  std::array<Errors, 2> out;
  for (int k = 0; k < 2; ++k) {
    const int m = k == 0 ? n : 2 * n - 1;
    const hj::Result r = hj::solve<2>({h, grid::Grid{{lower[0], lower[1]}, {upper[0], upper[1]}, {m, m}}, attractor}, jet());
    REQUIRE(r.ok());
    out[k] = errors(r, exact, level);
  }
  return out;
}

/// b = (-(1/2) I + s S) Q x, S skew, Q = diag(1, 2, 3), D = I: V = x^T Q x / 2
/// for any s (l = s S Q x is orthogonal to grad V = Q x).
model::Hamiltonian rotating_linear_3d(double rotation) {
  const Mat q = Eigen::Vector3d(1, 2, 3).asDiagonal();
  Mat skew(3, 3);
  skew << 0, 4, -2, -4, 0, 3, 2, -3, 0;
  const Mat a = (-0.5 * Mat::Identity(3, 3) + rotation * skew) * q;
  model::ParamValue pa{{}, 3, 3};
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) pa.data.push_back(a(i, j));
  return model::Hamiltonian({model::make_catalog_system("linear", {{"A", pa}}), model::make_gaussian_noise(Mat::Identity(3, 3))},
                            model::HamiltonianKind::kLangevin);
}

}  // namespace

TEST_CASE("jet: second order on the rotational linear benchmark b = (-2x - 10y, 20x - y)", "[hj][jet][validation]") {
  std::shared_ptr<const model::System> lin = model::make_catalog_system("linear", {});
  const model::Hamiltonian h({lin, model::make_gaussian_noise(Mat::Identity(2, 2))}, model::HamiltonianKind::kLangevin);
  const auto e = two_grids(h, Vec::Constant(2, -1), Vec::Constant(2, 1), Vec::Zero(2), 65,
                           [](const double* x) { return 2 * x[0] * x[0] + x[1] * x[1]; }, 1.0);
  INFO("max errors " << e[0].value << ", " << e[1].value << "; RMS gradient errors " << e[0].grad << ", " << e[1].grad);
  CHECK(order(e[0].value, e[1].value, 2) > 1.8);
  CHECK(e[1].value < 1e-3);  // OLIM-MID: 1.6e-3 at this grid
  // grad V: second order asymptotically (the local update's gradient is
  // third order, tests/unit/test_hj_jet.cpp); measured 1.7 here, 1.45
  // before a later edge update stopped replacing grad V for a hair's
  // improvement in V.
  CHECK(order(e[0].grad, e[1].grad, 2) > 1.5);
}

TEST_CASE("jet, guided by a coarse solve: second order on the benchmark, no less accurate than the march",
          "[hj][jet][validation]") {
  // From 257 nodes a side (Options::guided) the nodes beyond a core around
  // the attractor are computed once each, from the segment the coarse
  // solution's backward characteristic points to. The errors must keep
  // second order and stay at or below those of the ordered march on the
  // same grid, computed here with the guide off.
  std::shared_ptr<const model::System> lin = model::make_catalog_system("linear", {});
  const model::Hamiltonian h({lin, model::make_gaussian_noise(Mat::Identity(2, 2))}, model::HamiltonianKind::kLangevin);
  const Exact exact = [](const double* x) { return 2 * x[0] * x[0] + x[1] * x[1]; };
  const auto solve = [&](int n, bool guided) {
    hj::Options o = jet();
    o.guided = guided;
    hj::Result r = hj::solve<2>({h, grid::Grid{{-1, -1}, {1, 1}, {n, n}}, Vec::Zero(2)}, o);
    REQUIRE(r.ok());
    return r;
  };
  const hj::Result march = solve(257, false), g257 = solve(257, true), g513 = solve(513, true);
  CHECK(march.guide_grid.empty());
  REQUIRE(g257.guide_grid == std::vector<int>{129, 129});
  REQUIRE(g513.guide_grid == std::vector<int>{257, 257});
  // Every node reached, and the walk found a segment for all but a few (the
  // rest, where characteristics leave the box, take the march's updates).
  for (const hj::Result* r : {&g257, &g513}) {
    CHECK(std::count(r->node_status.begin(), r->node_status.end(), static_cast<std::int8_t>(hj::NodeStatus::kFar)) == 0);
    CHECK(static_cast<double>(r->guide_fallbacks) < 0.01 * static_cast<double>(r->grid.size()));
  }
  const Errors em = errors(march, exact, 1.0), e1 = errors(g257, exact, 1.0), e2 = errors(g513, exact, 1.0);
  INFO("march 257^2: " << em.value << " (grad " << em.grad << "); guided 257^2, 513^2: " << e1.value << ", " << e2.value
                       << " (grad " << e1.grad << ", " << e2.grad << ")");
  CHECK(e1.value <= em.value);
  CHECK(e1.grad <= em.grad);
  CHECK(order(e1.value, e2.value, 2) > 1.8);
  CHECK(order(e1.grad, e2.grad, 2) > 1.5);
}

TEST_CASE("jet: b = -(1/2) grad U + l with l . grad U = 0 gives V = U", "[hj][jet][validation]") {
  SECTION("rotational double well, g = 3: V = 2 (U - U_min) below the saddle") {
    std::shared_ptr<const model::System> s =
        model::make_catalog_system("rotational_double_well", {{"g", model::ParamValue::scalar(3.0)}});
    const model::Hamiltonian h({s, model::make_gaussian_noise(Mat::Identity(2, 2))}, model::HamiltonianKind::kLangevin);
    const auto e = two_grids(h, (Vec(2) << -1.6, -0.8).finished(), (Vec(2) << -0.1, 0.8).finished(),
                             (Vec(2) << -1, 0).finished(), 41,
                             [](const double* x) { return 0.5 * (x[0] * x[0] - 1) * (x[0] * x[0] - 1) + x[1] * x[1]; }, 0.4);
    INFO("max errors " << e[0].value << ", " << e[1].value);
    CHECK(order(e[0].value, e[1].value, 2) > 1.8);
    CHECK(e[1].value < 1e-3);
  }
  SECTION("state-dependent D(x) = diag(1 + y^2/2, (1 + 0.3 x)^2), U = x^2/2 + y^2") {
    // b = -(1/2) D grad U + l, l = 2 (2y, -x): H(x, grad U) = 0 for any D(x).
    const std::vector<std::string> vars{"x", "y"};
    std::shared_ptr<const model::System> s(model::make_expression_system(
        {vars, {}, {"-(0.5 + 0.25*y^2)*x + 4*y", "-(1 + 0.3*x)^2*y - 2*x"}, "", {}}));
    auto sigma = model::make_expression_field({{"sqrt(1 + 0.5*y^2)", "0"}, {"0", "1 + 0.3*x"}}, vars, {}, "sigma");
    const model::Hamiltonian h({s, model::make_state_gaussian_noise(sigma, 2, 2)}, model::HamiltonianKind::kLangevin);
    const auto e = two_grids(h, Vec::Constant(2, -1), Vec::Constant(2, 1), Vec::Zero(2), 41,
                             [](const double* x) { return 0.5 * x[0] * x[0] + x[1] * x[1]; }, 0.45);
    INFO("max errors " << e[0].value << ", " << e[1].value);
    CHECK(order(e[0].value, e[1].value, 2) > 1.8);
    CHECK(e[1].value < 1e-3);
  }
}

TEST_CASE("jet (3-D): b = (-(1/2) I + K) grad U with K skew gives V = U, at second order", "[hj][jet][validation]") {
  // l = K grad U is orthogonal to grad U for any skew K, so V = U exactly.
  auto grids = [](const model::Hamiltonian& h, const Vec& lower, const Vec& upper, const Vec& attractor,
                        std::vector<int> sizes, const Exact& exact, double level) {
    std::vector<Errors> out(sizes.size());
    for (std::size_t k = 0; k < sizes.size(); ++k) {
      const int n = sizes[k];
      const hj::Result r = hj::solve<3>({h, grid::Grid{{lower[0], lower[1], lower[2]}, {upper[0], upper[1], upper[2]}, {n, n, n}},
                                         attractor},
                                        jet());
      REQUIRE(r.ok());
      REQUIRE(r.grad.size() == 3 * r.value.size());
      out[k] = errors<3>(r, exact, level);
    }
    return out;
  };
  SECTION("linear: U = x^T Q x / 2, Q = diag(1, 2, 3), K = 0.1 S Q-scaled rotation") {
    const model::Hamiltonian h = rotating_linear_3d(0.1);
    // Grid steps 2/24, 2/32, 2/48.
    const auto e = grids(h, Vec::Constant(3, -1), Vec::Constant(3, 1), Vec::Zero(3), {25, 33, 49},
                               [](const double* x) { return 0.5 * (x[0] * x[0] + 2 * x[1] * x[1] + 3 * x[2] * x[2]); }, 0.45);
    INFO("max errors " << e[0].value << ", " << e[1].value << ", " << e[2].value << "; RMS gradient errors " << e[0].grad
                       << ", " << e[1].grad << ", " << e[2].grad);
    CHECK(order(e[0].value, e[1].value, 32.0 / 24) > 1.8);
    CHECK(order(e[1].value, e[2].value, 1.5) > 1.8);
    CHECK(e[2].value < 1e-3);  // OLIM-MID: 1.5e-2 at 49^3 with the stronger rotation (docs/performance.md)
    CHECK(order(e[0].grad, e[2].grad, 2) > 1.0);
  }
  SECTION("nonlinear: U = (x^2 - 1)^2 / 4 + (y^2 + z^2) / 2 about (-1, 0, 0), below the saddle") {
    std::shared_ptr<const model::System> s(model::make_expression_system(
        {{"x", "y", "z"},
         {},
         {"-0.5*(x^3 - x) + 0.5*(y + z)", "-0.5*y + 0.5*(-(x^3 - x) + z)", "-0.5*z + 0.5*(-(x^3 - x) - y)"},
         "",
         {}}));
    const model::Hamiltonian h({s, model::make_gaussian_noise(Mat::Identity(3, 3))}, model::HamiltonianKind::kLangevin);
    const auto e = grids(h, (Vec(3) << -1.7, -0.7, -0.7).finished(), (Vec(3) << -0.3, 0.7, 0.7).finished(),
                               (Vec(3) << -1, 0, 0).finished(), {21, 41, 81},
                               [](const double* x) {
                                 return 0.25 * (x[0] * x[0] - 1) * (x[0] * x[0] - 1) + 0.5 * (x[1] * x[1] + x[2] * x[2]);
                               },
                               0.2);
    // Grid steps 0.07, 0.035 and 0.0175 (on an intermediate 29^3 grid the
    // error is 2.2e-3: convergence is not yet monotone on coarse 3-D grids).
    // 81^3 is guided by a solve on 41^3 (Options::guided): second order
    // must carry on through it.
    INFO("max errors " << e[0].value << ", " << e[1].value << ", " << e[2].value << "; RMS gradient errors "
                       << e[0].grad << ", " << e[1].grad << ", " << e[2].grad);
    CHECK(order(e[0].value, e[1].value, 2) > 1.8);
    CHECK(order(e[1].value, e[2].value, 2) > 1.8);
    CHECK(e[1].value < 1e-3);
    CHECK(order(e[0].grad, e[1].grad, 2) > 1.0);
    CHECK(order(e[1].grad, e[2].grad, 2) > 1.0);
  }
}

TEST_CASE("jet (3-D), guided by a coarse solve: no less accurate than the march on the same grid",
          "[hj][jet][validation]") {
  // The s = 0.1 field of the test above (rotation ratio 0.76) at 65^3, the
  // smallest grid guided in 3-D (by 33^3): each node from the square of
  // computed nodes its backward characteristic crosses (a face update).
  // The march on the same grid, computed here, is the reference: its max
  // error there sits on isolated nodes that missed their update
  // (docs/performance.md), which the guided pass must not make worse.
  const model::Hamiltonian h = rotating_linear_3d(0.1);
  const Exact exact = [](const double* x) { return 0.5 * (x[0] * x[0] + 2 * x[1] * x[1] + 3 * x[2] * x[2]); };
  const auto solve = [&](bool guided) {
    hj::Options o = jet();
    o.guided = guided;
    hj::Result r = hj::solve<3>({h, grid::Grid{{-1, -1, -1}, {1, 1, 1}, {65, 65, 65}}, Vec::Zero(3)}, o);
    REQUIRE(r.ok());
    return r;
  };
  const hj::Result march = solve(false), guided = solve(true);
  CHECK(march.guide_grid.empty());
  REQUIRE(guided.guide_grid == std::vector<int>{33, 33, 33});
  CHECK(static_cast<double>(guided.guide_fallbacks) < 0.03 * static_cast<double>(guided.grid.size()));
  CHECK(std::count(guided.node_status.begin(), guided.node_status.end(), static_cast<std::int8_t>(hj::NodeStatus::kFar)) == 0);
  const Errors em = errors<3>(march, exact, 0.45), eg = errors<3>(guided, exact, 0.45);
  INFO("march: " << em.value << " (grad " << em.grad << "); guided: " << eg.value << " (grad " << eg.grad << ")");
  CHECK(eg.value <= 1.01 * em.value);
  CHECK(eg.grad <= em.grad);
}

TEST_CASE("jet: anisotropic constant diffusion against the Lyapunov quadratic form", "[hj][jet][validation]") {
  // A = [[-1, -3], [3, -2]], D = [[1, 0.3], [0.3, 0.5]]; V = x^T Sigma^{-1} x / 2,
  // Sigma by hand (lyapunov_2x2.hpp).
  Mat a(2, 2), dm(2, 2);
  a << -1, -3, 3, -2;
  dm << 1, 0.3, 0.3, 0.5;
  const Mat sigma = testing::lyapunov_2x2(a, dm);
  REQUIRE((a * sigma + sigma * a.transpose() + dm).norm() < 1e-12);
  const Mat qf = sigma.inverse();
  model::ParamValue pa{{a(0, 0), a(0, 1), a(1, 0), a(1, 1)}, 2, 2};
  std::shared_ptr<const model::System> s = model::make_catalog_system("linear", {{"A", pa}});
  const model::Hamiltonian h({s, model::make_gaussian_noise(dm)}, model::HamiltonianKind::kLangevin);
  const double level = 0.9 * std::min(0.5 / sigma(0, 0), 0.5 / sigma(1, 1));  // {V <= level} inside the box
  const auto e = two_grids(h, Vec::Constant(2, -1), Vec::Constant(2, 1), Vec::Zero(2), 65,
                           [&](const double* x) {
                             const Vec v = Eigen::Map<const Vec>(x, 2);
                             return 0.5 * v.dot(qf * v);
                           },
                           level);
  INFO("level " << level << ", max errors " << e[0].value << ", " << e[1].value);
  CHECK(order(e[0].value, e[1].value, 2) > 1.8);
  CHECK(e[1].value < 1e-3 * level);
}

TEST_CASE("jet: Maier–Stein escape cost, 0.5 for beta <= 4 and the off-axis instanton for beta = 10", "[hj][jet][validation]") {
  auto escape = [](double beta, int n) {
    std::shared_ptr<const model::System> ms = model::make_catalog_system(
        "maier_stein", {{"beta", model::ParamValue::scalar(beta)}, {"mu", model::ParamValue::scalar(1.0)}});
    const model::Hamiltonian h({ms, model::make_gaussian_noise(Mat::Identity(2, 2))}, model::HamiltonianKind::kLangevin);
    hj::Options o = jet();
    o.stop_at_boundary = true;
    const hj::Result r =
        hj::solve<2>({h, grid::Grid{{-1.8, -1.0}, {0.0, 1.0}, {n, 2 * n - 1}}, (Vec(2) << -1, 0).finished()}, o);
    REQUIRE(r.status == hj::Result::Status::kStoppedAtBoundary);
    return r;
  };
  // beta = 3: along the axis V(x, 0) = 2 (x^4/4 - x^2/2 + 1/4), 0.5 at the saddle (OLIM: within 1e-3).
  for (int n : {46, 91}) {
    const hj::Result r = escape(3.0, n);
    INFO("n = " << n << ": V(saddle) = " << r.boundary_value);
    CHECK(std::abs(r.boundary_point[0]) < 1e-12);
    CHECK(std::abs(r.boundary_point[1]) < 1e-12);
    CHECK(std::abs(r.boundary_value - 0.5) < 1e-5);
  }
  // beta = 10: the minimum action solver, started off the axis.
  std::shared_ptr<const model::System> ms10 = model::make_catalog_system("maier_stein", {});
  const model::Hamiltonian h10({ms10, model::make_gaussian_noise(Mat::Identity(2, 2))}, model::HamiltonianKind::kLangevin);
  Mat guess(2, 3);
  guess << -1, -0.5, 0, 0, 0.3, 0;
  action::Options ao;
  ao.nodes = 401;
  const action::Result gm = action::minimize_action(h10, (Vec(2) << -1, 0).finished(), Vec::Zero(2), ao, &guess);
  REQUIRE(gm.status == action::Status::kConverged);
  double err[2];
  int i = 0;
  for (int n : {46, 91}) err[i++] = std::abs(escape(10.0, n).boundary_value - gm.action);
  INFO("beta = 10: minimum action " << gm.action << "; grid errors " << err[0] << ", " << err[1]);
  CHECK(gm.action < 0.45);
  CHECK(err[1] < 4e-4);
  CHECK(order(err[0], err[1], 2) > 1.8);
}
