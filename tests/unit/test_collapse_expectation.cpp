// The exact expected statistics of collapse chains (compare/collapse_expectation.hpp):
// closed forms without fresh data, and the stationary values with it solved
// independently of the recursion.
#include <catch2/catch.hpp>

#include <cmath>

#include "compare/collapse_expectation.hpp"
#include "sim/collapse.hpp"
#include "fwkit/core/types.hpp"

using namespace fw;

TEST_CASE("collapse expectation: closed forms without fresh data", "[compare]") {
  const int N = 20, T = 40;
  compare::CollapseChain refit{false, N, 0.0, true, 2, 0.75, std::log(0.41)};
  const auto e = compare::collapse_expectation(refit, T);
  REQUIRE(e.variance.size() == T + 1);
  for (int t : {0, 1, 7, T}) CHECK(e.variance[t] == Approx(0.75 * std::pow(1 - 1.0 / N, t)).epsilon(1e-12));
  // Wishart drift for d = 2, N = 20: psi(9.5) + psi(9) + 2 log(0.1), digamma
  // values from psi(n + 1/2) = -gamma - 2 ln 2 + sum_{k<=n} 2 / (2k - 1) and
  // psi(n) = -gamma + sum_{k<n} 1 / k.
  const double gamma = 0.57721566490153286;
  double psi95 = -gamma - 2 * std::log(2.0), psi9 = -gamma;
  for (int k = 1; k <= 9; ++k) psi95 += 2.0 / (2 * k - 1);
  for (int k = 1; k < 9; ++k) psi9 += 1.0 / k;
  const double drift = psi95 + psi9 + 2 * std::log(0.1);
  CHECK(e.log_det[T] == Approx(std::log(0.41) + T * drift).epsilon(1e-12));
  CHECK(e.homozygosity.empty());
  // The mean's spread: a random walk with steps of variance v_t / N.
  double s = 0;
  for (int t = 0; t < 5; ++t) s += e.variance[t] / N;
  CHECK(e.mean_square[5] == Approx(s).epsilon(1e-12));

  compare::CollapseChain wf{true, N, 0.0, true, 1, 1.0, 0.0};
  const auto h = compare::collapse_expectation(wf, T);
  for (int t : {0, 1, 10, T}) {
    CHECK(h.homozygosity[t] == Approx(1 - std::pow(1 - 1.0 / N, t)).margin(1e-14));
    CHECK(h.variance[t] == Approx((1 - 1.0 / N) * std::pow(1 - 1.0 / N, t)).epsilon(1e-12));
  }
  CHECK(h.log_det.empty());
}

TEST_CASE("collapse expectation: fresh data stops the collapse at the linear fixed point", "[compare]") {
  const int N = 25, k = 5;
  const double n = N, v0 = 1.3;
  for (bool resample : {false, true}) {
    const auto e = compare::collapse_expectation({resample, N, k / n, false, 1, v0, 0.0}, 2000);
    // Fixed point of v = [(1-1/N)(k v0 + (N-k) v) + k (N-k)/N s] / N,
    //                   s = ((N-k)/N)^2 s + (k v0 + (N-k) v) / N^2, solved as a 2x2 system.
    Mat A(2, 2);
    Vec b(2);
    A << 1 - (1 - 1 / n) * (n - k) / n, -k * (n - k) / (n * n), -(n - k) / (n * n), 1 - (n - k) * (n - k) / (n * n);
    b << (1 - 1 / n) * k * v0 / n, k * v0 / (n * n);
    const Vec fixed = A.fullPivLu().solve(b);
    CHECK(e.variance.back() == Approx(fixed[0]).epsilon(1e-10));
    CHECK(e.mean_square.back() == Approx(fixed[1]).epsilon(1e-10));
    CHECK(e.variance.back() < v0);  // still a loss, but bounded away from 0
    CHECK(e.log_det.empty());
    if (resample) {
      const double both = (n - k) * (n - k - 1) / (n * (n - 1));
      CHECK(e.homozygosity.back() == Approx(both / n / (1 - both * (1 - 1 / n))).epsilon(1e-10));
    }
  }
  // All fresh: every generation is a new sample of the original law.
  const auto all = compare::collapse_expectation({false, N, 1.0, true, 1, v0, 0.0}, 3);
  CHECK(all.variance[2] == Approx((1 - 1 / n) * v0));
}

TEST_CASE("collapse expectation: bad chains are refused", "[compare]") {
  CHECK_THROWS_WITH(compare::collapse_expectation({false, 1, 0.0, true, 1, 1, 0}, 5), Catch::Contains("samples = 1"));
  CHECK_THROWS_WITH(compare::collapse_expectation({false, 10, 1.1, true, 1, 1, 0}, 5), Catch::Contains("alpha = 1.1"));
  CHECK_THROWS_WITH(compare::collapse_expectation({false, 3, 0.0, true, 3, 1, 0}, 5), Catch::Contains("singular"));
}

TEST_CASE("collapse chains draw Binomial(N, alpha) fresh points by default, round(alpha N) when told", "[compare][sim]") {
  // N = 10, alpha = 0.25: k = round(2.5) = 3 exactly, or Binomial(10, 0.25)
  // with mean 2.5. The stationary homozygosity b / N / (1 - b (1 - 1/N)),
  // b = E[j (j - 1)] / (N (N - 1)), j = N - k: 0.1139 (Binomial: b = q^2,
  // q = 0.75) against 0.0805 (exact: b = 7 6 / 90), 40 standard errors apart.
  sim::CollapseOptions o;
  o.kind = sim::CollapseKind::kResample;
  o.samples = 10;
  o.generations = 60;
  o.members = 4000;
  o.alpha = 0.25;
  o.mean = Vec::Zero(1);
  o.covariance = Mat::Identity(1, 1);
  o.seed = 11;
  for (bool exact : {false, true}) {
    o.exact_fresh = exact;
    const auto r = sim::run_collapse(o);
    const double n = 10, b = exact ? 42.0 / 90.0 : 0.5625;
    const double stationary = b / n / (1 - b * (1 - 1 / n));
    const auto e = compare::collapse_expectation({true, 10, 0.25, !exact, 1, 1.0, 0.0}, o.generations);
    const auto& h = r.homozygosity.back();
    INFO((exact ? "exact" : "binomial") << ": simulated " << h.value << " +- " << h.standard_error << ", expected "
                                        << e.homozygosity.back() << ", stationary " << stationary);
    CHECK(e.homozygosity.back() == Approx(stationary).epsilon(1e-6));  // 60 generations: converged
    CHECK(std::abs(h.value - e.homozygosity.back()) < 4 * h.standard_error);
  }
}

TEST_CASE("Gaussian refit chains report when they collapse", "[sim]") {
  // Without fresh data E tr Sigma_t = tr Sigma_0 (1 - 1/N)^t: with N = 5 the
  // variance falls below 1e-3 of its start within ~100 generations for most
  // members (log-normal spread); with N = 20 and half the data fresh it
  // settles near the fixed point (~0.65 of the start) and never does.
  sim::CollapseOptions o;
  o.samples = 5;
  o.generations = 400;
  o.members = 200;
  o.mean = Vec::Zero(1);
  o.covariance = Mat::Identity(1, 1);
  const auto r = sim::run_collapse(o);
  int collapsed = 0;
  for (auto t : r.collapse_generation) collapsed += t > 0;
  CHECK(collapsed == o.members);
  o.alpha = 0.5;
  o.samples = 20;
  const auto f = sim::run_collapse(o);
  for (auto t : f.collapse_generation) CHECK(t == -1);
}
