// Memorization episodes in two-time-scale SGD (solvers/compare/episodes.hpp)
// against the simulation engine: the deterministic relaxation cycle is the
// low-noise limit, and the adiabatic hazard prediction becomes exact as the
// time scales separate (eps -> 0 at fixed step a).
#include <catch2/catch.hpp>

#include <cmath>

#include "compare/episodes.hpp"
#include "fwkit/model/expression.hpp"
#include "fwkit/model/noise.hpp"
#include "sim/ensemble.hpp"

using namespace fw;

namespace {

struct Simulated {
  double mean_time, standard_error;
};

/// Mean episode length (clock time) of x_{n+1} = x_n + a (x - x^3 + y + Z^x),
/// y_{n+1} = y_n + a eps (-x), Var Z^x = variance, between x >= 0.6 and x <= -0.6.
Simulated simulate(const std::shared_ptr<const model::System>& sys, double a, double eps, double variance,
                   std::int64_t members, std::int64_t steps, std::uint64_t seed) {
  Mat cov = Mat::Zero(2, 2);
  cov(0, 0) = variance;
  const model::Model m{sys, model::make_gaussian_noise(cov)};
  sim::Options o;
  o.step.eta = a;
  o.slow = {1};
  o.timescale = eps;
  o.members = members;
  o.steps = steps;
  o.stride = 1;
  o.seed = seed;
  o.regions = {{"lower", {}, 0, Vec::Constant(2, -10.0), (Vec(2) << -0.6, 10.0).finished()},
               {"upper", {}, 0, (Vec(2) << 0.6, -10.0).finished(), Vec::Constant(2, 10.0)}};
  auto st = sim::EnsembleState::start(o, (Vec(2) << 1.0, 0.0).finished());
  sim::advance(m, o, st, o.steps);
  const auto sum = sim::summarize(o, st);
  // Both directions averaged (the model is symmetric).
  REQUIRE(sum.mean_exit_steps.size() == 2);
  const auto& lo = sum.mean_exit_steps[0];
  const auto& up = sum.mean_exit_steps[1];
  const double mean = 0.5 * (lo.value + up.value);
  const double se = 0.5 * std::hypot(lo.standard_error, up.standard_error);
  return {a * mean, a * se};
}

}  // namespace

TEST_CASE("episodes: the relaxation cycle is the low-noise limit of SGD", "[compare][validation]") {
  std::shared_ptr<const model::System> sys{
      model::make_expression_system({{"x", "y"}, {}, {"x - x^3 + y", "-x"}, "", {}})};
  compare::EpisodeProblem p{sys.get(), 0, 1, 0.02, 0.01, 1e-4, -0.6, 0.6};
  const auto det = compare::deterministic_episodes(p, 0.4);
  REQUIRE(det.converged);
  const auto sim = simulate(sys, 0.01, 0.02, 1e-4, 16, 60000, 3);
  // The SGD recursion is Euler's method with step a on the ODE limit: the
  // cycle time moves by O(a) relative (0.5% of 52 here at most); the noise
  // (clock-time variance 1e-6) shifts the jump by far less.
  INFO("deterministic " << det.mean_time << ", simulated " << sim.mean_time << " +- " << sim.standard_error);
  CHECK(std::abs(sim.mean_time / det.mean_time - 1) < 0.005);
}

TEST_CASE("episodes: the adiabatic hazard prediction becomes exact as eps -> 0", "[compare][validation]") {
  std::shared_ptr<const model::System> sys{
      model::make_expression_system({{"x", "y"}, {}, {"x - x^3 + y", "-x"}, "", {}})};
  const double a = 0.05;
  double previous_gap = 0;
  for (double eps : {0.02, 0.002}) {
    compare::EpisodeProblem p{sys.get(), 0, 1, eps, a, 1.0, -0.6, 0.6};
    compare::EpisodeOptions o;
    o.dt = 0.02;
    o.nodes = 800;
    const auto hazard = compare::hazard_episodes(p, 0.3, o);
    const auto det = compare::deterministic_episodes(p, 0.4, o);
    REQUIRE(hazard.converged);
    const std::int64_t steps = static_cast<std::int64_t>(8 * det.mean_time / a);
    const auto sim = simulate(sys, a, eps, 1.0, 200, steps, 7);
    const double gap = std::abs(sim.mean_time / hazard.mean_time - 1);
    INFO("eps " << eps << ": hazard " << hazard.mean_time << ", deterministic " << det.mean_time << ", simulated "
                << sim.mean_time << " +- " << sim.standard_error << ", relative gap " << gap);
    // Noise makes episodes shorter than the deterministic cycle: memorization
    // ends earlier.
    CHECK(sim.mean_time < det.mean_time - 10 * sim.standard_error);
    // The adiabatic approximation's error (the fast law lagging the moving
    // barrier, the slow variable's spread) vanishes as eps -> 0; over a decade
    // it must shrink at least as fast as eps^{1/3} (a factor 2.15). Measured:
    // 7.0% at eps = 0.02, 1.3% at 0.002 (standard errors 0.3% and 0.3%).
    if (previous_gap > 0) {
      CHECK(gap < previous_gap / 2);
      CHECK(gap < 0.03);
    }
    previous_gap = gap;
  }
}
