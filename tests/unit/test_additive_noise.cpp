// Additive noise from continuous laws: each law's moments and log-MGF
// against its draws, the derivatives against differences, the domain where
// Lambda is finite, the mixing matrix, and the refusal of heavy tails by the
// large-deviation Hamiltonian.
#include <catch2/catch.hpp>

#include <cmath>

#include "fwkit/config/config.hpp"
#include "fwkit/config/model_config.hpp"
#include "fwkit/core/error.hpp"
#include "fwkit/model/hamiltonian.hpp"
#include "fwkit/model/noise.hpp"
#include "fwkit/model/source_law.hpp"
#include "moment_check.hpp"

using namespace fw;

namespace {

struct LawCase {
  const char* text;
  double mean, variance;
  double u;          // a point where lambda(2u) is finite (the MGF's estimate has a variance)
  double beyond;     // a point outside the domain (NaN if none)
};

}  // namespace

TEST_CASE("source laws: moments and log-MGF against their draws, derivatives against differences",
          "[model][noise][additive]") {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const LawCase cases[] = {
      {"exponential(2)", 0.5, 0.25, 0.6, 2.0},
      {"gamma(3, 2)", 1.5, 0.75, 0.7, 2.5},
      {"gamma(0.5, 1)", 0.5, 0.5, 0.3, 1.0},
      {"laplace(0.5)", 0, 0.5, 0.7, 2.0},
      {"uniform(1.5)", 0, 0.75, 1.3, nan},
      {"normal(0.7)", 0, 0.49, 0.9, nan},
      {"shift(exponential(1), -1)", 0, 1, 0.3, 1.0},
      {"mix(0.3, laplace(0.2), 0.7, shift(uniform(1), 0.5))", 0.35, 0.3 * 0.08 + 0.7 * (1.0 / 3 + 0.25) - 0.35 * 0.35,
       1.1, 5.0},
  };
  for (const auto& c : cases) {
    INFO(c.text);
    const auto law = model::parse_source_law(c.text, "laws");
    CHECK(law->mean() == Approx(c.mean).margin(1e-15));
    CHECK(law->variance() == Approx(c.variance).epsilon(1e-12));
    double d1 = 0, d2 = 0;
    CHECK(law->log_mgf(0, &d1, &d2) == Approx(0).margin(1e-15));
    CHECK(d1 == Approx(c.mean).margin(1e-12));
    CHECK(d2 == Approx(c.variance).epsilon(1e-9));
    // Derivatives against central differences of lambda and lambda'.
    const double h = 1e-5;
    double a1 = 0, b1 = 0;
    const double v = law->log_mgf(c.u, &d1, &d2);
    law->log_mgf(c.u + h, &a1);
    law->log_mgf(c.u - h, &b1);
    CHECK(d1 == Approx((law->log_mgf(c.u + h) - law->log_mgf(c.u - h)) / (2 * h)).epsilon(1e-7));
    CHECK(d2 == Approx((a1 - b1) / (2 * h)).epsilon(1e-6));
    // Draws: mean and variance within 5 standard errors, and E e^{uX} = e^lambda(u).
    rng::Stream s(11, 3);
    test::MomentSums m(1);
    double mgf = 0, mgf2 = 0;
    const int n = 200000;
    for (int i = 0; i < n; ++i) {
      const double x = law->sample(s);
      m.add(Vec::Constant(1, x - c.mean));
      const double e = std::exp(c.u * x);
      mgf += e, mgf2 += e * e;
    }
    m.check(Mat::Constant(1, 1, c.variance));
    mgf /= n;
    const double se = std::sqrt((mgf2 / n - mgf * mgf) / n);
    CHECK(std::abs(mgf - std::exp(v)) < 5 * se);
    if (!std::isnan(c.beyond)) CHECK(std::isinf(law->log_mgf(c.beyond)));
    if (std::isnan(c.beyond)) CHECK(std::isfinite(law->log_mgf(40.0)));
  }
}

TEST_CASE("additive noise: the mixing matrix, Lambda's derivatives and its domain", "[model][noise][additive]") {
  const auto cfg = config::Config::from_string(R"toml(
[model.system]
kind = "expression"
variables = ["x", "y"]
loss = "0.5*x^2 + 0.5*y^2"
[model.noise]
kind = "additive"
laws = ["laplace(0.5)", "gamma(2, 4)", "uniform(1)"]
mixing = [[1.0, 0.5, 0.0], [-0.3, 1.0, 2.0]]
)toml", "additive");
  const model::Model m = config::build_model(cfg.root().table("model"));
  REQUIRE(m.noise->kind() == "additive");
  Mat mix(2, 3);
  mix << 1.0, 0.5, 0.0, -0.3, 1.0, 2.0;
  const Vec var = (Vec(3) << 0.5, 2.0 / 16, 1.0 / 3).finished();
  const Mat sigma = mix * var.asDiagonal() * mix.transpose();
  CHECK((m.noise->covariance(Vec::Zero(2)) - sigma).norm() < 1e-14);
  rng::Stream s(5, 0);
  test::MomentSums sums(2);
  for (int i = 0; i < 200000; ++i) {
    Vec z(2);
    m.noise->sample(nullptr, s, z.data());
    sums.add(z);
  }
  sums.check(sigma);
  // Lambda's gradient and Hessian against differences.
  const Vec p = (Vec(2) << 0.4, -0.7).finished();
  double value = 0;
  Vec grad;
  Mat hess;
  m.noise->log_mgf(Vec::Zero(2), p, {&value, &grad, &hess});
  const double h = 1e-6;
  for (int k = 0; k < 2; ++k) {
    const Vec e = Vec::Unit(2, k) * h;
    CHECK(grad[k] == Approx((m.noise->log_mgf(Vec::Zero(2), p + e) - m.noise->log_mgf(Vec::Zero(2), p - e)) / (2 * h)).epsilon(1e-7));
    Vec gp, gm;
    m.noise->log_mgf(Vec::Zero(2), p + e, {nullptr, &gp, nullptr});
    m.noise->log_mgf(Vec::Zero(2), p - e, {nullptr, &gm, nullptr});
    CHECK((hess.col(k) - (gp - gm) / (2 * h)).norm() < 1e-6 * (1 + hess.norm()));
  }
  // The Gamma source's domain: (M^T p)_2 = 0.5 p_x + p_y < 4; Laplace's |p_x - 0.3 p_y| < 2.
  CHECK(std::isinf(m.noise->log_mgf(Vec::Zero(2), (Vec(2) << 0.0, 4.5).finished())));
  CHECK(std::isinf(m.noise->log_mgf(Vec::Zero(2), (Vec(2) << 2.5, 0.0).finished())));
  CHECK(std::isfinite(m.noise->log_mgf(Vec::Zero(2), (Vec(2) << 1.5, 3.0).finished())));
}

TEST_CASE("additive noise: heavy tails simulate but the large-deviation solvers refuse them; bad laws are named",
          "[model][noise][additive]") {
  auto build = [](const std::string& laws) {
    const auto cfg = config::Config::from_string("[model.system]\nkind = \"expression\"\nvariables = [\"x\"]\n"
                                                 "loss = \"0.5*x^2\"\n[model.noise]\nkind = \"additive\"\nlaws = " +
                                                     laws + "\n",
                                                 "laws");
    return config::build_model(cfg.root().table("model"));
  };
  const model::Model t = build("[\"student_t(4, 0.5)\"]");
  CHECK(t.noise->covariance(Vec::Zero(1))(0, 0) == Approx(0.25 * 4 / 2.0));
  CHECK_FALSE(t.noise->has_finite_log_mgf());
  CHECK_THROWS_WITH(model::Hamiltonian(t, model::HamiltonianKind::kDiscrete),
                    Catch::Contains("student_t") && Catch::Contains("langevin"));
  CHECK_NOTHROW(model::Hamiltonian(t, model::HamiltonianKind::kLangevin));
  CHECK_THROWS_WITH(build("[\"gamma(0, 1)\"]"), Catch::Contains("the shape = 0 must be > 0"));
  CHECK_THROWS_WITH(build("[\"student_t(2, 1)\"]"), Catch::Contains("nu = 2 must be > 2"));
  CHECK_THROWS_WITH(build("[\"cauchy(1)\"]"), Catch::Contains("'cauchy' is not a law"));
  CHECK_THROWS_WITH(build("[\"laplace(1)\", \"laplace(1)\"]"), Catch::Contains("2 laws for 1 coordinates"));
  CHECK_THROWS_WITH(build("[\"mix(0.5, laplace(1), uniform(1))\"]"), Catch::Contains("in pairs"));
}
