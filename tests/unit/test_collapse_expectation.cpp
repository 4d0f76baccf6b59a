// The exact expected statistics of collapse chains (compare/collapse_expectation.hpp):
// closed forms without fresh data, and the stationary values with it solved
// independently of the recursion.
#include <catch2/catch.hpp>

#include <cmath>

#include "compare/collapse_expectation.hpp"
#include "fwkit/core/types.hpp"

using namespace fw;

TEST_CASE("collapse expectation: closed forms without fresh data", "[compare]") {
  const int N = 20, T = 40;
  compare::CollapseChain refit{false, N, 0, 2, 0.75, std::log(0.41)};
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

  compare::CollapseChain wf{true, N, 0, 1, 1.0, 0.0};
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
    const auto e = compare::collapse_expectation({resample, N, k, 1, v0, 0.0}, 2000);
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
  const auto all = compare::collapse_expectation({false, N, N, 1, v0, 0.0}, 3);
  CHECK(all.variance[2] == Approx((1 - 1 / n) * v0));
}

TEST_CASE("collapse expectation: bad chains are refused", "[compare]") {
  CHECK_THROWS_WITH(compare::collapse_expectation({false, 1, 0, 1, 1, 0}, 5), Catch::Contains("samples = 1"));
  CHECK_THROWS_WITH(compare::collapse_expectation({false, 10, 11, 1, 1, 0}, 5), Catch::Contains("fresh points = 11"));
  CHECK_THROWS_WITH(compare::collapse_expectation({false, 3, 0, 3, 1, 0}, 5), Catch::Contains("singular"));
}
