// Lanczos for the ends of a symmetric spectrum, and analyze's classification
// by it beyond dense_max_dim parameters, against exact spectra and the dense
// classification.
#include <catch2/catch.hpp>

#include <cmath>

#include <fmt/format.h>

#include "analyze/equilibria.hpp"
#include "analyze/lanczos.hpp"
#include "fwkit/model/expression.hpp"

using namespace fw;

TEST_CASE("lanczos: the ends of a known spectrum, repeated and negative eigenvalues included", "[analyze][lanczos]") {
  // diag(-3, -3, 0.001 k for k = 1..96, 50, 50): ends -3 and 50, each twice.
  const int d = 100;
  Vec diag(d);
  diag[0] = diag[1] = -3;
  for (int k = 2; k < 98; ++k) diag[k] = 0.001 * (k - 1);
  diag[98] = diag[99] = 50;
  const auto r = analyze::lanczos([&](const Vec& v) { return Vec(diag.cwiseProduct(v)); }, d, 60);
  REQUIRE(r.converged.front());
  REQUIRE(r.converged.back());
  CHECK(r.ritz[0] == Approx(-3).epsilon(1e-12));
  CHECK(r.ritz[r.ritz.size() - 1] == Approx(50).epsilon(1e-12));
  // A multiple of the identity: an invariant subspace after one step, exact.
  const auto id = analyze::lanczos([](const Vec& v) { return Vec(1e-6 * v); }, 30, 10);
  CHECK(id.steps == 1);
  CHECK(id.ritz[0] == Approx(1e-6).epsilon(1e-12));
  CHECK(id.converged.front());
}

TEST_CASE("analyze beyond dense_max_dim: Lanczos gives the dense spectrum's ends", "[analyze][lanczos]") {
  // 60 coupled tilted double wells: f = sum (x_k^2 - 1)^2/4 + 0.1 x_k + 0.05 x_k x_{k+1}.
  model::ExpressionSpec spec;
  std::string loss;
  for (int k = 1; k <= 60; ++k) {
    spec.variables.push_back(fmt::format("x{}", k));
    loss += fmt::format("{}(x{}^2 - 1)^2/4 + 0.1*x{}", k > 1 ? " + " : "", k, k);
    if (k < 60) loss += fmt::format(" + 0.05*x{}*x{}", k, k + 1);
  }
  spec.loss = loss;
  const auto sys = model::make_expression_system(spec);
  analyze::Options o;
  o.lower.assign(60, -2);
  o.upper.assign(60, 2);
  o.newton = false;
  o.start_points = {Vec::Constant(60, -0.9)};
  const analyze::Result by_lanczos = analyze::find_equilibria(*sys, o);
  o.dense_max_dim = 100;
  const analyze::Result dense = analyze::find_equilibria(*sys, o);
  REQUIRE(by_lanczos.equilibria.size() == 1);
  REQUIRE(dense.equilibria.size() == 1);
  const auto& l = by_lanczos.equilibria[0];
  const auto& e = dense.equilibria[0];
  CHECK(l.spectrum_by_lanczos);
  CHECK_FALSE(e.spectrum_by_lanczos);
  CHECK(l.stability == analyze::Stability::kStable);
  CHECK(e.stability == analyze::Stability::kStable);
  CHECK(l.hessian_eigenvalues[0] == Approx(e.hessian_eigenvalues[0]).epsilon(1e-10));
  CHECK(l.hessian_eigenvalues[59] == Approx(e.hessian_eigenvalues[59]).epsilon(1e-10));
  CHECK(std::isnan(l.hessian_eigenvalues[30]));
  // The chain's spectrum: 3 x^2 - 1 + 0.1 cos(pi j / 61) at a uniform x is only
  // approximate (x varies at the chain's ends), so the check is against the dense one.
  CHECK(e.hessian_eigenvalues[0] > 0);
}
