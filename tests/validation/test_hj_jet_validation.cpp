// The second-order (jet) grid solver against exact quasi-potentials: observed
// orders on two grids, and the escape cost of Maier–Stein. The exact
// solutions come from the structure of the drift (b = -(1/2) D grad U + l
// with l . grad U = 0 gives V = U), or from a Lyapunov equation solved here
// by hand.
#include <catch2/catch.hpp>

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

Errors errors(const hj::Result& r, const Exact& exact, double level) {
  Errors e;
  const auto& g = r.grid;
  const int ny = g.nodes[1];
  double g2 = 0;
  std::size_t count = 0;
  for (std::size_t f = 0; f < g.size(); ++f) {
    const double x[2] = {g.coordinate(0, static_cast<int>(f / ny)), g.coordinate(1, static_cast<int>(f % ny))};
    const double v = exact(x);
    if (!(v <= level)) continue;
    e.value = std::max(e.value, std::abs(r.value[f] - v));
    const double d = 1e-6;
    double dx = 0, dy = 0;
    {
      const double xp[2] = {x[0] + d, x[1]}, xm[2] = {x[0] - d, x[1]}, yp[2] = {x[0], x[1] + d}, ym[2] = {x[0], x[1] - d};
      dx = (exact(xp) - exact(xm)) / (2 * d) - r.grad[2 * f];
      dy = (exact(yp) - exact(ym)) / (2 * d) - r.grad[2 * f + 1];
    }
    g2 += dx * dx + dy * dy;
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

}  // namespace

TEST_CASE("jet: second order on the rotational linear benchmark b = (-2x - 10y, 20x - y)", "[hj][jet][validation]") {
  std::shared_ptr<const model::System> lin = model::make_catalog_system("linear", {});
  const model::Hamiltonian h({lin, model::make_gaussian_noise(Mat::Identity(2, 2))}, model::HamiltonianKind::kLangevin);
  const auto e = two_grids(h, Vec::Constant(2, -1), Vec::Constant(2, 1), Vec::Zero(2), 65,
                           [](const double* x) { return 2 * x[0] * x[0] + x[1] * x[1]; }, 1.0);
  INFO("max errors " << e[0].value << ", " << e[1].value << "; RMS gradient errors " << e[0].grad << ", " << e[1].grad);
  CHECK(order(e[0].value, e[1].value, 2) > 1.8);
  CHECK(e[1].value < 1e-3);  // OLIM-MID: 1.6e-3 at this grid
  CHECK(order(e[0].grad, e[1].grad, 2) > 1.0);
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
