// The minimum action solver against the grid solver: the action from the
// attractor to grid nodes must agree with the grid's V within the grid's own
// error, for a Gaussian Hamiltonian (jet method) and a non-Gaussian one
// (OLIM, discrete-time SGD with Rademacher noise).
#include <catch2/catch.hpp>

#include <cmath>

#include "action/gmam.hpp"
#include "fwkit/model/catalog.hpp"
#include "hj/olim.hpp"
#include "hj/quadrature_1d.hpp"

using namespace fw;

namespace {

/// gMAM from a to b on N and 2N intervals, Richardson-extrapolated.
double action_to(const model::Hamiltonian& h, const Vec& a, const Vec& b) {
  double s[2];
  int k = 0;
  for (int nodes : {101, 201}) {
    action::Options o;
    o.nodes = nodes;
    const auto r = action::minimize_action(h, a, b, o);
    REQUIRE(r.status == action::Status::kConverged);
    s[k++] = r.action;
  }
  return action::richardson(s[0], s[1], 2);
}

}  // namespace

TEST_CASE("consistency: gMAM to grid nodes against the jet grid solver (Maier-Stein, beta = 10)", "[action][hj][validation]") {
  std::shared_ptr<const model::System> ms = model::make_catalog_system("maier_stein", {});  // beta = 10, mu = 1
  const model::Hamiltonian h({ms, model::make_gaussian_noise(Mat::Identity(2, 2))}, model::HamiltonianKind::kLangevin);
  const Vec a = (Vec(2) << -1, 0).finished();
  // Two grids of the box [-1.8, 0] x [-1, 1] (steps 0.02 and 0.01): the nodes
  // below lie on both. The grid's error is estimated from the two.
  hj::Options o;
  o.method = hj::Method::kJet;
  const hj::Result coarse = hj::solve<2>({h, grid::Grid{{-1.8, -1.0}, {0.0, 1.0}, {91, 101}}, a}, o);
  const hj::Result fine = hj::solve<2>({h, grid::Grid{{-1.8, -1.0}, {0.0, 1.0}, {181, 201}}, a}, o);
  REQUIRE(coarse.ok());
  REQUIRE(fine.ok());
  for (const auto& [x, y] : {std::pair{-0.6, 0.3}, std::pair{-1.4, -0.4}, std::pair{-0.8, -0.6}, std::pair{-1.2, 0.5}}) {
    const double pt[2] = {x, y};
    const double vc = hj::interpolate(coarse.grid, coarse.value, pt), vf = hj::interpolate(fine.grid, fine.value, pt);
    const double s = action_to(h, a, (Vec(2) << x, y).finished());
    INFO("(" << x << ", " << y << "): grid " << vc << " -> " << vf << ", minimum action " << s);
    // Second order: the fine grid's error is about a third of the change.
    CHECK(std::abs(vf - s) <= std::max(0.5 * std::abs(vc - vf), 1e-6));
    CHECK(std::abs(vc - s) > std::abs(vf - s));
  }
}

TEST_CASE("consistency: gMAM to grid nodes against OLIM for Rademacher SGD noise", "[action][hj][validation]") {
  // b = (x - x^3, -y), Z = (0.8 r1, 0.6 r2): V(x, y) = V1(x) + V2(y) exactly
  // (1-D quadratures). gMAM agrees with the quadrature; OLIM's grid V agrees
  // with gMAM within its own error against the quadrature.
  std::shared_ptr<const model::System> s = model::make_catalog_system("double_well_2d", {});
  const model::Model m{s, model::make_rademacher_noise((Vec(2) << 0.8, 0.6).finished())};
  const model::Hamiltonian h(m, model::HamiltonianKind::kDiscrete);
  std::shared_ptr<const model::System> s1 = model::make_catalog_system("double_well_1d", {});
  std::shared_ptr<const model::System> s2 = model::make_catalog_system("linear", {{"A", {{-1.0}, 1, 1}}});
  auto v1 = [&](double x) {
    const model::Hamiltonian h1({s1, model::make_rademacher_noise(Vec::Constant(1, 0.8))}, model::HamiltonianKind::kDiscrete);
    return hj::quadrature_1d(h1, -1.0, {x})[0];
  };
  auto v2 = [&](double y) {
    const model::Hamiltonian h2({s2, model::make_rademacher_noise(Vec::Constant(1, 0.6))}, model::HamiltonianKind::kDiscrete);
    return hj::quadrature_1d(h2, 0.0, {y})[0];
  };
  const grid::Grid g{{-1.25, -0.5}, {-0.5, 0.5}, {31, 41}};  // steps 0.025
  hj::Options o;
  o.radius = 4;
  const Vec a = (Vec(2) << -1, 0).finished();
  const hj::Result r = hj::solve<2>({h, g, a}, o);
  REQUIRE(r.ok());
  double grid_err = 0;  // OLIM's max error over the box, against the quadratures
  for (int i = 0; i < 31; ++i)
    for (int j = 0; j < 41; ++j)
      grid_err = std::max(grid_err, std::abs(r.value[i * 41 + j] - v1(g.coordinate(0, i)) - v2(g.coordinate(1, j))));
  for (const auto& [x, y] : {std::pair{-0.75, 0.2}, std::pair{-1.2, -0.3}, std::pair{-0.6, -0.4}}) {
    const double exact = v1(x) + v2(y), pt[2] = {x, y};
    const double sa = action_to(h, a, (Vec(2) << x, y).finished()), vg = hj::interpolate(g, r.value, pt);
    INFO("(" << x << ", " << y << "): quadrature " << exact << ", minimum action " << sa << ", grid " << vg
             << " (grid error " << grid_err << ")");
    CHECK(std::abs(sa - exact) < 1e-5 * (1 + exact));
    CHECK(std::abs(vg - sa) <= grid_err);
  }
}
