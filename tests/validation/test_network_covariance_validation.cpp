// A 2-4-1 tanh network with weight decay on the shipped 300-point data set:
// analyze finds its minima by minimising first (copies under the network's
// symmetries at one loss), and the stationary covariance of minibatch SGD
// that the discrete Lyapunov equation predicts there matches a simulation
// at a small step within a few standard errors, coordinate by coordinate.
#include <catch2/catch.hpp>

#include <cmath>

#include "analyze/equilibria.hpp"
#include "analyze/sgd_covariance.hpp"
#include "fwkit/config/config.hpp"
#include "fwkit/config/model_config.hpp"
#include "sim/ensemble.hpp"

using namespace fw;

namespace {

model::Model network() {
  const std::string text = std::string(R"toml(
[model.system]
kind = "finite_sum"
variables = ["W[4,2]", "b[4]", "v[4]", "c"]
component = "0.5*(y - c - sum(i = 1:4, v[i]*tanh(W[i,1]*x1 + W[i,2]*x2 + b[i])))^2 + 0.5*wd*(sum(i = 1:4, W[i,1]^2 + W[i,2]^2 + b[i]^2 + v[i]^2) + c^2)"
[model.parameters]
wd = 0.01
[model.system.data]
file = ")toml") + FWKIT_SOURCE_DIR + R"toml(/data/reference/two_layer_regression.csv"
[model.noise]
kind = "minibatch"
batch = 10
)toml";
  const config::Config cfg = config::Config::from_string(text, "network");
  return config::build_model(cfg.root().table("model"));
}

/// The state with hidden units i and j swapped and unit k's sign flipped
/// (W, b, v of a unit -> -W, -b, -v leaves v tanh(W x + b) unchanged).
Vec permuted(const Vec& x, int i, int j, int k) {
  Vec y = x;
  auto unit = [](int u) { return std::vector<int>{2 * u, 2 * u + 1, 8 + u, 12 + u}; };  // W[u,1], W[u,2], b[u], v[u]
  const auto ui = unit(i), uj = unit(j);
  for (int q = 0; q < 4; ++q) std::swap(y[ui[q]], y[uj[q]]);
  for (int q : unit(k)) y[q] = -y[q];
  return y;
}

}  // namespace

TEST_CASE("a tanh network with weight decay: minima found by minimising, their copies, and SGD's covariance",
          "[sim][validation][lyapunov][minibatch][analyze]") {
  const model::Model m = network();
  REQUIRE(m.dim() == 17);
  analyze::Options o;
  o.lower.assign(17, -3);
  o.upper.assign(17, 3);
  o.starts = 16;
  o.newton = false;
  const analyze::Result r = analyze::find_equilibria(*m.system, o);
  REQUIRE(r.count(analyze::Stability::kStable) >= 2);
  // The deepest minimum; the symmetry maps it to another exact minimum.
  const auto best = std::min_element(r.equilibria.begin(), r.equilibria.end(), [](const auto& a, const auto& b) {
    return a.stability == analyze::Stability::kStable && (b.stability != analyze::Stability::kStable || a.loss < b.loss);
  });
  REQUIRE(best->stability == analyze::Stability::kStable);
  const Vec copy = permuted(best->x, 0, 3, 1);
  CHECK(m.system->drift_at(copy).norm() < 1e-8);
  CHECK(m.system->loss(copy.data()) == Approx(best->loss).epsilon(1e-13));
  CHECK(best->hessian_eigenvalues.minCoeff() > 0);

  analyze::Result one;
  one.equilibria.push_back(*best);
  const double eta = 0.02;
  const auto prediction = analyze::predict_sgd_covariance(m, one, eta).at(0);
  REQUIRE(prediction.converged);
  const Vec predicted = prediction.covariance.diagonal();

  sim::Options so;
  so.step.eta = eta;
  so.members = 200;
  so.steps = 150000;
  so.burn_in = 30000;  // 3 e-folds of the slowest mode, 1 / (eta lambda_min) ~ 1.3e4 steps
  so.stride = 10;
  so.batches = 20;
  so.seed = 2026;
  auto state = sim::EnsembleState::start(so, best->x);
  sim::advance(m, so, state, so.steps);
  const sim::Summary s = sim::summarize(so, state);
  int live = 0;
  for (int k = 0; k < 17; ++k) {
    const auto& v = s.variance[static_cast<std::size_t>(k)];
    INFO(m.system->variable_names()[static_cast<std::size_t>(k)]
         << ": simulated variance " << v.value << " +- " << v.standard_error << ", predicted " << predicted[k]);
    if (predicted[k] < 1e-12 * predicted.maxCoeff()) {
      // A unit that weight decay switched off has no gradient noise: it
      // stays off under SGD too.
      CHECK(v.value < 1e-12 * predicted.maxCoeff());
      continue;
    }
    ++live;
    CHECK(std::abs(v.value - predicted[k]) < 4 * v.standard_error);
  }
  CHECK(live >= 5);
}
