// The quasi-potential between grid nodes and the cell masses the potential
// comparison predicts (compare/potential_model.hpp): Gauss–Legendre exactness,
// exact Taylor models of quadratics, and third-order convergence of a cell's
// log-mass for a smooth V.
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "compare/potential_model.hpp"

using namespace fw;

namespace {

/// V and its exact gradient sampled on a grid.
template <class F, class G>
compare::GridPotential sample(const grid::Grid& g, F v, G grad) {
  std::vector<double> value, gradient;
  for (int i = 0; i < g.nodes[0]; ++i)
    for (int j = 0; j < g.nodes[1]; ++j) {
      const double x = g.coordinate(0, i), y = g.coordinate(1, j);
      value.push_back(v(x, y));
      const auto d = grad(x, y);
      gradient.push_back(d[0]);
      gradient.push_back(d[1]);
    }
  return {g, value, gradient};
}

}  // namespace

TEST_CASE("Gauss-Legendre: n points integrate degree 2n - 1 exactly", "[compare]") {
  for (int n = 1; n <= 12; ++n) {
    std::vector<double> x, w;
    compare::gauss_legendre(n, x, w);
    for (int p = 0; p <= 2 * n - 1; ++p) {
      double q = 0;
      for (int i = 0; i < n; ++i) q += w[i] * std::pow(x[i], p);
      CHECK(q == Approx(p % 2 ? 0.0 : 2.0 / (p + 1)).margin(1e-13));
    }
    // Degree 2n is not integrated exactly: the rule is no better than it should be.
    double q = 0;
    for (int i = 0; i < n; ++i) q += w[i] * std::pow(x[i], 2 * n);
    CHECK(std::abs(q - 2.0 / (2 * n + 1)) > 1e-11);
  }
  std::vector<double> x, w;
  CHECK_THROWS(compare::gauss_legendre(0, x, w));
}

TEST_CASE("grid potential: a quadratic V is reproduced exactly between nodes", "[compare]") {
  const grid::Grid g{{-1.0, -2.0}, {2.0, 1.0}, {7, 9}};
  auto v = [](double x, double y) { return 0.7 * x * x + 0.4 * x * y + 1.3 * y * y - 0.2 * x + 0.5; };
  auto grad = [](double x, double y) { return std::vector<double>{1.4 * x + 0.4 * y - 0.2, 0.4 * x + 2.6 * y}; };
  const compare::GridPotential p = sample(g, v, grad);
  for (double x : {-0.93, 0.111, 1.97})
    for (double y : {-1.99, -0.37, 0.8}) {
      const double pt[2] = {x, y};
      CHECK(p.at(pt) == Approx(v(x, y)).margin(1e-12));
    }
  const double outside[2] = {2.1, 0.0};
  CHECK(std::isnan(p.at(outside)));
  // Its minimum node, and a cell's mass against the closed form: the
  // integral of exp(-V/s) over a box is a product of error functions only
  // for a separable V, so take one.
  auto sep = [](double x, double y) { return x * x + 0.5 * y * y; };
  auto dsep = [](double x, double y) { return std::vector<double>{2 * x, y}; };
  const grid::Grid cells{{-1.0, -1.0}, {1.0, 1.0}, {5, 5}};
  const compare::GridPotential q = sample(cells, sep, dsep);
  CHECK(q.minimum_node() == 12);
  const double s = 0.3;
  // Cell of node (3, 1): x in [0.25, 0.75], y in [-0.75, -0.25].
  auto erf_int = [s](double a, double lo, double hi) {  // int exp(-a t^2 / s) dt
    const double k = std::sqrt(a / s);
    return std::sqrt(M_PI) / (2 * k) * (std::erf(k * hi) - std::erf(k * lo));
  };
  const double exact = std::log(erf_int(1.0, 0.25, 0.75) * erf_int(0.5, -0.75, -0.25));
  CHECK(compare::cell_log_mass(q, cells, 3 * 5 + 1, s, 0.0, 8) == Approx(exact).margin(1e-9));
  // A boundary cell is clipped to the box: node (4, 2), x in [0.75, 1], y in [-0.25, 0.25].
  const double edge = std::log(erf_int(1.0, 0.75, 1.0) * erf_int(0.5, -0.25, 0.25));
  CHECK(compare::cell_log_mass(q, cells, 4 * 5 + 2, s, 0.0, 8) == Approx(edge).margin(1e-9));
}

TEST_CASE("cell log-mass from V and grad V converges at third order", "[compare]") {
  // A smooth, non-polynomial V; the reference integrates it exactly on each
  // cell with a 24-point rule. The Taylor model errs by O(h^3) in V, so the
  // log-mass by O(h^3 / s).
  auto v = [](double x, double y) { return std::sin(x) * std::cos(0.7 * y) + 0.3 * x * x + 0.4 * y * y; };
  auto grad = [](double x, double y) {
    return std::vector<double>{std::cos(x) * std::cos(0.7 * y) + 0.6 * x, -0.7 * std::sin(x) * std::sin(0.7 * y) + 0.8 * y};
  };
  const double s = 0.2;
  std::vector<double> gx, gw;
  compare::gauss_legendre(24, gx, gw);
  std::vector<double> err;
  for (int n : {11, 21, 41, 81}) {
    const grid::Grid g{{-1.0, -1.0}, {1.0, 1.0}, {n, n}};
    const compare::GridPotential p = sample(g, v, grad);
    double worst = 0;
    for (std::size_t cell = 0; cell < g.size(); ++cell) {
      const int i = static_cast<int>(cell) / n, j = static_cast<int>(cell) % n;
      const double h = g.spacing(0);
      const double x0 = std::max(g.coordinate(0, i) - h / 2, -1.0), x1 = std::min(g.coordinate(0, i) + h / 2, 1.0);
      const double y0 = std::max(g.coordinate(1, j) - h / 2, -1.0), y1 = std::min(g.coordinate(1, j) + h / 2, 1.0);
      double m = 0;
      for (int a = 0; a < 24; ++a)
        for (int b = 0; b < 24; ++b) {
          const double x = 0.5 * (x0 + x1) + 0.5 * (x1 - x0) * gx[a], y = 0.5 * (y0 + y1) + 0.5 * (y1 - y0) * gx[b];
          m += 0.25 * (x1 - x0) * (y1 - y0) * gw[a] * gw[b] * std::exp(-v(x, y) / s);
        }
      // The Taylor model is only as good as O(h^3) here, so an 8-point rule on it is plenty.
      worst = std::max(worst, std::abs(compare::cell_log_mass(p, g, cell, s, 0.0, 8) - std::log(m)));
    }
    err.push_back(worst);
  }
  for (std::size_t k = 1; k < err.size(); ++k) {
    const double order = std::log2(err[k - 1] / err[k]);
    INFO("h = 2 / " << (10 << (k - 1)) << " -> half: error " << err[k - 1] << " -> " << err[k] << ", order " << order);
    CHECK(order > 2.6);
  }
  CHECK(err.back() < 1e-5);
}

TEST_CASE("cell log-mass in 3-D: a separable quadratic against its error functions", "[compare]") {
  const grid::Grid g{{-1.0, -1.0, -1.0}, {1.0, 1.0, 1.0}, {5, 6, 7}};
  const double a[3] = {1.0, 0.5, 2.0};
  std::vector<double> value, gradient;
  for (int i = 0; i < 5; ++i)
    for (int j = 0; j < 6; ++j)
      for (int k = 0; k < 7; ++k) {
        const double x[3] = {g.coordinate(0, i), g.coordinate(1, j), g.coordinate(2, k)};
        double v = 0;
        for (int c = 0; c < 3; ++c) {
          v += a[c] * x[c] * x[c];
          gradient.push_back(2 * a[c] * x[c]);
        }
        value.push_back(v);
      }
  const compare::GridPotential p(g, value, gradient);
  const double s = 0.25;
  auto one = [s](double coef, double lo, double hi) {
    const double k = std::sqrt(coef / s);
    return std::sqrt(M_PI) / (2 * k) * (std::erf(k * hi) - std::erf(k * lo));
  };
  for (std::size_t cell : {std::size_t{0}, std::size_t{1 * 42 + 2 * 7 + 3}, g.size() - 1}) {
    const int idx[3] = {static_cast<int>(cell / 42), static_cast<int>(cell / 7 % 6), static_cast<int>(cell % 7)};
    double exact = 0;
    for (int c = 0; c < 3; ++c) {
      const double h = g.spacing(c), x = g.coordinate(c, idx[c]);
      exact += std::log(one(a[c], std::max(x - h / 2, -1.0), std::min(x + h / 2, 1.0)));
    }
    CHECK(compare::cell_log_mass(p, g, cell, s, 0.0, 8) == Approx(exact).margin(1e-9));
  }
}
