// Scientific checks of the simulation engine with predicted numbers: each
// prediction is computed here from theory or an independent computation, and
// compared with a tolerance of a few standard errors (fixed seeds).
#include <catch2/catch.hpp>

#include <cmath>
#include <numbers>

#include "fwkit/model/catalog.hpp"
#include "fwkit/model/expression.hpp"
#include "sim/collapse.hpp"
#include "sim/ensemble.hpp"

using namespace fw;

namespace {

/// psi(x) by upward recurrence to x >= 20 and the asymptotic series.
double digamma(double x) {
  double acc = 0;
  for (; x < 20; x += 1) acc -= 1 / x;
  const double i2 = 1 / (x * x);
  return acc + std::log(x) - 0.5 / x - i2 * (1.0 / 12 - i2 * (1.0 / 120 - i2 * (1.0 / 252 - i2 / 240)));
}

/// psi'(x) likewise.
double trigamma(double x) {
  double acc = 0;
  for (; x < 20; x += 1) acc += 1 / (x * x);
  const double i = 1 / x, i2 = i * i;
  return acc + i + 0.5 * i2 + i * i2 * (1.0 / 6 - i2 * (1.0 / 30 - i2 * (1.0 / 42 - i2 / 30)));
}

sim::Summary run_linear(double k, const sim::Options& o, double noise_var) {
  std::shared_ptr<const model::System> lin = model::make_catalog_system("linear", {{"A", {{-k}, 1, 1}}});
  const model::Model m{lin, model::make_gaussian_noise(Mat::Constant(1, 1, noise_var))};
  auto s = sim::EnsembleState::start(o, Vec::Zero(1));
  sim::advance(m, o, s, o.steps);
  return sim::summarize(o, s);
}

}  // namespace

TEST_CASE("special functions used by the predictions", "[sim][validation]") {
  CHECK(digamma(1.0) == Approx(-0.5772156649015329).epsilon(1e-13));
  CHECK(digamma(0.5) == Approx(-1.9635100260214235).epsilon(1e-13));
  CHECK(trigamma(1.0) == Approx(std::numbers::pi * std::numbers::pi / 6).epsilon(1e-13));
  CHECK(trigamma(0.5) == Approx(std::numbers::pi * std::numbers::pi / 2).epsilon(1e-13));
}

TEST_CASE("SGD on a quadratic: stationary variance with its exact discrete-time correction", "[sim][validation]") {
  // x_{n+1} = (1 - eta k) x_n + eta sigma xi: Var = eta sigma^2 / (2k (1 - eta k / 2)).
  // At eta k = 0.5 the correction is 4/3: far outside the error bars.
  const double k = 1.0, sigma2 = 2.0, eta = 0.5;
  sim::Options o;
  o.step.eta = eta;
  o.members = 400;
  o.steps = 5000;
  o.burn_in = 100;  // (1 - eta k)^100 ~ 1e-30
  o.seed = 2024;
  const auto s = run_linear(k, o, sigma2);
  const double predicted = eta * sigma2 / (2 * k * (1 - eta * k / 2));
  const double continuum = eta * sigma2 / (2 * k);
  INFO("variance " << s.variance[0].value << " +- " << s.variance[0].standard_error << ", predicted " << predicted);
  CHECK(std::abs(s.variance[0].value - predicted) < 4 * s.variance[0].standard_error);
  CHECK(std::abs(s.variance[0].value - continuum) > 20 * s.variance[0].standard_error);
  CHECK(std::abs(s.mean[0].value) < 4 * s.mean[0].standard_error);
}

TEST_CASE("Euler–Maruyama and ULA on a quadratic: their exact stationary variances", "[sim][validation]") {
  // EM: x' = (1 - h k) x + sqrt(eps h) xi  ->  Var = eps / (k (2 - h k)).
  // ULA on f = k x^2 / 2 at temperature T  ->  Var = 2 T / (k (2 - h k)).
  const double k = 2.0, h = 0.2;
  sim::Options o;
  o.step.eta = h;
  o.members = 300;
  o.steps = 4000;
  o.burn_in = 100;
  o.seed = 99;
  o.scheme = sim::Scheme::kLangevin;
  o.eps = 0.3;
  auto s = run_linear(k, o, 1.0);
  double predicted = o.eps / (k * (2 - h * k));
  CHECK(std::abs(s.variance[0].value - predicted) < 4 * s.variance[0].standard_error);

  auto quad = model::make_expression_system({{"x"}, {}, {}, "x^2", {}});  // k = 2
  const model::Model m{std::move(quad), model::make_gaussian_noise(Mat::Identity(1, 1))};
  o.scheme = sim::Scheme::kUla;
  o.temperature = 0.7;
  auto st = sim::EnsembleState::start(o, Vec::Zero(1));
  sim::advance(m, o, st, o.steps);
  s = sim::summarize(o, st);
  predicted = 2 * o.temperature / (k * (2 - h * k));
  CHECK(std::abs(s.variance[0].value - predicted) < 4 * s.variance[0].standard_error);
}

TEST_CASE("Gaussian refit: log variance is a random walk with digamma drift", "[sim][validation]") {
  // sigma^2_{t+1} = sigma^2_t chi^2_{N-1} / N: E log sigma^2_t = t [psi((N-1)/2) + log(2/N)],
  // Var log sigma^2_t = t psi'((N-1)/2). In d dimensions (Bartlett) the sums over i = 1..d of
  // psi((N-i)/2) + log(2/N) and psi'((N-i)/2).
  for (int d : {1, 2}) {
    sim::CollapseOptions o;
    o.samples = 10;
    o.generations = 40;
    o.members = 4000;
    o.seed = 5 + d;
    o.mean = Vec::Zero(d);
    o.covariance = Mat::Identity(d, d);
    const auto r = sim::run_collapse(o);
    double drift = 0, spread = 0;
    for (int i = 1; i <= d; ++i) {
      drift += digamma((o.samples - i) / 2.0) + std::log(2.0 / o.samples);
      spread += trigamma((o.samples - i) / 2.0);
    }
    for (int t : {1, 10, 40}) {
      const auto& e = r.log_det[t];
      INFO("d = " << d << ", t = " << t << ": " << e.value << " +- " << e.standard_error << " vs " << t * drift);
      CHECK(std::abs(e.value - t * drift) < 4 * e.standard_error);
      // The sample variance over members, against t psi': its relative
      // standard error is about sqrt(2 / M) for a near-Gaussian sum.
      const double var = e.standard_error * e.standard_error * static_cast<double>(o.members);
      CHECK(std::abs(var / (t * spread) - 1) < 4 * std::sqrt(2.0 / o.members) + 0.02);
    }
  }
}

TEST_CASE("Wright–Fisher resampling: homozygosity 1 - (1 - 1/N)^t", "[sim][validation]") {
  sim::CollapseOptions o;
  o.kind = sim::CollapseKind::kResample;
  o.samples = 20;
  o.generations = 60;
  o.members = 4000;
  o.seed = 17;
  o.mean = Vec::Zero(1);
  o.covariance = Mat::Identity(1, 1);
  const auto r = sim::run_collapse(o);
  for (int t : {1, 5, 20, 60}) {
    const double predicted = 1 - std::pow(1 - 1.0 / o.samples, t);
    const auto& e = r.homozygosity[t];
    INFO("t = " << t << ": " << e.value << " +- " << e.standard_error << " vs " << predicted);
    CHECK(std::abs(e.value - predicted) < 4 * e.standard_error);
  }
}

TEST_CASE("double-well SGD: occupation against the exact transfer operator of the chain", "[sim][validation]") {
  // x_{n+1} = x_n - eta f'(x_n) + eta sigma xi, f = (x^2 - 1)^2 / 4 - c x. The
  // chain's stationary law solves pi(y) = int pi(x) N(y; x - eta f'(x), eta^2 sigma^2) dx;
  // here by Nystrom (trapezoid on a fine grid) and power iteration. The test
  // then compares P(x > 0) with the simulated occupation of {x > 0}.
  const double c = 0.1, eta = 0.2, sigma = 1.0;
  auto fprime = [&](double x) { return x * x * x - x - c; };
  const int n = 1601;
  const double L = 4.0, h = 2 * L / (n - 1), s = eta * sigma;
  std::vector<double> grid(n), pi(n, 1.0 / (2 * L)), next(n);
  for (int i = 0; i < n; ++i) grid[i] = -L + i * h;
  Mat K(n, n);  // K(i, j): density of moving from grid[i] to grid[j], times the weight h
  for (int i = 0; i < n; ++i) {
    const double mu = grid[i] - eta * fprime(grid[i]);
    for (int j = 0; j < n; ++j) {
      const double z = (grid[j] - mu) / s;
      K(i, j) = std::exp(-0.5 * z * z) / (s * std::sqrt(2 * std::numbers::pi)) * h;
    }
  }
  Eigen::RowVectorXd p = Eigen::RowVectorXd::Constant(n, 1.0 / n);
  for (int it = 0; it < 5000; ++it) {
    Eigen::RowVectorXd q = p * K;
    q /= q.sum();
    const double change = (q - p).cwiseAbs().sum();
    p = q;
    if (change < 1e-15) break;
  }
  double right = 0;
  for (int i = 0; i < n; ++i) right += grid[i] > 0 ? p[i] : grid[i] == 0 ? 0.5 * p[i] : 0;

  std::shared_ptr<const model::System> dw =
      model::make_catalog_system("double_well_1d", {{"tilt", model::ParamValue::scalar(c)}});
  const model::Model m{dw, model::make_gaussian_noise(Mat::Constant(1, 1, sigma * sigma))};
  sim::Options o;
  o.step.eta = eta;
  o.members = 200;
  o.steps = 60000;
  o.burn_in = 1000;
  o.stride = 2;
  o.seed = 31;
  o.regions = {{"right", {}, 0, Vec::Constant(1, 0.0), Vec::Constant(1, INFINITY)}};
  auto st = sim::EnsembleState::start(o, Vec::Constant(1, -1.0));
  sim::advance(m, o, st, o.steps);
  const auto sum = sim::summarize(o, st);
  INFO("simulated " << sum.occupation[0].value << " +- " << sum.occupation[0].standard_error << ", transfer operator "
                    << right);
  CHECK(std::abs(sum.occupation[0].value - right) < 4 * sum.occupation[0].standard_error);
  // The continuum Gibbs law exp(-2 f / (eta sigma^2)) predicts a visibly
  // different number at this step size: the test can tell them apart.
  double gibbs_right = 0, gibbs_total = 0;
  for (int i = 0; i < n; ++i) {
    const double x = grid[i], f = (x * x - 1) * (x * x - 1) / 4 - c * x, w = std::exp(-2 * f / (eta * sigma * sigma));
    gibbs_total += w;
    if (x > 0) gibbs_right += w;
  }
  INFO("continuum Gibbs " << gibbs_right / gibbs_total);
  CHECK(std::abs(sum.occupation[0].value - gibbs_right / gibbs_total) > 4 * sum.occupation[0].standard_error);
}

TEST_CASE("error bars match the spread over independent seeds: slow mixing without burn-in, and occupation ratios",
          "[sim][validation]") {
  // SGD on f = k x^2 / 2 with eta k = 0.002: correlation time ~500 steps,
  // longer than a time batch (2000 steps / 20 batches), no burn-in. The
  // errors must come from whole members; and the log ratio of the left
  // (x < 0) to the right occupation, fractions that sum to one, needs their
  // covariance: Var log(fL / fR) = V_LL / fL^2 + V_RR / fR^2 - 2 V_LR / (fL fR).
  // Over K = 40 seeds the sample spread of an estimate has a relative error
  // 1 / sqrt(2 (K - 1)) = 11%: the mean reported error must agree with it
  // within 35% (3 of those).
  const double k = 0.02, eta = 0.1;
  sim::Options o;
  o.step.eta = eta;
  o.members = 40;
  o.steps = 2000;
  o.burn_in = 0;
  sim::Region left{"left", Vec(), 0, Vec::Constant(1, -1e9), Vec::Constant(1, 0.0)};
  sim::Region right{"right", Vec(), 0, Vec::Constant(1, 0.0), Vec::Constant(1, 1e9)};
  o.regions = {left, right};
  constexpr int kSeeds = 40;
  std::vector<double> means, mean_se, ratios, ratio_se;
  for (int seed = 0; seed < kSeeds; ++seed) {
    o.seed = 1000 + static_cast<std::uint64_t>(seed);
    std::shared_ptr<const model::System> lin = model::make_catalog_system("linear", {{"A", {{-k}, 1, 1}}});
    const model::Model m{lin, model::make_gaussian_noise(Mat::Constant(1, 1, 1.0))};
    auto st = sim::EnsembleState::start(o, Vec::Constant(1, 0.5));
    sim::advance(m, o, st, o.steps);
    const sim::Summary s = sim::summarize(o, st);
    REQUIRE_THAT(s.error_units, Catch::Contains("members"));
    means.push_back(s.mean[0].value);
    mean_se.push_back(s.mean[0].standard_error);
    const double fl = s.occupation[0].value, fr = s.occupation[1].value;
    const auto& v = s.occupation_covariance;  // 3 x 3: left, right, none
    ratios.push_back(std::log(fl / fr));
    ratio_se.push_back(std::sqrt(v[0] / (fl * fl) + v[4] / (fr * fr) - 2 * v[1] / (fl * fr)));
  }
  auto spread = [](const std::vector<double>& x) {
    double m = 0, ss = 0;
    for (double v : x) m += v;
    m /= static_cast<double>(x.size());
    for (double v : x) ss += (v - m) * (v - m);
    return std::sqrt(ss / static_cast<double>(x.size() - 1));
  };
  auto average = [](const std::vector<double>& x) {
    double m = 0;
    for (double v : x) m += v;
    return m / static_cast<double>(x.size());
  };
  INFO("mean: spread " << spread(means) << ", reported " << average(mean_se) << "; log ratio: spread "
                       << spread(ratios) << ", reported " << average(ratio_se));
  CHECK(average(mean_se) == Approx(spread(means)).epsilon(0.35));
  CHECK(average(ratio_se) == Approx(spread(ratios)).epsilon(0.35));
}

TEST_CASE("first passages from x0 are reported apart from exits, and censored sojourns are counted", "[sim][validation]") {
  // SGD on f = c x (constant drift -c) with noise sigma, from x0 = 1 in the
  // region x >= 0: x_n = x0 - n eta c + eta sigma S_n, so by Wald's identity
  // E T = (x0 - E x_T) / (eta c) with the overshoot -x_T within one step,
  // eta (c + 5 sigma) = 0.015 (5 sigma: all but 3e-7 of steps): E T = 100
  // steps to within 1.5%.
  const double c = 1.0, sigma = 0.1, eta = 0.01, x0 = 1.0;
  sim::Options o;
  o.step.eta = eta;
  o.members = 400;
  o.steps = 400;
  o.seed = 5;
  o.regions = {{"below", Vec(), 0, Vec::Constant(1, -50.0), Vec::Constant(1, 0.0)},
               {"above", Vec(), 0, Vec::Constant(1, 0.0), Vec::Constant(1, 50.0)}};
  auto run = [&](std::int64_t burn_in) {
    o.burn_in = burn_in;
    auto lin = model::make_expression_system({{"x"}, {}, {}, "x", {}});
    const model::Model m{std::move(lin), model::make_gaussian_noise(Mat::Constant(1, 1, sigma * sigma))};
    auto st = sim::EnsembleState::start(o, Vec::Constant(1, x0));
    sim::advance(m, o, st, o.steps);
    return sim::summarize(o, st);
  };
  const sim::Summary s = run(0);
  // Every member leaves "above" once, from x0: a first passage, no exit after an entry.
  CHECK(s.first_passage_count[1] == o.members);
  CHECK(s.exit_count[1] == 0);
  CHECK_FALSE(std::isfinite(s.mean_exit_steps[1].value));
  CHECK(s.right_censored_count[0] == o.members);  // all below at the end
  CHECK(s.right_censored_count[1] == 0);
  const double predicted = x0 / (eta * c);
  const auto& fp = s.mean_first_passage_steps[1];
  INFO("first passage " << fp.value << " +- " << fp.standard_error << ", predicted " << predicted);
  CHECK(std::abs(fp.value - predicted) < 4 * fp.standard_error + 0.015 * predicted);
  CHECK_THAT(s.brief_report(), Catch::Contains("first passage out of above") && Catch::Contains("no completed exit from above"));
  // With burn-in the members' entry is unknown: left-censored, in neither mean.
  const sim::Summary b = run(20);
  CHECK(b.left_censored_count[1] == o.members);
  CHECK(b.first_passage_count[1] == 0);
  CHECK(b.exit_count[1] == 0);
}
