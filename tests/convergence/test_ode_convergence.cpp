// Observed orders of the ODE backends against closed-form solutions.
#include <catch2/catch.hpp>

#include <cmath>
#include <numbers>

#include "fwkit/model/catalog.hpp"
#include "ode/ode.hpp"

using namespace fw;
using fw::ode::Method;

namespace {

/// Logistic growth x' = x (1 - x): x(t) = 1 / (1 + (1/x0 - 1) e^{-t}).
ode::Rhs logistic() {
  ode::Rhs r;
  r.dim = 1;
  r.f = [](double, const double* x, double* dx) { dx[0] = x[0] * (1 - x[0]); };
  r.jacobian = [](double, const double* x, double* j) { j[0] = 1 - 2 * x[0]; };
  return r;
}
double logistic_exact(double t, double x0) { return 1 / (1 + (1 / x0 - 1) * std::exp(-t)); }

double end_error(Method m, double dt, bool fixed, double rtol = 1e-8) {
  ode::Options o;
  o.method = m;
  o.dt = dt;
  o.fixed_step = fixed;
  o.rtol = rtol;
  o.atol = rtol * 1e-2;
  o.outputs = 2;
  const auto r = ode::integrate(logistic(), 0, 5, Vec::Constant(1, 0.1), o);
  REQUIRE(r.ok());
  return std::abs(r.x(0, 1) - logistic_exact(5, 0.1));
}

}  // namespace

TEST_CASE("RK4 converges with order 4", "[ode][convergence]") {
  std::vector<double> err;
  for (double dt : {0.2, 0.1, 0.05, 0.025}) err.push_back(end_error(Method::kRk4, dt, true));
  for (std::size_t i = 1; i < err.size(); ++i) {
    const double order = std::log2(err[i - 1] / err[i]);
    INFO("dt halving " << i << ": errors " << err[i - 1] << " -> " << err[i]);
    CHECK(order == Approx(4).margin(0.2));
  }
}

/// Largest error over t = 1..5 (step boundaries for every dt used) of a
/// fixed-step run: the error at a single time can pass through zero and fake
/// a high order.
std::vector<double> fixed_step_errors(Method m, const std::vector<double>& dts) {
  std::vector<double> err;
  for (double dt : dts) {
    ode::Options o;
    o.method = m;
    o.fixed_step = true;
    o.dt = dt;
    o.rtol = 1e-14;  // implicit methods: Newton to full accuracy
    o.atol = 1e-16;
    o.output_times = {1, 2, 3, 4, 5};
    const auto r = ode::integrate(logistic(), 0, 5, Vec::Constant(1, 0.1), o);
    REQUIRE(r.ok());
    double e = 0;
    for (std::size_t i = 0; i < r.t.size(); ++i) e = std::max(e, std::abs(r.x(0, i) - logistic_exact(r.t[i], 0.1)));
    err.push_back(e);
  }
  return err;
}

void check_order(const std::vector<double>& err, double order) {
  for (std::size_t i = 1; i < err.size(); ++i) {
    INFO("errors " << err[i - 1] << " -> " << err[i]);
    CHECK(std::log2(err[i - 1] / err[i]) == Approx(order).margin(0.3));
  }
}

/// An adaptive run on the logistic equation: its largest error over the
/// output times (dense output included) and the run itself.
std::pair<double, ode::Result> adaptive_error(Method m, double tol, int outputs) {
  ode::Options o;
  o.method = m;
  o.rtol = tol;
  o.atol = tol * 1e-2;
  o.outputs = outputs;
  const auto r = ode::integrate(logistic(), 0, 5, Vec::Constant(1, 0.1), o);
  REQUIRE(r.ok());
  double e = 0;
  for (std::size_t i = 0; i < r.t.size(); ++i) e = std::max(e, std::abs(r.x(0, i) - logistic_exact(r.t[i], 0.1)));
  return {e, r};
}

TEST_CASE("Dormand-Prince at fixed steps converges with order 5", "[ode][convergence]") {
  check_order(fixed_step_errors(Method::kDopri5, {0.25, 0.125, 0.0625, 0.03125}), 5);
}

TEST_CASE("Radau IIA at fixed steps converges with order 5", "[ode][convergence]") {
  // Stiffly accurate three-stage Radau IIA: order 2s - 1 = 5 at the steps.
  check_order(fixed_step_errors(Method::kRadau, {0.25, 0.125, 0.0625}), 5);
}

TEST_CASE("adaptive Radau IIA meets its tolerance on the logistic equation", "[ode][convergence]") {
  for (double tol : {1e-6, 1e-9}) {
    const auto [e, r] = adaptive_error(Method::kRadau, tol, 51);  // 51: checks the dense output
    INFO("rtol " << tol << " error " << e << " steps " << r.steps);
    CHECK(e < 50 * tol);
  }
}

TEST_CASE("adaptive Dopri5 meets its tolerance, error ~ steps^-5", "[ode][convergence]") {
  std::vector<double> err, steps;
  for (double tol : {1e-5, 1e-7, 1e-9, 1e-11}) {
    const auto [e, r] = adaptive_error(Method::kDopri5, tol, 51);
    CHECK(e < 50 * tol);
    err.push_back(e);
    steps.push_back(static_cast<double>(r.steps));
  }
  const double slope = std::log(err.front() / err.back()) / std::log(steps.back() / steps.front());
  INFO("observed order in steps " << slope);
  CHECK(slope > 4.0);
  CHECK(slope < 6.0);
}

TEST_CASE("CVODE BDF at tight tolerance matches the closed form", "[ode][convergence]") {
  for (double tol : {1e-8, 1e-12}) {
    const auto [e, r] = adaptive_error(Method::kBdf, tol, 11);
    INFO("rtol " << tol << " error " << e);
    CHECK(e < 100 * tol);
    CHECK(r.jacobian_evals > 0);
  }
}

TEST_CASE("ARKODE IMEX on a stiff slow-fast problem matches the closed form", "[ode][convergence]") {
  // x' = -k (x - y) (stiff, implicit), y' = -y (explicit), x(0) = 0, y(0) = 1:
  // x = k/(k-1) (e^{-t} - e^{-k t}).
  const double k = 1e6, t1 = 3;
  ode::Rhs r;
  r.dim = 2;
  r.f = [k](double, const double* x, double* dx) { dx[0] = -k * (x[0] - x[1]), dx[1] = -x[1]; };
  r.jacobian = [k](double, const double*, double* j) { j[0] = -k, j[1] = 0, j[2] = k, j[3] = -1; };
  r.implicit = [k](double, const double* x, double* dx) { dx[0] = -k * (x[0] - x[1]), dx[1] = 0; };
  r.implicit_jacobian = [k](double, const double*, double* j) { j[0] = -k, j[1] = 0, j[2] = k, j[3] = 0; };
  ode::Options o;
  o.method = Method::kImex;
  o.rtol = 1e-9;
  o.atol = 1e-11;
  o.outputs = 31;
  const auto res = ode::integrate(r, 0, t1, (Vec(2) << 0.0, 1.0).finished(), o);
  REQUIRE(res.ok());
  for (std::size_t i = 1; i < res.t.size(); ++i) {
    const double t = res.t[i];
    CHECK(std::abs(res.x(0, i) - k / (k - 1) * (std::exp(-t) - std::exp(-k * t))) < 1e-8);
    CHECK(std::abs(res.x(1, i) - std::exp(-t)) < 1e-8);
  }
  // An explicit method needs about k t1 / 3 = 1e6 steps for stability alone.
  CHECK(res.steps < k * t1 / 20);
}

TEST_CASE("events are located on the dense output", "[ode]") {
  // x' = -y, y' = x from (1, 0): y falls through 0 at t = pi, rises at 2 pi.
  ode::Rhs r;
  r.dim = 2;
  r.f = [](double, const double* x, double* dx) { dx[0] = -x[1], dx[1] = x[0]; };
  r.jacobian = [](double, const double*, double* j) { j[0] = 0, j[1] = 1, j[2] = -1, j[3] = 0; };
  ode::Event down{"y down", [](double, const double* x) { return x[1]; }, -1, false};
  ode::Event up{"y up", [](double, const double* x) { return x[1]; }, +1, true};
  for (Method m : {Method::kDopri5, Method::kBdf, Method::kRk4}) {
    ode::Options o;
    o.method = m;
    o.rtol = 1e-12;
    o.atol = 1e-14;
    o.dt = 1e-3;
    const auto res = ode::integrate(r, 0, 10, (Vec(2) << 1.0, 0.0).finished(), o, {down, up});
    INFO(ode::to_string(m));
    REQUIRE(res.events.size() == 2);
    CHECK(res.events[0].event == 0);
    CHECK(res.events[0].t == Approx(std::numbers::pi).margin(1e-8));
    CHECK(res.events[1].direction == 1);
    CHECK(res.events[1].t == Approx(2 * std::numbers::pi).margin(1e-8));
    CHECK(res.status == ode::Status::kTerminalEvent);
    CHECK(res.t.back() <= 2 * std::numbers::pi + 1e-12);
  }
}

TEST_CASE("auto picks Radau for stiff van der Pol and Dopri5 otherwise", "[ode]") {
  const Vec x0 = (Vec(2) << 2.0, 0.0).finished();
  ode::Options o;
  o.outputs = 2;
  auto stiff = model::make_catalog_system("van_der_pol", {{"mu", model::ParamValue::scalar(1000)}});
  const auto a = ode::integrate(ode::from_system(*stiff), 0, 3000, x0, o);
  CHECK(a.method == Method::kRadau);
  CHECK_THAT(a.method_reason, Catch::Contains("spectral radius"));
  auto mild = model::make_catalog_system("van_der_pol", {{"mu", model::ParamValue::scalar(1)}});
  const auto b = ode::integrate(ode::from_system(*mild), 0, 20, x0, o);
  CHECK(b.method == Method::kDopri5);
}

TEST_CASE("ODE options are validated", "[ode]") {
  ode::Options o;
  o.rtol = -1;
  CHECK_THROWS_WITH(ode::integrate(logistic(), 0, 1, Vec::Constant(1, 0.5), o), Catch::Contains("ode.rtol"));
  o = {};
  CHECK_THROWS_WITH(ode::integrate(logistic(), 1, 0, Vec::Constant(1, 0.5), o), Catch::Contains("ode.t1"));
  o.output_times = {0.5, 0.2};
  CHECK_THROWS_WITH(ode::integrate(logistic(), 0, 1, Vec::Constant(1, 0.5), o), Catch::Contains("must increase"));
  CHECK_THROWS_WITH(ode::parse_method("euler"), Catch::Contains("must be one of"));
}
