// Small runs of every ODE backend (these also run under ASan + UBSan, which
// checks the SUNDIALS and Odeint wrappers' memory handling), and the writers.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>

#include "fwkit/io/reader.hpp"
#include "fwkit/model/catalog.hpp"
#include "ode/ode.hpp"
#include "ode/ode_io.hpp"

using namespace fw;

TEST_CASE("every backend integrates a decaying oscillator", "[ode]") {
  auto sys = model::make_catalog_system("linear", {});  // eigenvalues -1.5 +- 14.1 i
  const Vec x0 = (Vec(2) << 1.0, 0.0).finished();
  ode::Options ref_o;
  ref_o.method = ode::Method::kDopri5;
  ref_o.rtol = 1e-12;
  ref_o.atol = 1e-14;
  ref_o.outputs = 5;
  const auto ref = ode::integrate(ode::from_system(*sys), 0, 2, x0, ref_o);
  // Exact: A has eigenvalues -1.5 +- i w, w^2 = 199.75, so by Cayley-Hamilton
  // exp(A t) = e^{-1.5 t} (cos(w t) I + sin(w t) / w (A + 1.5 I)).
  Mat a(2, 2);
  a << -2, -10, 20, -1;
  const double w = std::sqrt(199.75);
  for (std::size_t i = 0; i < ref.t.size(); ++i) {
    const double t = ref.t[i];
    const Mat e = std::exp(-1.5 * t) * (std::cos(w * t) * Mat::Identity(2, 2) +
                                        std::sin(w * t) / w * (a + 1.5 * Mat::Identity(2, 2)));
    CHECK((ref.x.col(static_cast<Eigen::Index>(i)) - e * x0).norm() < 1e-9);
  }
  for (ode::Method m : {ode::Method::kRk4, ode::Method::kBdf, ode::Method::kImex}) {
    INFO(ode::to_string(m));
    ode::Options o = ref_o;
    o.method = m;
    // Local error control: the global error is about (steps x rtol).
    o.rtol = 1e-10;
    o.atol = 1e-12;
    o.dt = 1e-3;
    const ode::Rhs rhs = m == ode::Method::kImex ? ode::split_system(*sys, {0}) : ode::from_system(*sys);
    const auto r = ode::integrate(rhs, 0, 2, x0, o);
    REQUIRE(r.ok());
    // ARKODE's global error on this oscillator is ~10 (steps x rtol) (about
    // 2e-6 here); CVODE and RK4 land well inside 1e-6.
    CHECK((r.x - ref.x).cwiseAbs().maxCoeff() < (m == ode::Method::kImex ? 2e-5 : 1e-6));
  }
}

TEST_CASE("a failing integration reports its status instead of throwing", "[ode]") {
  ode::Rhs blowup;
  blowup.dim = 1;
  blowup.f = [](double, const double* x, double* dx) { dx[0] = x[0] * x[0]; };  // x = 1/(1 - t)
  blowup.jacobian = [](double, const double* x, double* j) { j[0] = 2 * x[0]; };
  ode::Options o;
  o.method = ode::Method::kBdf;
  o.max_steps = 100000;
  const auto r = ode::integrate(blowup, 0, 2, Vec::Constant(1, 1.0), o);
  CHECK_FALSE(r.ok());
  CHECK_THAT(r.message, Catch::Contains("t = "));
  o.method = ode::Method::kDopri5;
  o.max_steps = 50;
  const auto s = ode::integrate(blowup, 0, 0.999, Vec::Constant(1, 1.0), o);
  CHECK(s.status == ode::Status::kMaxSteps);
}

TEST_CASE("trajectories and events round-trip through HDF5", "[ode][io]") {
  auto sys = model::make_catalog_system("van_der_pol", {{"mu", model::ParamValue::scalar(2)}});
  ode::Options o;
  o.outputs = 101;
  ode::Event up{"up", [](double, const double* x) { return x[0]; }, 1, false};
  const auto r = ode::integrate(ode::from_system(*sys), 0, 30, (Vec(2) << 2.0, 0.0).finished(), o, {up});
  REQUIRE(r.events.size() >= 2);
  const auto path = std::filesystem::temp_directory_path() / "fwkit-ode-roundtrip.h5";
  {
    io::ResultFile f(path);
    ode::write_trajectory(f.root(), r, sys->variable_names(), {"up"});
    f.commit();
  }
  io::Reader reader(path);
  const io::Array t = reader.read("/trajectory/time");
  const io::Array x = reader.read("/trajectory/state");
  CHECK(t.size() == 101);
  CHECK(x.shape == std::vector<std::size_t>{101, 2});
  CHECK(x.at({50, 1}) == r.x(1, 50));
  CHECK(reader.read("/events/time").data[0] == r.events[0].t);
  CHECK(reader.string_attribute("/trajectory", "method") == ode::to_string(r.method));
  std::filesystem::remove(path);
}
