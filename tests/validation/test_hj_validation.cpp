// The grid quasi-potential against exact solutions: observed convergence
// orders on two grids, and the values the theory predicts. Exact solutions
// are computed here, independently of the solver (Lyapunov equations solved
// by hand, 1-D quadratures of the separable parts).
#include <catch2/catch.hpp>

#include <cmath>
#include <functional>

#include "fwkit/model/catalog.hpp"
#include "fwkit/model/expression.hpp"
#include "action/gmam.hpp"
#include "hj/global.hpp"
#include "hj/olim.hpp"
#include "hj/quadrature_1d.hpp"
#include "lyapunov_2x2.hpp"

using namespace fw;

namespace {

model::ParamValue matrix(const Mat& a) {
  model::ParamValue p;
  p.rows = static_cast<int>(a.rows());
  p.cols = static_cast<int>(a.cols());
  for (Eigen::Index i = 0; i < a.rows(); ++i)
    for (Eigen::Index j = 0; j < a.cols(); ++j) p.data.push_back(a(i, j));
  return p;
}

/// Max |V - exact| over the nodes where exact <= level (a sublevel set that
/// lies inside the box, so the box does not cut the characteristics).
template <int D>
double max_error(const hj::Result& r, const std::function<double(const double*)>& exact, double level) {
  double e = 0;
  const auto& g = r.grid;
  for (std::size_t f = 0; f < g.size(); ++f) {
    double x[D];
    std::size_t rem = f;
    for (int k = D - 1; k >= 0; --k) {
      x[k] = g.coordinate(k, static_cast<int>(rem % g.nodes[k]));
      rem /= g.nodes[k];
    }
    const double v = exact(x);
    if (v <= level) e = std::max(e, std::abs(r.value[f] - v));
  }
  return e;
}

double order(double coarse, double fine, double ratio) { return std::log(coarse / fine) / std::log(ratio); }

}  // namespace

TEST_CASE("OLIM: the strongly rotational linear benchmark b = (-2x - 10y, 20x - y), V = 2x^2 + y^2", "[hj][validation]") {
  // A Sigma + Sigma A^T + I = 0 is solved by Sigma = diag(1/4, 1/2): V = 2x^2 + y^2.
  // Errors are measured on V <= 1, the largest sublevel ellipse inside [-1, 1]^2.
  std::shared_ptr<const model::System> lin = model::make_catalog_system("linear", {});
  const model::Hamiltonian h({lin, model::make_gaussian_noise(Mat::Identity(2, 2))}, model::HamiltonianKind::kLangevin);
  auto exact = [](const double* x) { return 2 * x[0] * x[0] + x[1] * x[1]; };
  double err[2];
  int i = 0;
  for (int n : {65, 129}) {
    const hj::Result r = hj::solve<2>({h, grid::Grid{{-1, -1}, {1, 1}, {n, n}}, Vec::Zero(2)}, hj::Options{});
    REQUIRE(r.ok());
    err[i++] = max_error<2>(r, exact, 1.0);
  }
  INFO("max errors " << err[0] << ", " << err[1] << "; order " << order(err[0], err[1], 2));
  CHECK(order(err[0], err[1], 2) > 0.9);
  CHECK(err[1] < 2e-3);
}

TEST_CASE("OLIM: b = -(1/2) grad U + l with l . grad U = 0 gives V = U, in 2-D and 3-D", "[hj][validation]") {
  SECTION("2-D rotational double well, g = 3: V = 2 (U - U_min)") {
    std::shared_ptr<const model::System> s =
        model::make_catalog_system("rotational_double_well", {{"g", model::ParamValue::scalar(3.0)}});
    const model::Hamiltonian h({s, model::make_gaussian_noise(Mat::Identity(2, 2))}, model::HamiltonianKind::kLangevin);
    auto exact = [](const double* x) { return 0.5 * (x[0] * x[0] - 1) * (x[0] * x[0] - 1) + x[1] * x[1]; };
    double err[2];
    int i = 0;
    for (int n : {41, 81}) {
      const hj::Result r =
          hj::solve<2>({h, grid::Grid{{-1.6, -0.8}, {-0.1, 0.8}, {n, n}}, (Vec(2) << -1, 0).finished()}, hj::Options{});
      err[i++] = max_error<2>(r, exact, 0.4);  // below the saddle's 0.5
    }
    INFO("max errors " << err[0] << ", " << err[1]);
    CHECK(order(err[0], err[1], 2) > 0.8);
    CHECK(err[1] < 0.02);
  }
  SECTION("3-D linear, U = x^T Q x / 2, l = S Q x with S skew") {
    const Mat q = Eigen::Vector3d(1, 2, 3).asDiagonal();
    Mat skew(3, 3);
    skew << 0, 4, -2, -4, 0, 3, 2, -3, 0;
    const Mat a = (-0.5 * Mat::Identity(3, 3) + skew) * q;
    std::shared_ptr<const model::System> s = model::make_catalog_system("linear", {{"A", matrix(a)}});
    const model::Hamiltonian h({s, model::make_gaussian_noise(Mat::Identity(3, 3))}, model::HamiltonianKind::kLangevin);
    auto exact = [&](const double* x) { return 0.5 * (x[0] * x[0] + 2 * x[1] * x[1] + 3 * x[2] * x[2]); };
    double err[2];
    int i = 0;
    for (int n : {25, 37}) {
      hj::Options o;
      o.radius = n / 6;
      const hj::Result r = hj::solve<3>({h, grid::Grid{{-1, -1, -1}, {1, 1, 1}, {n, n, n}}, Vec::Zero(3)}, o);
      err[i++] = max_error<3>(r, exact, 0.45);  // inside the box: |z| <= 0.55
    }
    INFO("max errors " << err[0] << ", " << err[1]);
    CHECK(order(err[0], err[1], 1.5) > 1.5);
    CHECK(err[1] < 0.04);
  }
}

TEST_CASE("OLIM: anisotropic constant diffusion against the Lyapunov quadratic form", "[hj][validation]") {
  // A = [[-1, -3], [3, -2]], D = [[1, 0.3], [0.3, 0.5]]; Sigma by hand (lyapunov_2x2.hpp).
  Mat a(2, 2), dm(2, 2);
  a << -1, -3, 3, -2;
  dm << 1, 0.3, 0.3, 0.5;
  const Mat sigma = testing::lyapunov_2x2(a, dm);
  REQUIRE((a * sigma + sigma * a.transpose() + dm).norm() < 1e-12);
  const Mat qf = sigma.inverse();
  std::shared_ptr<const model::System> s = model::make_catalog_system("linear", {{"A", matrix(a)}});
  const model::Hamiltonian h({s, model::make_gaussian_noise(dm)}, model::HamiltonianKind::kLangevin);
  auto exact = [&](const double* x) {
    const Vec v = Eigen::Map<const Vec>(x, 2);
    return 0.5 * v.dot(qf * v);
  };
  // The sublevel set {V <= level} fits in [-1, 1]^2 when level <= min_k 1 / (2 (Q^{-1})_kk).
  const double level = 0.9 * std::min(0.5 / sigma(0, 0), 0.5 / sigma(1, 1));
  // Midpoint segments (the default) and Simpson's: both within 0.4% of the
  // level at 129^2; Simpson's converges at first order or better here, the
  // midpoint rule's error falls more slowly (its bias on long segments).
  for (bool simpson : {false, true}) {
    double err[2];
    int i = 0;
    for (int n : {65, 129}) {
      hj::Options o;
      o.simpson = simpson;
      const hj::Result r = hj::solve<2>({h, grid::Grid{{-1, -1}, {1, 1}, {n, n}}, Vec::Zero(2)}, o);
      err[i++] = max_error<2>(r, exact, level);
    }
    INFO((simpson ? "simpson" : "midpoint") << ": level " << level << ", max errors " << err[0] << ", " << err[1]);
    CHECK(err[1] < err[0]);
    CHECK(err[1] < 4e-3 * level);
    if (simpson) CHECK(order(err[0], err[1], 2) > 1.0);
  }
}

TEST_CASE("OLIM: Maier–Stein escape cost through the saddle", "[hj][validation]") {
  // beta <= 4: the escape runs along the axis, where V(x, 0) = 2 (x^4/4 - x^2/2 + 1/4): 0.5 at the saddle.
  // beta = 10: the optimal escape leaves the axis and costs less.
  double v[2];
  int i = 0;
  for (int n : {46, 91}) {
    std::shared_ptr<const model::System> ms = model::make_catalog_system(
        "maier_stein", {{"beta", model::ParamValue::scalar(3.0)}, {"mu", model::ParamValue::scalar(1.0)}});
    const model::Hamiltonian h({ms, model::make_gaussian_noise(Mat::Identity(2, 2))}, model::HamiltonianKind::kLangevin);
    hj::Options o;
    o.stop_at_boundary = true;
    const hj::Result r =
        hj::solve<2>({h, grid::Grid{{-1.8, -1.0}, {0.0, 1.0}, {n, 2 * n - 1}}, (Vec(2) << -1, 0).finished()}, o);
    REQUIRE(r.status == hj::Result::Status::kStoppedAtBoundary);
    CHECK(std::abs(r.boundary_point[0]) < 1e-12);
    CHECK(std::abs(r.boundary_point[1]) < 1e-12);
    v[i++] = r.boundary_value;
  }
  INFO("V(saddle) = " << v[0] << ", " << v[1]);
  CHECK(std::abs(v[0] - 0.5) < 1e-3);
  CHECK(std::abs(v[1] - 0.5) < 1e-3);
  std::shared_ptr<const model::System> ms10 = model::make_catalog_system("maier_stein", {});  // beta = 10
  const model::Hamiltonian h10({ms10, model::make_gaussian_noise(Mat::Identity(2, 2))}, model::HamiltonianKind::kLangevin);
  hj::Options o;
  o.stop_at_boundary = true;
  const hj::Result r10 = hj::solve<2>({h10, grid::Grid{{-1.8, -1.0}, {0.0, 1.0}, {91, 181}}, (Vec(2) << -1, 0).finished()}, o);
  CHECK(r10.boundary_value < 0.45);
  // Cross-check with the minimum action solver, started off the axis (the
  // axis is a saddle point of the action for beta > 4).
  Mat guess(2, 3);
  guess << -1, -0.5, 0, 0, 0.3, 0;
  action::Options ao;
  ao.nodes = 201;
  const action::Result gm = action::minimize_action(h10, (Vec(2) << -1, 0).finished(), Vec::Zero(2), ao, &guess);
  REQUIRE(gm.status == action::Status::kConverged);
  INFO("beta = 10: grid " << r10.boundary_value << ", minimum action " << gm.action);
  CHECK(gm.action < 0.45);
  CHECK(std::abs(r10.boundary_value - gm.action) < 3e-3);
}

TEST_CASE("OLIM: a non-Gaussian separable Hamiltonian against 1-D quadrature; SGD vs Langevin", "[hj][validation]") {
  // b = (x - x^3, -y) with Rademacher noise Z = (0.8 r1, 0.6 r2): the discrete-time
  // Hamiltonian is a sum of 1-D ones, so V(x, y) = V1(x) + V2(y), each by quadrature.
  // The Langevin Hamiltonian of the same covariance gives V1L + V2L, and the
  // grid difference V_discrete - V_langevin must follow the quadratures' difference.
  std::shared_ptr<const model::System> s = model::make_catalog_system("double_well_2d", {});
  const Vec scales = (Vec(2) << 0.8, 0.6).finished();
  const model::Model m{s, model::make_rademacher_noise(scales)};
  std::shared_ptr<const model::System> s1 = model::make_catalog_system("double_well_1d", {});
  std::shared_ptr<const model::System> s2 = model::make_catalog_system("linear", {{"A", {{-1.0}, 1, 1}}});
  auto one_d = [&](std::shared_ptr<const model::System> sys, double scale, model::HamiltonianKind kind, double a,
                   const std::vector<double>& pts) {
    const model::Hamiltonian h1({sys, model::make_rademacher_noise(Vec::Constant(1, scale))}, kind);
    return hj::quadrature_1d(h1, a, pts);
  };
  double err[2], diff_err = 0, diff_max = 0;
  int i = 0;
  for (int n : {16, 31}) {
    const int ny = (n - 1) * 4 / 3 + 1;
    const grid::Grid g{{-1.25, -0.5}, {-0.5, 0.5}, {n, ny}};
    std::vector<double> xs, ys;
    for (int k = 0; k < n; ++k) xs.push_back(g.coordinate(0, k));
    for (int k = 0; k < ny; ++k) ys.push_back(g.coordinate(1, k));
    hj::Options o;
    o.radius = 4;
    const Vec att = (Vec(2) << -1, 0).finished();
    const hj::Result rd = hj::solve<2>({model::Hamiltonian(m, model::HamiltonianKind::kDiscrete), g, att}, o);
    const auto v1 = one_d(s1, 0.8, model::HamiltonianKind::kDiscrete, -1.0, xs);
    const auto v2 = one_d(s2, 0.6, model::HamiltonianKind::kDiscrete, 0.0, ys);
    double e = 0;
    for (int a = 0; a < n; ++a)
      for (int b = 0; b < ny; ++b) e = std::max(e, std::abs(rd.value[a * ny + b] - v1[a] - v2[b]));
    err[i++] = e;
    if (n == 31) {
      const hj::Result rl = hj::solve<2>({model::Hamiltonian(m, model::HamiltonianKind::kLangevin), g, att}, o);
      const auto l1 = one_d(s1, 0.8, model::HamiltonianKind::kLangevin, -1.0, xs);
      const auto l2 = one_d(s2, 0.6, model::HamiltonianKind::kLangevin, 0.0, ys);
      for (int a = 0; a < n; ++a)
        for (int b = 0; b < ny; ++b) {
          const double predicted = (v1[a] + v2[b]) - (l1[a] + l2[b]);
          diff_err = std::max(diff_err, std::abs((rd.value[a * ny + b] - rl.value[a * ny + b]) - predicted));
          diff_max = std::max(diff_max, std::abs(predicted));
        }
    }
  }
  INFO("max errors " << err[0] << ", " << err[1] << "; difference error " << diff_err << " of " << diff_max);
  CHECK(order(err[0], err[1], 2) > 0.8);
  CHECK(err[1] < 0.06);
  // Bounded noise makes large deviations dearer than the Gaussian of the same
  // covariance: the difference is positive away from the attractor, and the
  // grid reproduces its size.
  CHECK(diff_max > 0.1);
  CHECK(diff_err < 0.25 * diff_max);
}

TEST_CASE("global potential over two attractors: W-graphs give 2 (U - min U) for a gradient system", "[hj][validation]") {
  // Tilted double well, D = I: V(K_i, K_j) = 2 (U(saddle) - U(K_i)), and the
  // global potential min_i [W_i + V_i] - min W equals 2 (U - min U) everywhere.
  const double c = 0.1;
  std::shared_ptr<const model::System> s =
      model::make_catalog_system("double_well_2d", {{"tilt", model::ParamValue::scalar(c)}});
  const model::Hamiltonian h({s, model::make_gaussian_noise(Mat::Identity(2, 2))}, model::HamiltonianKind::kLangevin);
  auto root = [&](double x) {  // x - x^3 + c = 0 by Newton
    for (int i = 0; i < 60; ++i) x -= (x - x * x * x + c) / (1 - 3 * x * x);
    return x;
  };
  auto U = [&](double x, double y) { return (x * x - 1) * (x * x - 1) / 4 + y * y / 2 - c * x; };
  const double xl = root(-1), xs = root(0), xr = root(1);
  const std::vector<Vec> att{(Vec(2) << xl, 0).finished(), (Vec(2) << xr, 0).finished()};
  const std::vector<Vec> saddle{(Vec(2) << xs, 0).finished()};
  const double umin = U(xr, 0);
  double err[2], cost_err[2];
  int i = 0;
  for (int n : {73, 145}) {
    hj::Options o;
    o.radius = static_cast<int>(std::lround(0.6 * std::sqrt(n)));  // K h ~ n^(-1/2)
    const grid::Grid g{{-1.8, -0.9}, {1.8, 0.9}, {n, (n + 1) / 2}};
    const hj::GlobalResult r = hj::solve_global<2>(h, g, att, o, nullptr, saddle);
    CHECK(r.ground == 1);
    cost_err[i] = std::max(std::abs(r.cost(0, 1) - 2 * (U(xs, 0) - U(xl, 0))), std::abs(r.cost(1, 0) - 2 * (U(xs, 0) - U(xr, 0))));
    double e = 0;
    for (int a = 0; a < g.nodes[0]; ++a)
      for (int b = 0; b < g.nodes[1]; ++b) {
        const double ex = 2 * (U(g.coordinate(0, a), g.coordinate(1, b)) - umin);
        if (ex <= 0.6) e = std::max(e, std::abs(r.value[static_cast<std::size_t>(a) * g.nodes[1] + b] - ex));
      }
    err[i++] = e;
  }
  INFO("global max errors " << err[0] << ", " << err[1] << "; cost errors " << cost_err[0] << ", " << cost_err[1]);
  // Measured: 5.1e-3 -> 3.9e-3 (the largest errors sit where the sublevel
  // set V <= 0.6 is widest in y, 0.7% of V there); the costs converge faster.
  CHECK(err[1] < err[0]);
  CHECK(err[1] < 6e-3);
  CHECK(cost_err[1] < cost_err[0]);
  CHECK(cost_err[1] < 0.01);
}

TEST_CASE("OLIM: a limit-cycle source, b = (y + x(1-r^2), -x + y(1-r^2)), V = (r^2-1)^2/2", "[hj][validation]") {
  // b = -(1/2) grad V + l with l = (y, -x) orthogonal to grad V, so V is exact;
  // the unit circle is given as 400 points, the origin (a repeller) is avoided.
  std::shared_ptr<const model::System> s(model::make_expression_system(
      {{"x", "y"}, {}, {"y + x*(1 - x^2 - y^2)", "-x + y*(1 - x^2 - y^2)"}, "", {}}));
  const model::Hamiltonian h({s, model::make_gaussian_noise(Mat::Identity(2, 2))}, model::HamiltonianKind::kLangevin);
  std::vector<Vec> circle;
  for (int i = 0; i < 400; ++i) circle.push_back((Vec(2) << std::cos(2 * M_PI * i / 400), std::sin(2 * M_PI * i / 400)).finished());
  auto exact = [](const double* x) {
    const double r2 = x[0] * x[0] + x[1] * x[1];
    return 0.5 * (r2 - 1) * (r2 - 1);
  };
  double err[2];
  int i = 0;
  for (int n : {81, 161}) {
    const hj::Result r = hj::solve<2>({h, grid::Grid{{-2, -2}, {2, 2}, {n, n}}, Vec(), {Vec::Zero(2)}, circle}, hj::Options{});
    REQUIRE(r.ok());
    err[i++] = max_error<2>(r, exact, 0.4);
  }
  INFO("max errors " << err[0] << ", " << err[1]);
  CHECK(order(err[0], err[1], 2) > 1.0);
  CHECK(err[1] < 6e-3);
}
