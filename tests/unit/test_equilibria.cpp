#include <catch2/catch.hpp>

#include <filesystem>

#include "analyze/equilibria.hpp"
#include "analyze/equilibria_io.hpp"
#include "fwkit/core/error.hpp"
#include "fwkit/model/catalog.hpp"

using namespace fw;
using analyze::Stability;

namespace {

const analyze::Equilibrium* nearest(const analyze::Result& r, double x, double y) {
  const analyze::Equilibrium* best = nullptr;
  double bd = 1e300;
  for (const auto& e : r.equilibria) {
    const double d = std::hypot(e.x[0] - x, e.x[1] - y);
    if (d < bd) bd = d, best = &e;
  }
  return best;
}

}  // namespace

TEST_CASE("Maier-Stein: two stable nodes at (+-1, 0) and a saddle at 0", "[analyze]") {
  for (double beta : {1.0, 4.0, 10.0}) {
    auto sys = model::make_catalog_system("maier_stein", {{"beta", model::ParamValue::scalar(beta)}});
    analyze::Options o;
    o.lower = {-2, -2};
    o.upper = {2, 2};
    const auto r = analyze::find_equilibria(*sys, o);
    REQUIRE(r.equilibria.size() == 3);
    CHECK(r.count(Stability::kStable) == 2);
    CHECK(r.count(Stability::kSaddle) == 1);
    const auto* saddle = nearest(r, 0, 0);
    CHECK(saddle->stability == Stability::kSaddle);
    CHECK(saddle->index == 1);
    CHECK(saddle->x.norm() < 1e-9);
    for (double s : {-1.0, 1.0}) {
      const auto* e = nearest(r, s, 0);
      CHECK(e->stability == Stability::kStable);
      CHECK(std::abs(e->x[0] - s) < 1e-9);
      // Jacobian at (+-1, 0) is diag(-2, -2 mu).
      CHECK(e->eigenvalues[0].real() == Approx(-2));
      CHECK(e->eigenvalues[1].real() == Approx(-2));
    }
  }
}

TEST_CASE("Mueller-Brown: three minima and two saddles at their known places", "[analyze]") {
  auto sys = model::make_catalog_system("muller_brown", {});
  analyze::Options o;
  o.lower = {-1.5, -0.5};
  o.upper = {1.2, 2.0};
  o.starts = 1000;
  const auto r = analyze::find_equilibria(*sys, o);
  REQUIRE(r.equilibria.size() == 5);
  CHECK(r.count(Stability::kStable) == 3);
  CHECK(r.count(Stability::kSaddle) == 2);
  // Reference locations and energies (Mueller & Brown 1979, to the digits
  // usually quoted).
  struct Ref {
    double x, y, f;
    Stability s;
  };
  const Ref refs[] = {{-0.558, 1.442, -146.70, Stability::kStable},
                      {0.623, 0.028, -108.17, Stability::kStable},
                      {-0.050, 0.467, -80.77, Stability::kStable},
                      {-0.822, 0.624, -40.66, Stability::kSaddle},
                      {0.212, 0.293, -72.25, Stability::kSaddle}};
  for (const auto& ref : refs) {
    const auto* e = nearest(r, ref.x, ref.y);
    INFO(ref.x << ", " << ref.y);
    CHECK(e->stability == ref.s);
    CHECK(std::hypot(e->x[0] - ref.x, e->x[1] - ref.y) < 2e-3);
    REQUIRE(e->has_loss);
    CHECK(e->loss == Approx(ref.f).margin(0.01));
    // Saddles of a gradient system: one negative Hessian eigenvalue.
    CHECK((e->hessian_eigenvalues[0] < 0) == (ref.s == Stability::kSaddle));
  }
}

TEST_CASE("linear and van der Pol systems: a single equilibrium at 0", "[analyze]") {
  analyze::Options o;
  o.lower = {-3, -3};
  o.upper = {3, 3};
  const auto lin = analyze::find_equilibria(*model::make_catalog_system("linear", {}), o);
  REQUIRE(lin.equilibria.size() == 1);
  CHECK(lin.equilibria[0].stability == Stability::kStable);
  // A = [[-2, -10], [20, -1]]: eigenvalues -1.5 +- i sqrt(199.75).
  CHECK(lin.equilibria[0].eigenvalues[0].real() == Approx(-1.5));
  CHECK(std::abs(lin.equilibria[0].eigenvalues[0].imag()) == Approx(std::sqrt(199.75)));
  const auto vdp = analyze::find_equilibria(*model::make_catalog_system("van_der_pol", {}), o);
  REQUIRE(vdp.equilibria.size() == 1);
  CHECK(vdp.equilibria[0].stability == Stability::kUnstable);
  CHECK(vdp.equilibria[0].index == 2);
}

TEST_CASE("options are validated before any work", "[analyze]") {
  auto sys = model::make_catalog_system("maier_stein", {});
  analyze::Options o;
  o.lower = {-2, -2};
  o.upper = {2, -3};
  CHECK_THROWS_WITH(analyze::find_equilibria(*sys, o), Catch::Contains("analyze.upper") && Catch::Contains("must exceed"));
  o.upper = {2, 2};
  o.tolerance = 0;
  CHECK_THROWS_WITH(analyze::find_equilibria(*sys, o), Catch::Contains("analyze.tolerance"));
  o.tolerance = 1e-10;
  o.lower = {-2};
  CHECK_THROWS_WITH(analyze::find_equilibria(*sys, o), Catch::Contains("one entry per dimension"));
}

TEST_CASE("equilibria survive a round trip through HDF5", "[analyze][io]") {
  auto sys = model::make_catalog_system("muller_brown", {});
  analyze::Options o;
  o.lower = {-1.5, -0.5};
  o.upper = {1.2, 2.0};
  const auto r = analyze::find_equilibria(*sys, o);
  const auto path = std::filesystem::temp_directory_path() / "fwkit-eq-roundtrip.h5";
  {
    io::ResultFile f(path);
    analyze::write_equilibria(f.root(), r, o, sys->variable_names());
    f.commit();
  }
  io::Reader reader(path);
  const auto back = analyze::read_equilibria(reader);
  REQUIRE(back.size() == r.equilibria.size());
  for (std::size_t i = 0; i < back.size(); ++i) {
    CHECK(back[i].x == r.equilibria[i].x);
    CHECK(back[i].stability == r.equilibria[i].stability);
    CHECK(back[i].loss == r.equilibria[i].loss);
  }
  std::filesystem::remove(path);
}
