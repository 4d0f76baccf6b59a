#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "fwkit/rng/stream.hpp"

using fw::rng::Stream;

TEST_CASE("streams depend only on (seed, member, step)", "[rng]") {
  Stream a(42, 7), b(42, 7), c(42, 8), d(43, 7);
  std::vector<double> va, vb;
  for (int i = 0; i < 10; ++i) va.push_back(a.uniform());
  for (int i = 0; i < 10; ++i) vb.push_back(b.uniform());
  CHECK(va == vb);
  CHECK(c.uniform() != va[0]);
  CHECK(d.uniform() != va[0]);
  // Seeking to a step reproduces that step's draws regardless of history.
  Stream e(42, 7), f(42, 7);
  e.seek(1000);
  const double e0 = e.normal(), e1 = e.normal();
  for (int i = 0; i < 37; ++i) f.normal();
  f.seek(1000);
  CHECK(f.normal() == e0);
  CHECK(f.normal() == e1);
}

TEST_CASE("uniform and normal variates have the right moments", "[rng]") {
  Stream s(1, 0);
  const int n = 400000;
  double su = 0, su2 = 0, sn = 0, sn2 = 0, sn4 = 0;
  double umin = 1, umax = 0;
  for (int i = 0; i < n; ++i) {
    const double u = s.uniform();
    umin = std::min(umin, u);
    umax = std::max(umax, u);
    su += u;
    su2 += u * u;
    const double z = s.normal();
    sn += z;
    sn2 += z * z;
    sn4 += z * z * z * z;
  }
  CHECK(umin > 0);
  CHECK(umax < 1);
  // Standard errors: uniform mean sqrt(1/12/n), normal mean 1/sqrt(n),
  // normal variance sqrt(2/n), fourth moment sqrt(96/n).
  CHECK(std::abs(su / n - 0.5) < 5 * std::sqrt(1.0 / 12 / n));
  CHECK(std::abs(su2 / n - 1.0 / 3) < 5 * std::sqrt(4.0 / 45 / n));
  CHECK(std::abs(sn / n) < 5 / std::sqrt(n));
  CHECK(std::abs(sn2 / n - 1) < 5 * std::sqrt(2.0 / n));
  CHECK(std::abs(sn4 / n - 3) < 5 * std::sqrt(96.0 / n));
}

TEST_CASE("below(n) is uniform on {0..n-1}", "[rng]") {
  Stream s(5, 3);
  const int n = 7, draws = 140000;
  std::vector<int> counts(n, 0);
  for (int i = 0; i < draws; ++i) {
    const auto k = s.below(n);
    REQUIRE(k < static_cast<std::uint64_t>(n));
    ++counts[k];
  }
  // Chi-square with 6 degrees of freedom: the 99.9% quantile is 22.46.
  double chi2 = 0;
  const double expect = static_cast<double>(draws) / n;
  for (int c : counts) chi2 += (c - expect) * (c - expect) / expect;
  CHECK(chi2 < 22.46);
}
