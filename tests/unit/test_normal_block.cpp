// The lane-parallel normal generator of the ensemble engine: Philox4x32-10
// against Random123's reference, the polynomial log and sincos against libm,
// independence from the block layout, and the moments of the output.
#include <catch2/catch.hpp>

#include <Random123/philox.h>

#include <cmath>
#include <numbers>
#include <vector>

#include "fwkit/rng/block.hpp"

using namespace fw;

TEST_CASE("philox4x32_10 matches Random123", "[sim][rng]") {
  r123::Philox4x32 reference;
  for (std::uint32_t i = 0; i < 200; ++i) {
    const std::uint32_t ctr[4] = {i * 2654435761u, ~i, i << 7, 0xABCD0000u ^ i};
    const std::uint32_t key[2] = {0x1234567u * i, 0x89ABCDEFu + i};
    std::uint32_t out[4];
    rng::philox4x32_10(ctr, key, out);
    const auto ref = reference({{ctr[0], ctr[1], ctr[2], ctr[3]}}, {{key[0], key[1]}});
    for (int k = 0; k < 4; ++k) REQUIRE(out[k] == ref.v[k]);
  }
}

TEST_CASE("the polynomial log and sincos agree with libm", "[sim][rng]") {
  double worst_log = 0, worst_trig = 0;
  for (int i = 1; i <= 200000; ++i) {
    // A log-spaced sweep down to 2^-52 plus a uniform sweep of (0, 1].
    const double u = i % 2 ? std::exp2(-52.0 * i / 200000) : i / 200000.0;
    const double l = std::log(u);
    worst_log = std::max(worst_log, std::abs(rng::block_log(u) - l) / std::max(std::abs(l), 1e-300));
    double s, c;
    rng::block_sincos_2pi(u, &s, &c);
    const double a = 2 * std::numbers::pi * u;
    worst_trig = std::max({worst_trig, std::abs(s - std::sin(a)), std::abs(c - std::cos(a))});
  }
  INFO("log: " << worst_log << ", sincos: " << worst_trig);
  CHECK(worst_log < 1e-15);
  CHECK(worst_trig < 2e-15);  // includes libm's own rounding of 2 pi u
  CHECK(rng::block_log(1.0) == 0.0);
}

TEST_CASE("normal_block: lanes depend only on (seed, member, step, pair)", "[sim][rng]") {
  const int count = 5;
  std::vector<double> wide(count * 100), narrow(count * 20);
  rng::normal_block(9, 0, 100, 77, count, wide.data());
  rng::normal_block(9, 37, 20, 77, count, narrow.data());
  for (int l = 0; l < count; ++l)
    for (int j = 0; j < 20; ++j) REQUIRE(narrow[l * 20 + j] == wide[l * 100 + 37 + j]);
  // Lane 5 by hand: pair q from one Philox call and Box–Muller.
  const std::uint32_t key[2] = {9, 0};
  for (int q = 0; q < 3; ++q) {
    const std::uint32_t ctr[4] = {77, 0, 5, static_cast<std::uint32_t>(q)};
    std::uint32_t out[4];
    rng::philox4x32_10(ctr, key, out);
    const std::uint64_t w1 = (std::uint64_t{out[0]} << 32) | out[1], w2 = (std::uint64_t{out[2]} << 32) | out[3];
    const double u1 = (static_cast<double>(w1 >> 12) + 0.5) * 0x1.0p-52, u2 = (static_cast<double>(w2 >> 12) + 0.5) * 0x1.0p-52;
    const double r = std::sqrt(-2 * std::log(u1));
    CHECK(wide[(2 * q) * 100 + 5] == Approx(r * std::cos(2 * std::numbers::pi * u2)).margin(1e-14));
    if (2 * q + 1 < count) CHECK(wide[(2 * q + 1) * 100 + 5] == Approx(r * std::sin(2 * std::numbers::pi * u2)).margin(1e-14));
  }
  // Another step, seed or member gives other numbers.
  std::vector<double> other(count * 100);
  rng::normal_block(9, 0, 100, 78, count, other.data());
  CHECK(other[0] != wide[0]);
}

TEST_CASE("normal_block output has the moments of N(0, 1)", "[sim][rng]") {
  const int lanes = 1000, steps = 500, count = 2;
  std::vector<double> z(count * lanes);
  double m1 = 0, m2 = 0, m4 = 0, tail = 0, cross = 0;
  const double n = static_cast<double>(lanes) * steps * count;
  for (int s = 0; s < steps; ++s) {
    rng::normal_block(4, 0, lanes, static_cast<std::uint64_t>(s), count, z.data());
    for (int j = 0; j < lanes; ++j) cross += z[j] * z[lanes + j];
    for (double v : z) {
      m1 += v;
      m2 += v * v;
      m4 += v * v * v * v;
      tail += std::abs(v) > 3;
    }
  }
  m1 /= n;
  m2 /= n;
  m4 /= n;
  tail /= n;
  cross /= n / 2;
  const double p3 = std::erfc(3 / std::sqrt(2.0));
  CHECK(std::abs(m1) < 5 / std::sqrt(n));
  CHECK(std::abs(m2 - 1) < 5 * std::sqrt(2 / n));
  CHECK(std::abs(m4 - 3) < 5 * std::sqrt(96 / n));
  CHECK(std::abs(cross) < 5 / std::sqrt(n / 2));  // the two normals of a pair are uncorrelated
  CHECK(std::abs(tail - p3) < 5 * std::sqrt(p3 * (1 - p3) / n));
}
