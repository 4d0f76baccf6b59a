// Diffusion-model training: the science checks of `fwkit train`.
//  - A converged model on Gaussian data denoises like the closed form.
//  - Wu et al. (2025): at a fixed budget eta * steps, larger constant steps
//    memorize less and sit farther from the empirical-optimal score.
//  - Full-batch gradient descent sits at the edge of stability: its
//    sharpness settles at (not above) 2 / eta.
#include <catch2/catch.hpp>

#include <cmath>

#include "train/trainer.hpp"

using namespace fw;

namespace {

Mat four_points() {
  Mat data(1, 4);
  data << -1.5, -0.5, 0.5, 1.5;
  return data;
}

/// Mean-minus-mean in units of the combined standard error.
double z_score(const train::Estimate& a, const train::Estimate& b) {
  return (a.value - b.value) / std::hypot(a.standard_error, b.standard_error);
}

}  // namespace

TEST_CASE("a model trained on Gaussian data denoises like the Gaussian closed form", "[train][validation]") {
  // Data N(m, s^2): E[x0 | x_t = x] = m + alpha s^2 / (alpha^2 s^2 + sigma^2) (x - alpha m).
  const double m = 0.8, s = 0.5;
  const int n = 2000;
  Mat data(1, n);
  rng::Stream rng(42, 0);
  for (int i = 0; i < n; ++i) data(0, i) = m + s * rng.normal();
  train::Options o;
  o.width = 64;
  o.levels = 5;
  o.t_min = 0.05;
  o.t_max = 1;
  o.batch = 256;
  o.step.eta = 0.1;
  o.step.gamma = 0.7;  // Robbins–Monro: converge rather than fluctuate
  o.step.n0 = 2000;
  o.steps = 60000;
  o.stride = 60000;
  o.samples = 16;
  o.members = 2;
  o.design_draws = 1;
  o.threads = 2;
  const train::Result r = train::train(o, data);
  const train::ScoreNet net({1, o.levels, o.width, false});
  const train::Schedule& sc = r.schedule;
  // Evaluate on x ~ p_t, the Gaussian marginal N(alpha m, alpha^2 s^2 + sigma^2).
  rng::Stream eval(7, 0);
  for (const auto& member : r.members) {
    REQUIRE(member.diverged_at == -1);
    for (int k = 0; k < o.levels; ++k) {
      const double a = sc.alpha[static_cast<std::size_t>(k)], sg = sc.sigma[static_cast<std::size_t>(k)];
      const double sd_t = std::sqrt(a * a * s * s + sg * sg);
      const int points = 2000;
      train::Batch b{Mat(1, points), std::vector<int>(points, k), {}};
      for (int j = 0; j < points; ++j) b.x(0, j) = a * m + sd_t * eval.normal();
      Mat eps;
      net.predict(member.parameters, b, eps);
      const Mat star = train::empirical_optimal_eps(sc, data, b.x, b.level);
      double err2 = 0, floor2 = 0;
      for (int j = 0; j < points; ++j) {
        const double exact = m + a * s * s / (sd_t * sd_t) * (b.x(0, j) - a * m);
        err2 += std::pow((b.x(0, j) - sg * eps(0, j)) / a - exact, 2);
        floor2 += std::pow((b.x(0, j) - sg * star(0, j)) / a - exact, 2);
      }
      const double rms = std::sqrt(err2 / points), floor = std::sqrt(floor2 / points);
      // The posterior spread of x0 given x_t, the scale of the denoising problem.
      const double posterior_sd = s * sg / sd_t;
      INFO("level " << k << " t " << sc.t[static_cast<std::size_t>(k)] << " rms " << rms << " finite-sample floor " << floor
                    << " posterior sd " << posterior_sd << " ratio " << rms / posterior_sd);
      CHECK(rms < 0.1 * posterior_sd);
    }
  }
}

TEST_CASE("larger constant steps memorize less at a fixed budget eta * steps", "[train][validation]") {
  // Four training points in 1-D; eta over a decade with eta * steps = 3000.
  // The empirical-optimal score reproduces the four points exactly (see the
  // unit tests); a model that learns it memorizes. Wu et al. (2025): large
  // steps cannot settle in the sharp minima that fit it at small noise
  // levels, so memorization falls and the excess risk over eps* rises.
  train::Options o;
  o.width = 64;
  o.levels = 10;
  o.t_min = 1e-3;
  o.t_max = 4;
  o.batch = 32;
  o.samples = 200;
  o.design_draws = 8;
  o.radius = 0.05;
  o.members = 4;
  o.threads = 2;
  std::vector<train::Summary> s;
  for (double eta : {0.01, 0.0316, 0.1}) {
    o.step.eta = eta;
    o.steps = static_cast<std::int64_t>(std::llround(3000 / eta));
    o.stride = o.steps / 20;
    s.push_back(train::train(o, four_points()).summary);
    INFO("eta " << eta << "\n" << s.back().brief_report());
    CHECK(s.back().diverged == 0);
  }
  for (std::size_t i = 0; i + 1 < s.size(); ++i) {
    INFO("eta " << s[i].eta << " -> " << s[i + 1].eta << ": memorization " << s[i].memorization.value << " -> "
                << s[i + 1].memorization.value << ", excess risk " << s[i].excess_risk.value << " -> "
                << s[i + 1].excess_risk.value);
    // Each step up the ladder: a drop (rise) of more than three standard errors.
    CHECK(z_score(s[i].memorization, s[i + 1].memorization) > 3);
    CHECK(z_score(s[i + 1].excess_risk, s[i].excess_risk) > 3);
  }
  // Over the decade the memorization fraction at least halves.
  CHECK(s.back().memorization.value < 0.5 * s.front().memorization.value);
}

TEST_CASE("full-batch gradient descent settles at the edge of stability, sharpness 2 / eta", "[train][validation]") {
  // Linear stability of GD at a minimum needs lambda_max(Hess L) <= 2 / eta.
  // The loss sharpens as it trains (the small-step run below passes 2 / eta
  // of the larger steps), so the larger steps must select flatter regions and
  // hover at the edge: the sharpness over the last fifth of training lies
  // within 5% of 2 / eta and not above it by more than that.
  train::Options o;
  o.optimizer = train::Optimizer::kGd;
  o.sharpness = true;
  o.power_iterations = 30;
  o.width = 32;
  o.levels = 8;
  o.t_min = 0.01;
  o.t_max = 4;
  o.design_draws = 8;
  o.samples = 16;
  o.members = 2;
  o.threads = 2;
  o.window = 0.2;
  o.step.eta = 0.01;
  o.steps = 10000;
  o.stride = 500;
  const train::Summary small = train::train(o, four_points()).summary;
  INFO("eta 0.01: sharpness " << small.sharpness.value);
  CHECK(small.sharpness.value > 2 / 0.1);  // sharper than eta = 0.1 allows
  for (double eta : {0.1, 0.05}) {
    o.step.eta = eta;
    o.steps = static_cast<std::int64_t>(std::llround(1000 / eta));
    o.stride = o.steps / 20;
    const train::Result r = train::train(o, four_points());
    for (const auto& m : r.members) {
      REQUIRE(m.diverged_at == -1);
      for (std::size_t t = 16; t < m.sharpness.size(); ++t) {
        INFO("eta " << eta << " step " << r.monitor_steps[t] << " sharpness " << m.sharpness[t] << " 2/eta " << 2 / eta);
        CHECK(m.sharpness[t] <= 1.05 * 2 / eta);
        CHECK(m.sharpness[t] >= 0.95 * 2 / eta);
      }
    }
  }
}
