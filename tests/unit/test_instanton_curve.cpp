// The curve transition paths are measured against (compare/instanton_curve.hpp):
// distances to a polyline, and the descent from a saddle along its unstable
// manifold, on a flow whose unstable manifold is a known parabola.
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "compare/instanton_curve.hpp"
#include "fwkit/core/error.hpp"

using namespace fw;

namespace {

/// u' = u - u^3, v' = -k v written in x = u, y = v + c u^2: the saddle at the
/// origin, attractors at (+-1, c), and the unstable manifold y = c x^2.
class BentSaddle final : public model::System {
 public:
  BentSaddle(double k, double c) : k_(k), c_(c) {}
  int dim() const override { return 2; }
  std::string name() const override { return "bent_saddle"; }
  void drift(const double* x, double* b) const override {
    const double u = x[0], up = u - u * u * u;
    b[0] = up;
    b[1] = -k_ * (x[1] - c_ * u * u) + 2 * c_ * u * up;
  }
  void jacobian(const double* x, double* j) const override {  // column-major
    const double u = x[0];
    j[0] = 1 - 3 * u * u;
    j[1] = 2 * k_ * c_ * u + 2 * c_ * (2 * u - 4 * u * u * u);
    j[2] = 0;
    j[3] = -k_;
  }

 private:
  double k_, c_;
};

}  // namespace

TEST_CASE("polyline: distance to the nearest segment", "[compare]") {
  const compare::Polyline l({(Vec(2) << 0, 0).finished(), (Vec(2) << 0, 0).finished(), (Vec(2) << 2, 0).finished(),
                             (Vec(2) << 2, 1).finished()});
  CHECK(l.points().size() == 3);  // the repeated point dropped
  const double a[2] = {1, 0.5}, b[2] = {-1, -1}, c[2] = {3, 2}, e[2] = {2.5, 0.4};
  CHECK(l.distance(a) == Approx(0.5));
  CHECK(l.distance(b) == Approx(std::sqrt(2.0)));
  CHECK(l.distance(c) == Approx(std::sqrt(2.0)));
  CHECK(l.distance(e) == Approx(0.5));
  CHECK_THROWS(compare::Polyline({(Vec(2) << 1, 1).finished()}));
}

TEST_CASE("descent: the flow from a saddle follows its unstable manifold to the attractor", "[compare]") {
  for (double c : {0.0, 0.5, -0.8}) {
    const BentSaddle s(3.0, c);
    const Vec saddle = Vec::Zero(2);
    for (double side : {1.0, -1.0}) {
      const Vec target = (Vec(2) << side, c).finished();
      const auto path = compare::descent(s, saddle, target, 1e-3);
      REQUIRE(path.size() > 100);
      CHECK((path.front() - saddle).norm() == 0);
      CHECK((path.back() - target).norm() == 0);
      double off = 0;
      for (const Vec& p : path) {
        off = std::max(off, std::abs(p[1] - c * p[0] * p[0]));
        CHECK(p[0] * side >= -1e-12);  // on the target's side throughout
      }
      // The start is a step along the linearised manifold, which is tangent
      // to the parabola: O(step^2) off it, and the flow pulls it back in.
      CHECK(off < 1e-5);
    }
  }
  // A target the flow does not lead to.
  const BentSaddle s(3.0, 0.5);
  CHECK_THROWS_AS(compare::descent(s, Vec::Zero(2), (Vec(2) << 1.0, 3.0).finished(), 1e-3), Error);
}
