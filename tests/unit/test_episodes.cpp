// Unit checks of the episode predictions' building blocks
// (solvers/compare/episodes.hpp): the first-passage quadrature against closed
// forms with its observed order, and the relaxation cycle against its eps -> 0
// limit.
#include <catch2/catch.hpp>

#include <cmath>
#include <numbers>

#include "compare/episodes.hpp"
#include "fwkit/model/expression.hpp"

using namespace fw;

TEST_CASE("mean first passage: constant drift and free diffusion, second order", "[compare]") {
  // Constant drift c towards the target: M = distance / c (the far end,
  // 8 away, changes it by exp(-2 c 8 / D) ~ 1e-14). Free diffusion with a
  // reflecting end at distance L: M = (2 / D) (L u - u^2 / 2).
  const double D = 0.5, c = 0.8;
  auto toward_lower = [&](double) { return -c; };
  auto toward_upper = [&](double) { return c; };
  auto free = [](double) { return 0.0; };
  // The trapezoid rule is exact for free diffusion (linear inner integral,
  // linear outer integrand), including the interpolated last cell.
  const double u0 = 0.7, L = u0 + 1.3;
  CHECK(compare::mean_first_passage(free, 0.2 + u0, 0.2, D, 1.3, 101) ==
        Approx(2 / D * (L * u0 - u0 * u0 / 2)).epsilon(1e-12));
  // Constant drift: exponential integrands, second order in the node spacing
  // (the start point inside a cell for these counts), either direction.
  double previous = 0;
  for (int nodes : {201, 401, 801}) {
    const double err_lower = std::abs(compare::mean_first_passage(toward_lower, 1.0, -0.5, D, 8, nodes) - 1.5 / c);
    const double err_upper = std::abs(compare::mean_first_passage(toward_upper, -0.3, 0.2, D, 8, nodes) - 0.5 / c);
    CHECK(err_upper < 2 * err_lower);
    if (previous > 0) {
      const double order = std::log2(previous / err_lower);
      INFO("nodes " << nodes << " error " << err_lower << " order " << order);
      CHECK(order > 1.8);
    }
    previous = err_lower;
  }
  CHECK(compare::mean_first_passage(free, 0.2, 0.2, D, 1.0, 101) == 0);
}

TEST_CASE("mean first passage: Kramers' rate for a high barrier", "[compare]") {
  // f = x - x^3 (U = x^4/4 - x^2/2): from the well at 1 past the barrier at 0
  // to -1, M ~ 2 pi / sqrt(U''(1) |U''(0)|) e^{2 dU / D} = sqrt(2) pi e^{1/(2D)}
  // as D -> 0, the relative correction O(D).
  auto f = [](double x) { return x - x * x * x; };
  double previous_gap = 1;
  for (double D : {0.05, 0.025}) {
    const double kramers = std::sqrt(2.0) * std::numbers::pi * std::exp(0.5 / D);
    const double m = compare::mean_first_passage(f, 1.0, -1.0, D, 3, 20001);
    // The target -1 lies as far past the barrier as the start before it, so
    // M counts committed escapes: M = kramers (1 + O(D)).
    const double gap = std::abs(m / kramers - 1);
    INFO("D " << D << " M " << m << " Kramers " << kramers << " relative gap " << gap);
    CHECK(gap < 1.5 * D);
    CHECK(gap < previous_gap / 1.6);  // O(D): halves with D
    previous_gap = gap;
  }
}

TEST_CASE("relaxation cycle: eps T(eps) -> the leading-order half period, order 2/3", "[compare]") {
  // x' = x - x^3 + y, y' = -eps x: the slow segment from the landing point
  // 2/sqrt(3) to the fold 1/sqrt(3) takes (3/2 - ln 2) / eps (slow_fast.hpp);
  // the delay past the fold is O(eps^{2/3}) in y, so eps T - (3/2 - ln 2)
  // falls like eps^{2/3} (the thresholds and the transit add O(eps)).
  std::shared_ptr<const model::System> sys{
      model::make_expression_system({{"x", "y"}, {}, {"x - x^3 + y", "-x"}, "", {}})};
  compare::EpisodeProblem p;
  p.system = sys.get();
  p.step = 0.01;
  p.lower = -0.6;
  p.upper = 0.6;
  const double limit = 1.5 - std::log(2.0);
  double previous = 0;
  for (double eps : {1e-2, 1e-3, 1e-4}) {
    p.timescale = eps;
    compare::EpisodeOptions o;
    o.dt = 0.02;
    const auto r = compare::deterministic_episodes(p, 0.4, o);
    REQUIRE(r.converged);
    // The cycle is symmetric: both branches take the same time.
    CHECK(r.upper.mean_time == Approx(r.lower.mean_time).epsilon(1e-6));
    CHECK(r.upper.mean_y_end == Approx(-r.lower.mean_y_end).epsilon(1e-6));
    const double err = eps * r.mean_time - limit;
    CHECK(err > 0);  // the delayed jump makes the cycle longer
    if (previous > 0) {
      const double order = std::log10(previous / err);
      INFO("eps " << eps << " eps T " << eps * r.mean_time << " excess " << err << " order " << order);
      CHECK(order > 0.55);
      CHECK(order < 0.8);
    }
    previous = err;
  }
}

TEST_CASE("episode problems: bad input named", "[compare]") {
  std::shared_ptr<const model::System> sys{
      model::make_expression_system({{"x", "y"}, {}, {"x - x^3 + y", "-x"}, "", {}})};
  compare::EpisodeProblem p;
  p.system = sys.get();
  p.step = 0.01;
  p.timescale = 0.02;
  p.lower = 0.6;
  p.upper = -0.6;
  CHECK_THROWS_WITH(compare::deterministic_episodes(p, 0.4), Catch::Contains("lower = 0.6"));
  p.lower = -0.6;
  p.upper = 0.6;
  CHECK_THROWS_WITH(compare::hazard_episodes(p, 0.4), Catch::Contains("needs noise"));
  p.timescale = 0;
  CHECK_THROWS_WITH(compare::deterministic_episodes(p, 0.4), Catch::Contains("simulate.timescale = 0"));
}
