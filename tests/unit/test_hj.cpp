// Pieces of the grid solver: 1-D quadrature against closed forms and an
// independent root-finder, the segment cost and triangle minimisation,
// interpolation and gradients, paths, and the errors for bad input.
#include <catch2/catch.hpp>

#include <cmath>

#include "fwkit/core/error.hpp"
#include "fwkit/model/catalog.hpp"
#include "fwkit/model/expression.hpp"
#include "hj/global.hpp"
#include "hj/local_cost.hpp"
#include "hj/paths.hpp"
#include "hj/quadrature_1d.hpp"

using namespace fw;

TEST_CASE("1-D quadrature: Gaussian noise gives 2 (U - U(x*)) / sigma^2", "[hj]") {
  std::shared_ptr<const model::System> dw =
      model::make_catalog_system("double_well_1d", {{"tilt", model::ParamValue::scalar(0.2)}});
  const double s2 = 0.7;
  const model::Hamiltonian h({dw, model::make_gaussian_noise(Mat::Constant(1, 1, s2))}, model::HamiltonianKind::kLangevin);
  // The attractor of x - x^3 + 0.2 near -1, by Newton here.
  double a = -1;
  for (int i = 0; i < 50; ++i) a -= (a - a * a * a + 0.2) / (1 - 3 * a * a);
  auto U = [](double x) { return (x * x - 1) * (x * x - 1) / 4 - 0.2 * x; };
  const std::vector<double> pts{-1.6, -1.2, -0.9, -0.4, 0.05};
  const auto v = hj::quadrature_1d(h, a, pts);
  for (std::size_t i = 0; i < pts.size(); ++i) CHECK(v[i] == Approx(2 * (U(pts[i]) - U(a)) / s2).margin(1e-10));
}

TEST_CASE("1-D quadrature: Rademacher noise against an independent Newton + Simpson", "[hj]") {
  // H(x, p) = b p + log cosh(s p), b = -k x. p* solves b p + log cosh(s p) = 0.
  const double k = 1.3, sc = 0.9;
  std::shared_ptr<const model::System> lin = model::make_catalog_system("linear", {{"A", {{-k}, 1, 1}}});
  const model::Hamiltonian h({lin, model::make_rademacher_noise(Vec::Constant(1, sc))}, model::HamiltonianKind::kDiscrete);
  auto pstar = [&](double x) {
    if (x == 0) return 0.0;
    const double b = -k * x;
    double p = -4 * b / (sc * sc);  // beyond the root (log cosh < quadratic)
    for (int i = 0; i < 100; ++i) {
      const double f = b * p + std::log(std::cosh(sc * p)), df = b + sc * std::tanh(sc * p);
      p -= f / df;
    }
    return p;
  };
  for (double x : {0.2, 0.5, -0.6}) {  // |b| < s: reachable
    const int n = 2000;
    double simpson = pstar(0) + pstar(x);
    for (int i = 1; i < n; ++i) simpson += (i % 2 ? 4 : 2) * pstar(x * i / n);
    simpson *= x / (3 * n);
    CHECK(hj::quadrature_1d(h, 0.0, {x})[0] == Approx(simpson).epsilon(1e-9));
    CHECK(hj::root_momentum(h, x) == Approx(pstar(x)).epsilon(1e-10));
  }
  // Beyond |b| = s the noise cannot hold the chain against the drift: no root.
  CHECK(std::isinf(hj::root_momentum(h, 0.8)));
}

TEST_CASE("segment cost: exact for constant drift; triangle update is the minimum over the edge", "[hj]") {
  // Constant b: c(v) = |b||v| - b.v is exact for any quadrature.
  auto sys = model::make_expression_system({{"x", "y"}, {}, {"1.5", "-0.5"}, "", {}});
  std::shared_ptr<const model::System> shared(std::move(sys));
  const model::Hamiltonian h({shared, model::make_gaussian_noise(Mat::Identity(2, 2))}, model::HamiltonianKind::kLangevin);
  const hj::LocalCost mid(h), simpson(h, true);
  const double a[] = {0.1, 0.2}, x[] = {-0.3, 0.5};
  const double v0 = -0.4, v1 = 0.3, b0 = 1.5, b1 = -0.5;
  const double exact = std::hypot(b0, b1) * std::hypot(v0, v1) - (b0 * v0 + b1 * v1);
  CHECK(mid.segment(a, x) == Approx(exact).epsilon(1e-14));
  CHECK(simpson.segment(a, x) == Approx(exact).epsilon(1e-14));
  // Triangle: a brute-force scan of s against the solver's minimum, where the
  // minimum is interior: for the linear drift, an edge crossed by the
  // direction of cheapest approach to the target, with unequal end values.
  std::shared_ptr<const model::System> lin = model::make_catalog_system("linear", {});
  const model::Hamiltonian hl({lin, model::make_gaussian_noise(Mat::Identity(2, 2))}, model::HamiltonianKind::kLangevin);
  for (const hj::LocalCost* cost : {&mid, &simpson}) {
    const hj::LocalCost lc(hl, cost == &simpson);
    // The characteristic reaching (0, 0.2) arrives along (A + Sigma^{-1}) x =
    // (-2, 0.2), from the +x side: through the edge x = 0.05, 0.1 <= y <= 0.2,
    // whose end values are the exact V = 2x^2 + y^2.
    const double p0[] = {0.05, 0.1}, p1[] = {0.05, 0.2}, target[] = {0.0, 0.2};
    const double w0 = 0.005 + 0.01, w1 = 0.005 + 0.04;
    double brute = INFINITY, at = 0;
    for (int i = 0; i <= 200000; ++i) {
      const double s = i / 200000.0, xs[] = {p0[0], p0[1] + s * (p1[1] - p0[1])};
      const double f = (1 - s) * w0 + s * w1 + lc.segment(xs, target);
      if (f < brute) {
        brute = f;
        at = s;
      }
    }
    INFO("brute-force minimum " << brute << " at s = " << at);
    REQUIRE(at > 0.01);
    REQUIRE(at < 0.99);
    CHECK(lc.triangle(p0, w0, p1, w1, target) == Approx(brute).epsilon(1e-9));
  }
}

TEST_CASE("interpolation and gradients are exact for linear functions", "[hj]") {
  const grid::Grid g{{-1, 0, 2}, {1, 1, 3}, {5, 4, 3}};
  std::vector<double> v(g.size());
  for (std::size_t f = 0; f < g.size(); ++f) {
    const int i = static_cast<int>(f / 12), j = static_cast<int>((f / 3) % 4), k = static_cast<int>(f % 3);
    v[f] = 2 * g.coordinate(0, i) - 3 * g.coordinate(1, j) + 0.5 * g.coordinate(2, k) + 1;
  }
  const double x[] = {0.3, 0.55, 2.9};
  CHECK(hj::interpolate(g, v, x) == Approx(2 * 0.3 - 3 * 0.55 + 0.5 * 2.9 + 1).epsilon(1e-14));
  const double out[] = {1.5, 0.5, 2.5};
  CHECK(std::isnan(hj::interpolate(g, v, out)));
  const auto grad = hj::gradient(g, v);
  for (std::size_t f = 0; f < g.size(); ++f) {
    CHECK(grad[f * 3] == Approx(2.0));
    CHECK(grad[f * 3 + 1] == Approx(-3.0));
    CHECK(grad[f * 3 + 2] == Approx(0.5));
  }
}

TEST_CASE("paths traced back from a computed potential reach the attractor", "[hj]") {
  // Gradient double well with D = I: the reversed instanton runs straight back
  // along the x axis, and V(x) = 2 U on it.
  std::shared_ptr<const model::System> dw = model::make_catalog_system("double_well_2d", {});
  const model::Hamiltonian h({dw, model::make_gaussian_noise(Mat::Identity(2, 2))}, model::HamiltonianKind::kLangevin);
  const Vec a = (Vec(2) << -1, 0).finished();
  const hj::Result r = hj::solve<2>({h, grid::Grid{{-1.6, -0.6}, {-0.4, 0.6}, {61, 61}}, a}, hj::Options{});
  const auto grad = hj::gradient(r.grid, r.value);
  const hj::Path p = hj::trace_back(h, r.grid, r.value, grad, {a}, (Vec(2) << -0.6, 0.3).finished(), 0.06);
  CHECK(p.reached);
  const double x0 = -0.6, y0 = 0.3;
  CHECK(p.value_start == Approx(0.5 * (x0 * x0 - 1) * (x0 * x0 - 1) + y0 * y0).margin(0.02));
  // Along a gradient flow line of 2U the path is monotone in V: check V decreases.
  double last = INFINITY;
  for (std::size_t i = 0; i + 1 < p.points.size() / 2; i += 5) {
    const double v = hj::interpolate(r.grid, r.value, &p.points[2 * i]);
    CHECK(v <= last + 1e-3);
    last = v;
  }
}

TEST_CASE("bad grid-solver input is rejected with the field named", "[hj]") {
  hj::Options o;
  o.radius = -1;
  CHECK_THROWS_WITH(o.validate(), Catch::Contains("quasipotential.radius = -1"));
  o.radius = 0;
  o.seed_radius = 0.5;
  CHECK_THROWS_WITH(o.validate(), Catch::Contains("quasipotential.seed_radius"));
  std::shared_ptr<const model::System> dw = model::make_catalog_system("double_well_2d", {});
  const model::Hamiltonian h({dw, model::make_gaussian_noise(Mat::Identity(2, 2))}, model::HamiltonianKind::kLangevin);
  // The saddle is not an attractor; a point outside the grid is refused.
  auto r = hj::solve<2>({h, grid::Grid{{-1, -1}, {1, 1}, {11, 11}}, Vec::Zero(2)}, hj::Options{});
  CHECK(r.status == hj::Result::Status::kFailed);
  CHECK(r.message.find("not a stable equilibrium") != std::string::npos);
  r = hj::solve<2>({h, grid::Grid{{0, -1}, {0.9, 1}, {11, 11}}, (Vec(2) << -1, 0).finished()}, hj::Options{});
  CHECK(r.status == hj::Result::Status::kFailed);
  CHECK(r.message.find("outside the grid") != std::string::npos);
}

TEST_CASE("W-graph energies by hand for three attractors", "[hj]") {
  // cost(i, j) from K_i to K_j. Arborescences towards 0: {1->0, 2->0} = 5 + 7,
  // {1->0, 2->1} = 5 + 1, {1->2, 2->0} = 4 + 7: W(0) = 6. Towards 1:
  // {0->1, 2->1} = 2 + 1, {0->1, 2->0} = 2 + 7, {0->2, 2->1} = 3 + 1: W(1) = 3.
  // Towards 2: {0->2, 1->2} = 3 + 4, {0->1, 1->2} = 2 + 4, {0->2, 1->0} = 3 + 5: W(2) = 6.
  Mat cost(3, 3);
  cost << 0, 2, 3,  //
      5, 0, 4,      //
      7, 1, 0;
  const Vec w = hj::w_graph_energies(cost);
  CHECK(w[0] == 6);
  CHECK(w[1] == 3);
  CHECK(w[2] == 6);
  const Vec single = hj::w_graph_energies(Mat::Zero(1, 1));
  CHECK(single[0] == 0);
  // Two attractors: W_i is the cost of leaving the other one.
  Mat two(2, 2);
  two << 0, 0.3, 0.7, 0;
  const Vec w2 = hj::w_graph_energies(two);
  CHECK(w2[0] == Approx(0.7));
  CHECK(w2[1] == Approx(0.3));
}
