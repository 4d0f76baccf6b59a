// The inner problem of gMAM: p_hat on {H = 0} with H_p = lambda v.
#include <catch2/catch.hpp>

#include "action/gmam.hpp"
#include "fwkit/model/catalog.hpp"
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
      CHECK_FALSE(action::optimal_momentum(h, x, -(inc.col(0) + inc.col(1)), p, lambda));
    }
    Vec p;
    double lambda = -1;
    REQUIRE(action::optimal_momentum(h, x, v, p, lambda));
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
}
