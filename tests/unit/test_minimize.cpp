// Local minimisation for analyze: Newton's quadratic convergence on an exact
// minimum, a precise failure for a loss without one, and analyze's
// minimise-first search from the user's own points.
#include <catch2/catch.hpp>

#include <cmath>

#include <fmt/format.h>

#include "analyze/equilibria.hpp"
#include "analyze/minimize.hpp"
#include "fwkit/core/error.hpp"
#include "fwkit/model/expression.hpp"

using namespace fw;

namespace {

std::unique_ptr<model::System> loss_system(const std::vector<std::string>& vars, const std::string& loss) {
  model::ExpressionSpec spec;
  spec.variables = vars;
  spec.loss = loss;
  return model::make_expression_system(spec);
}

}  // namespace

TEST_CASE("minimize: Rosenbrock's valley to its exact minimum, quadratically at the end", "[analyze][minimize]") {
  const auto sys = loss_system({"x", "y"}, "(1 - x)^2 + 100*(y - x^2)^2");
  const Vec exact = Vec::Ones(2);
  analyze::MinimizeOptions o;
  o.tolerance = 1e-13;
  const analyze::Minimum m = analyze::minimize(*sys, (Vec(2) << -1.2, 1.0).finished(), o);
  REQUIRE(m.status == analyze::MinimizeStatus::kConverged);
  CHECK((m.x - exact).norm() < 1e-12);
  CHECK(m.iterations < 100);
  // The errors of the last iterations, by rerunning with fewer of them (the
  // method is deterministic): e_{k+1} ~ C e_k^2.
  std::vector<double> err;
  for (int k = 1; k <= m.iterations; ++k) {
    o.max_iterations = k;
    err.push_back((analyze::minimize(*sys, (Vec(2) << -1.2, 1.0).finished(), o).x - exact).norm());
  }
  std::vector<double> orders;
  for (std::size_t k = 2; k < err.size(); ++k)
    // Errors in the asymptotic range, above the rounding floor (about the
    // Hessian's condition, ~2500 at the minimum, times 1e-16, squared up by
    // the step): 1e-2 > e > 1e-10.
    if (err[k - 2] < 1e-2 && err[k] > 1e-10) orders.push_back(std::log(err[k] / err[k - 1]) / std::log(err[k - 1] / err[k - 2]));
  REQUIRE_FALSE(orders.empty());
  std::string all;
  for (std::size_t k = 0; k < err.size(); ++k) all += fmt::format(" {:.3g}", err[k]);
  INFO("errors" << all << "; observed orders, last " << orders.back());
  CHECK(orders.back() > 1.8);
}

TEST_CASE("minimize: a loss that decreases to infinity fails at the edge, naming the coordinate",
          "[analyze][minimize]") {
  const auto sys = loss_system({"a", "b"}, "(a - 1)^2 + exp(-b)");  // no minimum in b
  analyze::MinimizeOptions o;
  o.lower = Vec::Constant(2, -2);
  o.upper = Vec::Constant(2, 2);
  o.names = sys->variable_names();
  const analyze::Minimum m = analyze::minimize(*sys, Vec::Zero(2), o);
  CHECK(m.status == analyze::MinimizeStatus::kFailed);
  CHECK_THAT(m.reason, Catch::Contains("b reached 6") && Catch::Contains("no minimum there"));
  CHECK(std::abs(m.x[0] - 1) < 1e-6);  // the coordinate with a minimum has found it
}

TEST_CASE("minimize: a system without a loss is refused", "[analyze][minimize]") {
  model::ExpressionSpec spec;
  spec.variables = {"x", "y"};
  spec.drift = {"y", "-x"};
  const auto sys = model::make_expression_system(spec);
  CHECK_THROWS_AS(analyze::minimize(*sys, Vec::Zero(2), {}), Error);
}

TEST_CASE("analyze minimises first: the minima of a 6-D loss that Newton alone misses, from given points",
          "[analyze][minimize]") {
  // f = sum_k (x_k^2 - 1)^2 / 4 + 0.1 x_k: 2^6 minima, 3^6 critical points in
  // all. Each coordinate's minima are roots of x^3 - x + 0.1 = 0.
  std::vector<std::string> vars;
  std::string loss;
  for (int k = 1; k <= 6; ++k) {
    vars.push_back("x" + std::to_string(k));
    loss += (k > 1 ? " + " : "") + fmt::format("(x{0}^2 - 1)^2/4 + 0.1*x{0}", k);
  }
  const auto sys = loss_system(vars, loss);
  analyze::Options o;
  o.lower.assign(6, -2);
  o.upper.assign(6, 2);
  o.newton = false;
  // Two given starts, one in the basin of the deeper well in every coordinate.
  o.start_points = {Vec::Constant(6, -0.9), Vec::Constant(6, 0.9)};
  const analyze::Result r = analyze::find_equilibria(*sys, o);
  REQUIRE(r.starts == 2);
  REQUIRE(r.equilibria.size() == 2);
  CHECK(r.minimize.converged == 2);
  // Roots of x^3 - x + 0.1 by bisection, independently of the solver.
  auto root = [](double a, double b) {
    for (int i = 0; i < 200; ++i) {
      const double m = 0.5 * (a + b);
      ((a * a * a - a + 0.1) * (m * m * m - m + 0.1) <= 0 ? b : a) = m;
    }
    return 0.5 * (a + b);
  };
  const double deep = root(-1.5, -0.5), shallow = root(0.5, 1.5);
  for (const auto& e : r.equilibria) {
    CHECK(e.stability == analyze::Stability::kStable);
    const double target = e.x[0] < 0 ? deep : shallow;
    CHECK((e.x - Vec::Constant(6, target)).cwiseAbs().maxCoeff() < 1e-10);
    CHECK(e.hessian_eigenvalues.minCoeff() == Approx(3 * target * target - 1).epsilon(1e-9));
  }
  CHECK_THAT(r.loss_levels(), Catch::Contains("(x1)"));
}
