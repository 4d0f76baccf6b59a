#include <catch2/catch.hpp>

#include "fwkit/core/error.hpp"
#include "fwkit/model/catalog.hpp"
#include "fwkit/model/catalog_systems.hpp"
#include "fwkit/rng/stream.hpp"
#include "helpers.hpp"

using namespace fw;
using namespace fw::model;

namespace {

std::vector<Vec> sample_points(int d, int count) {
  rng::Stream s(11, static_cast<std::uint64_t>(d));
  std::vector<Vec> pts;
  for (int i = 0; i < count; ++i) {
    Vec x(d);
    for (int k = 0; k < d; ++k) x[k] = 2.4 * s.uniform() - 1.2;
    pts.push_back(x);
  }
  return pts;
}

}  // namespace

TEST_CASE("every catalog system's Jacobian matches finite differences", "[catalog]") {
  for (const auto& entry : system_catalog()) {
    // Non-default parameters, so that no term is hidden by a zero.
    ParamValues values;
    for (const auto& p : entry.params)
      if (p.default_value.is_scalar()) values[p.name] = ParamValue::scalar(p.default_value.as_scalar() + 0.3);
    const auto sys = make_catalog_system(entry.name, values);
    INFO("system " << entry.name);
    for (const Vec& x : sample_points(sys->dim(), 20)) {
      const Mat fd = test::fd_jacobian([&](const Vec& y) { return sys->drift_at(y); }, x);
      CHECK(test::rel_err(sys->jacobian_at(x), fd) < 1e-7);
    }
  }
}

TEST_CASE("gradient systems satisfy b = -grad f", "[catalog]") {
  for (const auto& entry : system_catalog()) {
    if (!entry.gradient) continue;
    ParamValues values;
    for (const auto& p : entry.params)
      if (p.default_value.is_scalar()) values[p.name] = ParamValue::scalar(p.default_value.as_scalar() + 0.3);
    const auto sys = make_catalog_system(entry.name, values);
    REQUIRE(sys->is_gradient());
    INFO("system " << entry.name);
    for (const Vec& x : sample_points(sys->dim(), 20)) {
      const Vec g = test::fd_gradient([&](const Vec& y) { return sys->loss(y.data()); }, x);
      CHECK(test::rel_err(sys->drift_at(x), -g) < 1e-7);
    }
  }
}

TEST_CASE("Maier-Stein is a gradient system exactly when beta = mu", "[catalog]") {
  MaierStein grad(1.5, 1.5), nongrad(10, 1);
  CHECK(grad.is_gradient());
  CHECK_FALSE(nongrad.is_gradient());
  const Vec zero = Vec::Zero(2);
  CHECK_THROWS_AS(nongrad.loss(zero.data()), Error);
  const Vec x = (Vec(2) << 0.3, -0.7).finished();
  const Vec g = test::fd_gradient([&](const Vec& y) { return grad.loss(y.data()); }, x);
  CHECK(test::rel_err(grad.drift_at(x), -g) < 1e-8);
}

TEST_CASE("batch evaluation equals pointwise evaluation", "[catalog]") {
  for (const auto& entry : system_catalog()) {
    const auto sys = make_catalog_system(entry.name, {});
    const int d = sys->dim();
    const auto pts = sample_points(d, 37);
    const std::size_t n = pts.size();
    std::vector<double> xs(n * d), bs(n * d);
    for (std::size_t m = 0; m < n; ++m)
      for (int k = 0; k < d; ++k) xs[k * n + m] = pts[m][k];
    sys->drift_batch(xs.data(), bs.data(), n);
    INFO("system " << entry.name);
    for (std::size_t m = 0; m < n; ++m) {
      const Vec b = sys->drift_at(pts[m]);
      for (int k = 0; k < d; ++k) CHECK(bs[k * n + m] == Approx(b[k]).margin(1e-12));
    }
  }
}

TEST_CASE("the rotational double well has V = 2U: H(x, 2 grad U) = 0", "[catalog]") {
  RotationalDoubleWell sys(2.5);
  for (const Vec& x : sample_points(2, 20)) {
    const Vec p = 2 * test::fd_gradient([&](const Vec& y) { return sys.potential(y.data()); }, x);
    // Langevin Hamiltonian with D = I.
    const double h = sys.drift_at(x).dot(p) + 0.5 * p.squaredNorm();
    CHECK(std::abs(h) < 1e-7);
  }
}

TEST_CASE("catalog rejects unknown systems and parameters", "[catalog]") {
  CHECK_THROWS_WITH(make_catalog_system("maier_steen", {}),
                    Catch::Contains("not a built-in system") && Catch::Contains("maier_stein"));
  CHECK_THROWS_WITH(make_catalog_system("maier_stein", {{"gamma", ParamValue::scalar(1)}}),
                    Catch::Contains("model.system.parameters.gamma") && Catch::Contains("beta"));
  CHECK_THROWS_WITH(make_catalog_system("linear", {{"A", ParamValue{{1, 2, 3}, 1, 3}}}),
                    Catch::Contains("square"));
  const auto lin = make_catalog_system("linear", {{"A", ParamValue{{-1, 2, 0, -3, 1, 0, 0, 0, -2}, 3, 3}}});
  CHECK(lin->dim() == 3);
}
