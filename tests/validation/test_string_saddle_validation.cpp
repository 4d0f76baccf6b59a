// The string method with a climbing image in six dimensions: between two
// minima of f = sum_k (x_k^2 - 1)^2 / 4 + 0.1 x_k that differ in the first
// coordinate (the straight start is already the path: the case that used to
// stop before an image climbed), the saddle and the barrier against the
// exact ones (the roots of x^3 - x + 0.1 = 0 by bisection), and an index-1
// check of the Hessian there. Curved paths are validated on Müller-Brown
// in test_action_validation.cpp.
#include <catch2/catch.hpp>

#include <cmath>

#include <fmt/format.h>

#include "action/string_method.hpp"
#include "fwkit/model/expression.hpp"

using namespace fw;

TEST_CASE("string method in 6-D: the saddle between two minima and the barrier, exactly",
          "[action][validation][string]") {
  model::ExpressionSpec spec;
  std::string loss;
  for (int k = 1; k <= 6; ++k) {
    spec.variables.push_back(fmt::format("x{}", k));
    loss += fmt::format("{}(x{}^2 - 1)^2/4 + 0.1*x{}", k > 1 ? " + " : "", k, k);
  }
  spec.loss = loss;
  const auto sys = model::make_expression_system(spec);
  auto root = [](double a, double b) {
    for (int i = 0; i < 200; ++i) {
      const double m = 0.5 * (a + b);
      ((a * a * a - a + 0.1) * (m * m * m - m + 0.1) <= 0 ? b : a) = m;
    }
    return 0.5 * (a + b);
  };
  const double deep = root(-1.5, -0.5), top = root(-0.5, 0.5), shallow = root(0.5, 1.5);
  auto f1 = [](double x) { return (x * x - 1) * (x * x - 1) / 4 + 0.1 * x; };
  Vec a = Vec::Constant(6, deep), b = a;
  b[0] = shallow;
  action::StringOptions o;
  o.images = 21;
  o.tolerance = 1e-6;
  const auto r = action::string_method(*sys, a, b, o);
  INFO(r.message);
  REQUIRE(r.converged);
  Vec saddle = a;
  saddle[0] = top;
  CHECK((r.saddle - saddle).cwiseAbs().maxCoeff() < 1e-10);
  CHECK(sys->loss(r.saddle.data()) - sys->loss(a.data()) == Approx(f1(top) - f1(deep)).epsilon(1e-10));
  const Mat jac = sys->jacobian_at(r.saddle);
  const Vec ev = Eigen::SelfAdjointEigenSolver<Mat>(-jac).eigenvalues();
  CHECK((ev.array() < 0).count() == 1);
  CHECK(ev[0] == Approx(3 * top * top - 1).epsilon(1e-9));
}
