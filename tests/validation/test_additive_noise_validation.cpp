// SGD with additive noise from continuous laws:
//  - on a quadratic the recursion is linear, so its stationary covariance is
//    the discrete Lyapunov solution exactly, whatever the law: checked for
//    Laplace and centred Gamma sources through a mixing matrix;
//  - the discrete-time cost of climbing a 1-D double well with Laplace noise,
//    V = int p*(x) dx with b p* + Lambda(p*) = 0, by bisection on the closed
//    form, against gMAM (the root must stay inside |p| < 1/s, the domain
//    where Lambda is finite).
#include <catch2/catch.hpp>

#include <cmath>

#include "action/gmam.hpp"
#include "fwkit/config/config.hpp"
#include "fwkit/config/model_config.hpp"
#include "fwkit/model/lyapunov.hpp"
#include "sim/ensemble.hpp"

using namespace fw;

namespace {

model::Model build(const std::string& text) {
  const config::Config cfg = config::Config::from_string(text, "additive");
  return config::build_model(cfg.root().table("model"));
}

}  // namespace

TEST_CASE("SGD on a quadratic with Laplace and Gamma noise keeps the discrete Lyapunov covariance",
          "[sim][validation][additive]") {
  const model::Model m = build(R"toml(
[model.system]
kind = "expression"
variables = ["x", "y"]
loss = "x^2 + 0.6*x*y + 0.25*y^2"
[model.noise]
kind = "additive"
laws = ["laplace(0.7)", "gamma(0.5, 1)"]
mixing = [[1.0, 0.4], [0.0, 1.2]]
)toml");
  const double eta = 0.3;
  const Mat j = m.system->jacobian_at(Vec::Zero(2));
  const Mat c = m.noise->covariance(Vec::Zero(2));
  const auto p = model::sgd_stationary_covariance(j, c, eta);
  REQUIRE(p.converged);
  sim::Options o;
  o.step.eta = eta;
  o.members = 1000;
  o.steps = 8000;
  o.burn_in = 800;
  o.stride = 2;
  o.batches = 20;
  o.seed = 44;
  auto s = sim::EnsembleState::start(o, Vec::Zero(2));
  sim::advance(m, o, s, o.steps);
  const sim::Summary sum = sim::summarize(o, s);
  for (int k = 0; k < 2; ++k) {
    const auto& v = sum.variance[static_cast<std::size_t>(k)];
    INFO("coordinate " << k << ": " << v.value << " +- " << v.standard_error << ", predicted " << p.sigma(k, k));
    CHECK(std::abs(v.value - p.sigma(k, k)) < 4 * v.standard_error);
  }
}

TEST_CASE("the discrete-time cost of a double well under Laplace noise: gMAM against the closed form",
          "[action][validation][additive]") {
  const double s = 0.5;  // Lambda(p) = -log(1 - s^2 p^2), finite for |p| < 2
  const model::Model m = build(R"toml(
[model.system]
kind = "expression"
variables = ["x"]
loss = "(x^2 - 1)^2/4"
[model.noise]
kind = "additive"
laws = ["laplace(0.5)"]
)toml");
  // p*(x) > 0 with -|b(x)| p + Lambda(p) = 0, b = x - x^3 on (-1, 0).
  auto root = [s](double climb) {
    double lo = 1e-12, hi = 1 / s - 1e-15;
    for (int i = 0; i < 200; ++i) {
      const double mid = 0.5 * (lo + hi);
      (-std::log(1 - s * s * mid * mid) - climb * mid > 0 ? hi : lo) = mid;
    }
    return 0.5 * (lo + hi);
  };
  // Simpson on 2000 intervals of V = int_{-1}^{0} p*(x) dx (p* ~ 2|b|/... is smooth).
  const int n = 2000;
  double v = 0;
  for (int i = 0; i <= n; ++i) {
    const double x = -1.0 + static_cast<double>(i) / n;
    const double b = std::abs(x - x * x * x);
    const double w = (i == 0 || i == n) ? 1 : (i % 2 ? 4 : 2);
    v += w * (b > 0 ? root(b) : 0.0);
  }
  v /= 3.0 * n;
  const model::Hamiltonian h(m, model::HamiltonianKind::kDiscrete);
  action::Options o;
  o.nodes = 401;
  const auto r = action::minimize_action(h, Vec::Constant(1, -1.0), Vec::Zero(1), o);
  INFO(r.brief_report() << "; closed form " << v);
  REQUIRE(r.status == action::Status::kConverged);
  CHECK(r.action == Approx(v).epsilon(2e-4));
  // The Gaussian approximation (Langevin with the same variance 2 s^2) is a different number.
  CHECK(std::abs(v - 0.25 * 2 / (2 * s * s)) > 0.01);
}
