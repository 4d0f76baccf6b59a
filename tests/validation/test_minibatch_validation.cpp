// Minibatch SGD through the block sampler against its exact stationary law.
//
// f_i(x) = a_i (x - u_i)^2 / 2 on n points: a step is the random linear map
// x' = (1 - eta A) x + eta C with (A, C) the batch means of (a_i, a_i u_i),
// drawn afresh each step, independent of x. Its stationary mean and second
// moment solve
//     m = E C / E A,
//     s = (2 eta E[(1 - eta A) C] m + eta^2 E C^2) / (1 - E (1 - eta A)^2),
// with the batch-mean moments Var A = sigma_a^2 / B (with replacement) or
// sigma_a^2 (n - B) / ((n - 1) B) (without), and likewise for Cov(A, C), Var C.
// Every number is computed here from the data; the simulation's error bars
// are its batch-means standard errors.
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "fwkit/model/expression.hpp"
#include "fwkit/model/noise.hpp"
#include "sim/ensemble.hpp"

using namespace fw;

namespace {

const std::vector<double> kA = {0.5, 1.0, 1.5, 2.0, 0.8, 1.2};
const std::vector<double> kU = {-1.0, 0.5, 2.0, -0.3, 1.0, 0.0};

struct Moments {
  double mean, variance;
};

/// The exact stationary mean and variance of the recursion.
Moments predicted(double eta, int batch, bool replacement) {
  const double n = static_cast<double>(kA.size());
  double abar = 0, cbar = 0;
  for (std::size_t i = 0; i < kA.size(); ++i) {
    abar += kA[i] / n;
    cbar += kA[i] * kU[i] / n;
  }
  double vaa = 0, vac = 0, vcc = 0;  // population (1/n) moments
  for (std::size_t i = 0; i < kA.size(); ++i) {
    const double da = kA[i] - abar, dc = kA[i] * kU[i] - cbar;
    vaa += da * da / n;
    vac += da * dc / n;
    vcc += dc * dc / n;
  }
  const double f = replacement ? 1.0 / batch : (n - batch) / ((n - 1) * batch);
  const double ea2 = abar * abar + f * vaa, eac = abar * cbar + f * vac, ec2 = cbar * cbar + f * vcc;
  const double m = cbar / abar;
  const double contraction = 1 - 2 * eta * abar + eta * eta * ea2;  // E (1 - eta A)^2
  const double s = (2 * eta * (cbar - eta * eac) * m + eta * eta * ec2) / (1 - contraction);
  return {m, s - m * m};
}

sim::Summary simulate(double eta, int batch, bool replacement) {
  model::FiniteSumSpec spec;
  spec.variables = {"x"};
  spec.component = "0.5*a*(x - u)^2";
  spec.data = {{"a", kA}, {"u", kU}};
  std::shared_ptr<const model::System> fs = model::make_finite_sum_system(spec);
  const model::Model m{fs, model::make_minibatch_noise(fs, batch, replacement)};
  sim::Options o;
  o.step.eta = eta;
  o.members = 1000;
  o.steps = 12000;
  o.burn_in = 200;  // contraction^100 < 1e-20 here
  o.stride = 2;
  o.batches = 20;
  o.seed = 515;
  o.block = 96;
  auto s = sim::EnsembleState::start(o, Vec::Zero(1));
  sim::advance(m, o, s, o.steps);
  return sim::summarize(o, s);
}

}  // namespace

TEST_CASE("minibatch SGD: stationary mean and variance of the exact random linear recursion",
          "[sim][validation][minibatch]") {
  const double eta = 0.4;
  const int batch = 2;
  for (bool replacement : {true, false}) {
    const Moments p = predicted(eta, batch, replacement);
    const Moments other = predicted(eta, batch, !replacement);
    const sim::Summary s = simulate(eta, batch, replacement);
    REQUIRE(s.blown == 0);
    const auto& v = s.variance[0];
    INFO((replacement ? "with" : "without") << " replacement: variance " << v.value << " +- " << v.standard_error
                                            << ", predicted " << p.variance << " (the other scheme " << other.variance
                                            << "); mean " << s.mean[0].value << " +- " << s.mean[0].standard_error
                                            << ", predicted " << p.mean);
    CHECK(std::abs(v.value - p.variance) < 4 * v.standard_error);
    CHECK(std::abs(s.mean[0].value - p.mean) < 4 * s.mean[0].standard_error);
    // The test can tell the two samplers apart: the finite-population
    // factor (n - B) / (n - 1) = 0.8 moves the variance by many error bars.
    CHECK(std::abs(v.value - other.variance) > 10 * v.standard_error);
  }
}
