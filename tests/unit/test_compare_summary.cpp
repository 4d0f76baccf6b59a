// Simulated episode statistics (compare/episode_sample.hpp) and the
// predicted-against-observed rows (compare/summary.hpp).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

#include "compare/episode_sample.hpp"
#include "compare/least_squares.hpp"
#include "compare/summary.hpp"

using namespace fw;

TEST_CASE("episode sample: the ratio estimator, first episodes and censored starts left out", "[compare]") {
  // Two members alternating between regions 0 and 1; member 1 has one
  // censored entry (start_step < 0).
  const std::vector<std::int64_t> member{0, 0, 0, 0, 0, 1, 1, 1, 1};
  const std::vector<std::int64_t> from{0, 1, 0, 1, 0, 0, 1, 0, 0};
  const std::vector<std::int64_t> to{1, 0, 1, 0, 1, 1, 0, 1, 1};
  const std::vector<std::int64_t> start{0, 10, 30, 60, 80, -1, 40, 50, 90};
  const std::vector<std::int64_t> end{10, 30, 60, 80, 100, 40, 50, 90, 120};
  const compare::TransitionColumns t{member, from, to, start, end};
  SECTION("all episodes from 0 to 1") {
    const auto s = compare::episode_sample(t, 0, 1, false);
    // Kept: member 0: 10, 30, 20; member 1: (censored), 40, 30.
    REQUIRE(s.steps.size() == 5);
    CHECK(s.dropped == 1);
    CHECK(s.members == 2);
    CHECK(s.mean_steps == Approx((10 + 30 + 20 + 40 + 30) / 5.0));
    // Clusters: S_0 = 60 (3), S_1 = 70 (2); mean 26; residuals -18, +18.
    const double expected = std::sqrt(2.0 / 1.0 * (18.0 * 18.0 + 18.0 * 18.0)) / 5.0;
    CHECK(s.standard_error == Approx(expected));
  }
  SECTION("first episode of each member dropped") {
    const auto s = compare::episode_sample(t, 0, 1, true);
    // Member 0 loses 10; member 1 loses its censored first one: 30, 20, 40, 30.
    CHECK(s.steps == std::vector<double>{30, 20, 40, 30});
    CHECK(s.dropped == 2);
    CHECK(s.mean_steps == Approx(30));
  }
  SECTION("one member: no error estimate; no episode: NaN mean") {
    const auto s = compare::episode_sample(t, 1, 0, true);
    CHECK(s.steps == std::vector<double>{20});  // member 0's second; member 1's only one is its first
    CHECK(std::isnan(s.standard_error));
    const auto none = compare::episode_sample(t, 1, 1, true);
    CHECK(none.steps.empty());
    CHECK(std::isnan(none.mean_steps));
  }
  SECTION("columns of different lengths are refused") {
    const std::vector<std::int64_t> short_end{10};
    CHECK_THROWS_WITH(compare::episode_sample({member, from, to, start, short_end}, 0, 1, true),
                      Catch::Contains("differ in length"));
  }
}

TEST_CASE("summary rows: rules and the markdown table", "[compare]") {
  using compare::Rule;
  const compare::SummaryRow close{"mean length", "a = 0.1", "steps", 100, 108, 1, Rule::kRelative, 0.1};
  const compare::SummaryRow far{"mean length", "a = 0.2", "steps", 100, 89, 1, Rule::kRelative, 0.1};
  CHECK(close.relative_error() == Approx(0.08));
  CHECK(close.pass());
  CHECK_FALSE(far.pass());
  // An upper bound may be exceeded by up to `tolerance` standard errors.
  const compare::SummaryRow bound_ok{"bound", "", "steps", 100, 102.5, 1, Rule::kUpperBound, 3};
  const compare::SummaryRow bound_broken{"bound", "", "steps", 100, 103.5, 1, Rule::kUpperBound, 3};
  CHECK(bound_ok.pass());
  CHECK_FALSE(bound_broken.pass());
  // An absolute discrepancy, in the row's units, either side.
  const compare::SummaryRow near{"rms", "", "", 0, 0.009, 0.002, Rule::kAbsolute, 0.01};
  const compare::SummaryRow off{"rms", "", "", 0, -0.011, 0.002, Rule::kAbsolute, 0.01};
  CHECK(near.pass());
  CHECK_FALSE(off.pass());
  CHECK(near.rule_text() == "within 0.01");
  const compare::SummaryRow nan_row{"x", "", "", 1, std::nan(""), 0, Rule::kRelative, 0.5};
  CHECK_FALSE(nan_row.pass());
  const compare::SummaryRow shown{"x", "", "", 1, 5, 0, Rule::kReport, 0};
  CHECK(shown.pass());
  const std::string table = compare::markdown_table({close, far, shown});
  CHECK_THAT(table, Catch::Contains("| mean length | a = 0.1 | 100 steps | 108 +- 1 steps | +8.0% | within 10% | pass |"));
  CHECK_THAT(table, Catch::Contains("-11.0% | within 10% | FAIL |"));
  CHECK_THAT(table, Catch::Contains("| reported | - |"));
  // Every line of the table has the same number of cells.
  std::size_t lines = 0;
  for (std::size_t pos = 0; (pos = table.find('\n', pos)) != std::string::npos; ++pos) ++lines;
  CHECK(lines == 5);
  CHECK(std::count(table.begin(), table.end(), '|') == static_cast<long>(5 * 8));
}

TEST_CASE("fit_line: exact lines, weights and the errors of the coefficients", "[compare]") {
  const std::vector<double> x{1, 2, 4, 8}, y{3.5, 5, 8, 14};  // y = 2 + 1.5 x
  const auto exact = compare::fit_line(x, y, {0.1, 0.2, 0.1, 0.3});
  CHECK(exact.intercept == Approx(2).epsilon(1e-12));
  CHECK(exact.slope == Approx(1.5).epsilon(1e-12));
  // Equal errors s: var(b) = s^2 / sum (x - xbar)^2, var(a) = s^2 sum x^2 / (n sum (x - xbar)^2).
  const auto equal = compare::fit_line(x, {3, 5.5, 7.5, 14.5}, {0.5, 0.5, 0.5, 0.5});
  const double xbar = 15.0 / 4, sxx = (1 - xbar) * (1 - xbar) + (2 - xbar) * (2 - xbar) + (4 - xbar) * (4 - xbar) +
                                       (8 - xbar) * (8 - xbar);
  CHECK(equal.slope_se == Approx(0.5 / std::sqrt(sxx)));
  CHECK(equal.intercept_se == Approx(0.5 * std::sqrt((1 + 4 + 16 + 64) / (4 * sxx))));
  // A point with a tiny error pins the line through it.
  const auto pinned = compare::fit_line({0, 1, 2}, {0, 10, 0}, {1, 1e-3, 1});
  CHECK(pinned.intercept + pinned.slope == Approx(10).epsilon(1e-4));
  // A missing error: unweighted, no error estimates.
  const auto plain = compare::fit_line(x, y, {0.1, 0.0, 0.1, 0.3});
  CHECK(plain.slope == Approx(1.5));
  CHECK(std::isnan(plain.slope_se));
}

TEST_CASE("fit_inverse: the O(s) term makes the exponent exact on data that has one", "[compare]") {
  // log tau = V / s + B + C s with V = 0.25, B = log 2, C = 0.8, at s in [0.1, 0.2].
  const double V = 0.25, B = std::log(2.0), C = 0.8;
  std::vector<double> s, y, se;
  for (int k = 0; k < 5; ++k) {
    s.push_back(0.1 + 0.025 * k);
    y.push_back(V / s.back() + B + C * s.back());
    se.push_back(1e-4);  // nearly exact data: C is determined (|C| > 2 se(C))
  }
  const auto f = compare::fit_inverse(s, y, se);
  CHECK(f.with_linear);
  CHECK(f.slope == Approx(V).epsilon(1e-10));
  CHECK(f.intercept == Approx(B).epsilon(1e-9));
  CHECK(f.linear == Approx(C).epsilon(1e-8));
  CHECK(f.form() == "fit A/s + B + C s");
  // The straight line in 1/s misses by C s^2 folded into the slope: for
  // s in [0.1, 0.2] about -C s1 s2 ~ -0.8 x 0.0144 (the line through the
  // ends' chord), a few percent of V.
  std::vector<double> inv;
  for (double v : s) inv.push_back(1 / v);
  const auto line = compare::fit_line(inv, y, se);
  CHECK(std::abs(line.slope - V) > 0.03 * V);
  // With equal errors the slope's error is that of the 3-column design:
  // sqrt((X^T X)^{-1})_00 times the error, computed here from the normal
  // equations by Cramer's rule on the 3 x 3 system.
  double m[3][3] = {};
  for (double v : s) {
    const double row[3] = {1 / v, 1, v};
    for (int a = 0; a < 3; ++a)
      for (int b = 0; b < 3; ++b) m[a][b] += row[a] * row[b] / (1e-4 * 1e-4);
  }
  auto det3 = [](double a[3][3]) {
    return a[0][0] * (a[1][1] * a[2][2] - a[1][2] * a[2][1]) - a[0][1] * (a[1][0] * a[2][2] - a[1][2] * a[2][0]) +
           a[0][2] * (a[1][0] * a[2][1] - a[1][1] * a[2][0]);
  };
  const double minor = m[1][1] * m[2][2] - m[1][2] * m[2][1];
  CHECK(f.slope_se == Approx(std::sqrt(minor / det3(m))).epsilon(1e-6));
  CHECK(std::abs(f.linear) > 2 * f.linear_se);
  // The same data with errors that hide C: the straight line, said so.
  const auto noisy = compare::fit_inverse(s, y, {1.0, 1.0, 1.0, 1.0, 1.0});
  CHECK_FALSE(noisy.with_linear);
  CHECK(noisy.linear_dropped);
  CHECK(noisy.slope == Approx(line.slope).epsilon(1e-9));
  CHECK(noisy.form() == "fit A/s + B (O(s) term not significant)");
  // Three points: no degree of freedom for C; the straight line.
  const auto three = compare::fit_inverse({0.1, 0.15, 0.2}, {1, 2, 3}, {0.1, 0.1, 0.1});
  CHECK_FALSE(three.with_linear);
  CHECK(three.linear == 0);
}
