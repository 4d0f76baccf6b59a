// The guided jet march's pieces (solvers/hj/guide.hpp): the walk along the
// guide's direction field, and the guide built from a coarse solution.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

#include "fwkit/model/catalog.hpp"
#include "hj/guide.hpp"

using namespace fw;

TEST_CASE("guide walk: a uniform direction crosses the grid lines where the straight ray does", "[hj][guide]") {
  const grid::Grid g{{0, 0}, {2, 1}, {41, 21}};  // spacings 0.05 in both
  const double a = 200.0 * M_PI / 180;         // down and to the left, 20 degrees below the -x axis
  hj::Guide guide;
  guide.value.assign(g.size(), 0.f);
  guide.direction.resize(2 * g.size());
  for (std::size_t f = 0; f < g.size(); ++f) {
    guide.direction[2 * f] = static_cast<std::int16_t>(std::lround(std::cos(a) * hj::Guide::kDirectionScale));
    guide.direction[2 * f + 1] = static_cast<std::int16_t>(std::lround(std::sin(a) * hj::Guide::kDirectionScale));
  }
  const int start[2] = {30, 15};
  // The ray (30, 15) + t (cos a, sin a) in index units: it crosses the
  // vertical lines i = 29, 28, ... at t = m / |cos a| and the horizontal
  // lines j = 14, 13, ... at t = m / |sin a|, each between two nodes.
  struct Seg {
    int i0[2], i1[2];
  };
  std::vector<std::pair<double, Seg>> expected;
  for (int m = 1; m <= 12; ++m) {
    double t = m / std::abs(std::cos(a));
    if (t <= 12) {
      const int j = static_cast<int>(std::floor(15 + t * std::sin(a)));
      expected.push_back({t, Seg{{30 - m, j}, {30 - m, j + 1}}});
    }
    t = m / std::abs(std::sin(a));
    if (t <= 12) {
      const int i = static_cast<int>(std::floor(30 + t * std::cos(a)));
      expected.push_back({t, Seg{{i, 15 - m}, {i + 1, 15 - m}}});
    }
  }
  std::sort(expected.begin(), expected.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
  std::vector<Seg> seen;
  hj::walk_back<2>(g, guide, start, 12.0, [&](const int (&c)[2], int axis, const double (&frac)[2]) {
    CHECK(frac[axis] == 0);
    CHECK(frac[1 - axis] >= 0);
    CHECK(frac[1 - axis] < 1);
    seen.push_back(Seg{{c[0], c[1]}, {c[0] + axis, c[1] + 1 - axis}});
    return false;
  });
  // The walk goes to the reach in half steps; its last crossing may be the
  // one just past 12.
  REQUIRE(seen.size() >= expected.size());
  REQUIRE(seen.size() <= expected.size() + 1);
  for (std::size_t c = 0; c < expected.size(); ++c) {
    INFO("crossing " << c << " at t = " << expected[c].first);
    for (int k = 0; k < 2; ++k) {
      CHECK(seen[c].i0[k] == expected[c].second.i0[k]);
      CHECK(seen[c].i1[k] == expected[c].second.i1[k]);
    }
  }
  // Stopping: fn returning true ends the walk at that segment.
  int calls = 0;
  hj::walk_back<2>(g, guide, start, 12.0, [&](const int (&)[2], int, const double (&)[2]) { return ++calls == 3; });
  CHECK(calls == 3);
  // Leaving the box ends it: from next to the left edge only the lines
  // inside are crossed.
  const int edge[2] = {2, 10};
  int inside = 0;
  hj::walk_back<2>(g, guide, edge, 12.0, [&](const int (&c)[2], int, const double (&)[2]) {
    CHECK(c[0] >= 0);
    CHECK(c[1] + 1 < 21);
    ++inside;
    return false;
  });
  CHECK(inside == 2);  // the lines i = 1 and i = 0; j = 9 is first crossed at t = 2.9, beyond x = 0 (t = 2.1)
}

TEST_CASE("guide from a coarse solution: V and the backward characteristic of the exact field", "[hj][guide]") {
  // A coarse 'result' holding the exact V = 2x^2 + y^2 and its gradient for
  // the benchmark drift b = (-2x - 10y, 20x - y), D = I: the guide at fine
  // nodes is V to the bilinear error and -(b + grad V) normalised.
  std::shared_ptr<const model::System> lin = model::make_catalog_system("linear", {});
  const model::Hamiltonian h({lin, model::make_gaussian_noise(Mat::Identity(2, 2))}, model::HamiltonianKind::kLangevin);
  hj::Result coarse;
  coarse.grid = grid::Grid{{-1, -1}, {1, 1}, {33, 33}};
  for (std::size_t f = 0; f < coarse.grid.size(); ++f) {
    const double x = coarse.grid.coordinate(0, static_cast<int>(f / 33)), y = coarse.grid.coordinate(1, static_cast<int>(f % 33));
    coarse.value.push_back(2 * x * x + y * y);
    coarse.grad.push_back(4 * x);
    coarse.grad.push_back(2 * y);
  }
  const grid::Grid fine{{-1, -1}, {1, 1}, {65, 65}};
  const hj::Guide guide = hj::make_guide<2>(h, fine, coarse);
  const double hc = 2.0 / 32;
  double worst_v = 0, worst_dir = 0;
  for (std::size_t f = 0; f < fine.size(); ++f) {
    const double x = fine.coordinate(0, static_cast<int>(f / 65)), y = fine.coordinate(1, static_cast<int>(f % 65));
    worst_v = std::max(worst_v, std::abs(guide.value[f] - (2 * x * x + y * y)));
    // grad V is linear: interpolated exactly; b too, so the direction is exact
    // to its 16-bit rounding (half of 1 / 32767).
    const double ux = -(-2 * x - 10 * y + 4 * x), uy = -(20 * x - y + 2 * y), n = std::hypot(ux, uy);
    if (n < 1e-12) continue;
    const double s = hj::Guide::kDirectionScale;
    worst_dir = std::max({worst_dir, std::abs(guide.direction[2 * f] / s - ux / n), std::abs(guide.direction[2 * f + 1] / s - uy / n)});
  }
  // Bilinear interpolation of a quadratic: at most (hc/2)^2 times the second
  // derivatives' half sum, 2 (x^2) + 1 (y^2) = 3, i.e. 3 hc^2 / 4.
  CHECK(worst_v <= 0.75 * hc * hc * 1.0001);
  CHECK(worst_v > 0.1 * hc * hc);  // the midpoints of coarse cells do carry that error
  CHECK(worst_dir < 2e-5);
}
