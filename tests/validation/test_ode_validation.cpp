// Scientific checks of the ODE limits with predicted numbers.
#include <catch2/catch.hpp>

#include <cmath>

#include "fwkit/model/catalog.hpp"
#include "fwkit/model/expression.hpp"
#include "fwkit/model/noise_markov.hpp"
#include "ode/ode.hpp"
#include "ode/slow_fast.hpp"

using namespace fw;

TEST_CASE("van der Pol mu = 100: CVODE period against the large-mu expansion", "[ode][validation]") {
  // T = (3 - 2 ln 2) mu + 7.014 mu^(-1/3) + O(ln mu / mu): the next term is
  // about 0.05 at mu = 100, 3e-4 of T, inside the 0.1% asked for.
  const double mu = 100;
  auto vdp = model::make_catalog_system("van_der_pol", {{"mu", model::ParamValue::scalar(mu)}});
  const double predicted = (3 - 2 * std::log(2.0)) * mu + 7.014 * std::pow(mu, -1.0 / 3);
  double periods[2];
  int k = 0;
  for (ode::Method m : {ode::Method::kBdf, ode::Method::kRadau}) {
    ode::Options o;
    o.method = m;
    o.rtol = 1e-10;
    o.atol = 1e-12;
    o.outputs = 2;
    ode::Event up{"x up", [](double, const double* x) { return x[0]; }, +1, false};
    const auto r = ode::integrate(ode::from_system(*vdp), 0, 1200, (Vec(2) << 2.0, 0.0).finished(), o, {up});
    REQUIRE(r.ok());
    REQUIRE(r.events.size() >= 5);
    // Skip the transient: average the last three periods.
    const std::size_t n = r.events.size();
    const double period = (r.events[n - 1].t - r.events[n - 4].t) / 3;
    INFO(ode::to_string(m) << ": period " << period << " predicted " << predicted);
    CHECK(std::abs(period - predicted) / predicted < 1e-3);
    periods[k++] = period;
  }
  // The two backends agree far more closely than the expansion does.
  CHECK(std::abs(periods[0] - periods[1]) < 1e-6 * periods[0]);
}

TEST_CASE("slow-fast reduction of van der Pol: folds, jumps and the leading period", "[ode][validation]") {
  for (double mu : {10.0, 100.0}) {
    auto vdp = model::make_catalog_system("van_der_pol", {{"mu", model::ParamValue::scalar(mu)}});
    ode::SlowFastOptions o;
    o.x_min = -3;
    o.x_max = 3;
    const auto r = ode::analyze_slow_fast(*vdp, o);
    INFO(r.brief_report());
    REQUIRE(r.folds.size() == 2);
    // Critical manifold y = x - x^3/3: folds at x = +-1, y = +-2/3; the jump
    // from (+-1, +-2/3) lands where x - x^3/3 = +-2/3 again, at x = -+2.
    for (const auto& f : r.folds) {
      const double s = f.x > 0 ? 1 : -1;
      CHECK(std::abs(f.x - s) < 1e-10);
      CHECK(std::abs(f.y - s * 2.0 / 3) < 1e-10);
      REQUIRE(f.has_landing);
      CHECK(std::abs(f.x_landing + 2 * s) < 1e-10);
    }
    REQUIRE(r.has_cycle);
    CHECK(r.cycle.size() == 2);
    const double leading = (3 - 2 * std::log(2.0)) * mu;
    CHECK(std::abs(r.period - leading) / leading < 1e-6);
  }
}

TEST_CASE("no relaxation cycle when the reduced flow has a stable equilibrium", "[ode][validation]") {
  // Shifted slow equation y' = (x - 1.5)/mu: the attracting branch x > 1
  // carries a stable equilibrium at x = 1.5, so the drift stops.
  model::ExpressionSpec s;
  s.variables = {"x", "y"};
  s.drift = {"10*(x - x^3/3 - y)", "(x - 1.5)/10"};
  auto sys = model::make_expression_system(s);
  const auto r = ode::analyze_slow_fast(*sys, {});
  CHECK_FALSE(r.has_cycle);
}

TEST_CASE("averaged ODE of a two-state Markov drift matches its closed form", "[ode][validation]") {
  // Constant kernel [[1-a, a], [c, 1-c]] and h(x, y) = m_y - x: the averaged
  // drift is b(x) = m_bar - x with m_bar = pi . m, pi = (c, a)/(a + c), so
  // x(t) = m_bar + (x0 - m_bar) e^{-t}.
  const double a = 0.3, c = 0.1, m0 = 2.0, m1 = -1.0;
  const std::vector<std::string> vars{"x"};
  auto kernel = model::make_expression_field({{"1 - a", "a"}, {"c", "1 - c"}}, vars, {{"a", a}, {"c", c}}, "kernel");
  auto incr = model::make_expression_field({{"m0 - x"}, {"m1 - x"}}, vars, {{"m0", m0}, {"m1", m1}}, "increments");
  auto noise = model::make_markov_noise(kernel, incr, 1);
  model::MarkovAverageSystem avg(noise);
  ode::Options o;
  o.method = ode::Method::kDopri5;
  o.rtol = 1e-11;
  o.atol = 1e-13;
  o.outputs = 11;
  const auto r = ode::integrate(ode::from_system(avg), 0, 4, Vec::Constant(1, 3.0), o);
  REQUIRE(r.ok());
  const double mbar = (c * m0 + a * m1) / (a + c);
  for (std::size_t i = 0; i < r.t.size(); ++i)
    CHECK(r.x(0, i) == Approx(mbar + (3.0 - mbar) * std::exp(-r.t[i])).epsilon(1e-9));
}

#include "ode/tracking.hpp"

TEST_CASE("constant-step SGD tracks its ODE limit with error ~ sqrt(eta)", "[ode][validation]") {
  // Double well with Gaussian noise, started off equilibrium: over a fixed
  // horizon the sup distance to the ODE path is diffusive, ~ sqrt(eta).
  auto dw = model::make_catalog_system("double_well_2d", {});
  const model::Model m = model::with_system_diffusion(std::move(dw));
  ode::TrackingOptions o;
  o.step_sizes = {1e-3, 2e-3, 5e-3, 1e-2};
  o.horizon = 2;
  o.members = 200;
  o.seed = 2024;
  const auto r = ode::track_limit(m, (Vec(2) << 0.3, 0.8).finished(), o);
  INFO(r.brief_report());
  CHECK(r.slope > 0.4);
  CHECK(r.slope < 0.6);
  // Monotone in eta beyond a few standard errors.
  for (std::size_t i = 1; i < r.points.size(); ++i)
    CHECK(r.points[i].mean_distance - r.points[i - 1].mean_distance >
          3 * std::hypot(r.points[i].standard_error, r.points[i - 1].standard_error));
}
