// The inner problem of gMAM: p_hat on {H = 0} with H_p = lambda v.
#include <catch2/catch.hpp>

#include <cmath>

#include "action/gmam.hpp"
#include "fwkit/model/inner_problem.hpp"
#include "fwkit/model/catalog.hpp"
#include "fwkit/model/expression.hpp"
#include "noise_fixtures.hpp"

using namespace fw;

TEST_CASE("optimal momentum solves H = 0 and H_p = lambda v for every noise", "[action]") {
  const Vec x = (Vec(2) << 0.4, -0.3).finished();
  for (const auto& [name, noise, system] : test::all_noise_models()) {
    if (name.find("singular") != std::string::npos) continue;  // needs a non-degenerate D
    INFO(name);
    const model::Hamiltonian h(model::Model{system, noise}, model::HamiltonianKind::kDiscrete);
    Vec v = (Vec(2) << 0.7, 0.2).finished();
    if (name == "markov") {
      // A two-state chain moves with velocities in the segment between its two
      // increments: only directions in the cone they span have finite cost.
      const Mat inc = std::static_pointer_cast<const model::MarkovNoise>(noise)->increments(x);
      const Vec b = system->drift_at(x);
      v = b + 0.3 * (inc.col(0) - b);
      Vec p;
      double lambda = 0;
      // The increments here are 140 degrees apart, so -(h0 + h1) is outside.
      CHECK_FALSE(model::optimal_momentum(h, x, -(inc.col(0) + inc.col(1)), p, lambda));
    }
    Vec p;
    double lambda = -1;
    REQUIRE(model::optimal_momentum(h, x, v, p, lambda));
    CHECK(lambda > 0);
    CHECK(std::abs(h.value(x, p)) < 1e-10);
    CHECK((h.grad_p(x, p) - lambda * v).norm() < 1e-10);
    // p_hat maximises <p, v> on {H = 0}: nearby points on the level set do no better.
    const Vec t = (Vec(2) << -v[1], v[0]).finished();
    for (double eps : {1e-3, -1e-3}) {
      Vec q = p + eps * t;
      // Back onto H = 0 along grad_p H by Newton.
      for (int it = 0; it < 50; ++it) q -= h.value(x, q) / h.grad_p(x, q).squaredNorm() * h.grad_p(x, q);
      CHECK(q.dot(v) <= p.dot(v) + 1e-12);
    }
  }
}

TEST_CASE("an unreachable target is a failure status, not a crash", "[action]") {
  // Rademacher steps of size 0.1 cannot climb against the double well's drift
  // (up to 0.385): every uphill velocity is infeasible, the cost infinite.
  std::shared_ptr<const model::System> sys = model::make_catalog_system("double_well_1d", {});
  const model::Hamiltonian h(model::Model{sys, model::make_rademacher_noise(Vec::Constant(1, 0.1))},
                             model::HamiltonianKind::kDiscrete);
  action::Options o;
  o.nodes = 21;
  const auto r = action::minimize_action(h, Vec::Constant(1, -1.0), Vec::Zero(1), o);
  CHECK(r.status == action::Status::kFailure);
  CHECK_THAT(r.message, Catch::Contains("inner problem"));
  // Infinite is infinite: not the 0 of a path never evaluated.
  CHECK(std::isinf(r.action));
  CHECK(r.action > 0);
  CHECK_THAT(r.message, Catch::Contains("infinite"));
  CHECK_FALSE(r.ok());
}

TEST_CASE("gMAM stopped short of the tolerance says stalled, with its residual", "[action]") {
  std::shared_ptr<const model::System> sys = model::make_catalog_system(
      "maier_stein", {{"beta", model::ParamValue::scalar(10.0)}, {"mu", model::ParamValue::scalar(1.0)}});
  const model::Hamiltonian h(model::with_system_diffusion(sys), model::HamiltonianKind::kLangevin);
  action::Options o;
  o.max_iterations = 5;
  o.restarts = false;
  Mat guess(2, 3);
  guess << -1, -0.5, 0, 0, 0.3, 0;
  const auto r = action::minimize_action(h, (Vec(2) << -1.0, 0.0).finished(), Vec::Zero(2), o, &guess);
  CHECK(r.status == action::Status::kStalled);
  CHECK_FALSE(r.ok());
  CHECK(r.residual > o.tolerance);
  CHECK(r.residual > 100 * r.rounding_floor);
  CHECK_THAT(r.message, Catch::Contains("stalled") && Catch::Contains("iteration cap 5"));
  CHECK(r.saddle_check == "not run");  // no check on a path that did not converge
  // The same start with the default cap converges.
  o.max_iterations = 0;
  const auto c = action::minimize_action(h, (Vec(2) << -1.0, 0.0).finished(), Vec::Zero(2), o, &guess);
  CHECK(c.status == action::Status::kConverged);
  CHECK(c.residual < o.tolerance);
}

TEST_CASE("gMAM with singular noise does not price a path by the part the noise can drive", "[action]") {
  // b = (-x, -y), D = diag(1, 0): y cannot rise, so (0, 0) -> (0.3, 0.5)
  // costs +inf. The Gaussian closed form with the singular D would price
  // only the x part (0.09) and call it converged; the velocity equation
  // H_p = lambda phi' fails at every node, and the run must say so.
  model::ExpressionSpec spec;
  spec.variables = {"x", "y"};
  spec.drift = {"-x", "-y"};
  std::shared_ptr<const model::System> sys = model::make_expression_system(spec);
  const model::Hamiltonian h(model::Model{sys, model::make_gaussian_noise((Mat(2, 2) << 1, 0, 0, 0).finished())},
                             model::HamiltonianKind::kLangevin);
  action::Options o;
  o.nodes = 51;
  const auto r = action::minimize_action(h, Vec::Zero(2), (Vec(2) << 0.3, 0.5).finished(), o);
  CHECK(r.status == action::Status::kFailure);
  CHECK_FALSE(r.ok());
  CHECK_THAT(r.message, Catch::Contains("singular") && Catch::Contains("velocity"));
  CHECK_FALSE(std::abs(r.action - 0.09) < 1e-3);
}
