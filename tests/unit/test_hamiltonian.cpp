#include <catch2/catch.hpp>

#include <cmath>

#include "fwkit/model/catalog_systems.hpp"
#include "fwkit/model/hamiltonian.hpp"
#include "helpers.hpp"
#include "noise_fixtures.hpp"

using namespace fw;
using namespace fw::model;

namespace {

const Vec kX = (Vec(2) << 0.4, -0.3).finished();

std::vector<std::pair<std::string, Hamiltonian>> all_hamiltonians() {
  std::vector<std::pair<std::string, Hamiltonian>> out;
  for (const auto& [name, noise, system] : test::all_noise_models()) {
    out.emplace_back(name + " (discrete-time)", Hamiltonian(Model{system, noise}, HamiltonianKind::kDiscrete));
    out.emplace_back(name + " (Langevin)", Hamiltonian(Model{system, noise}, HamiltonianKind::kLangevin));
  }
  return out;
}

}  // namespace

TEST_CASE("H(x, 0) = 0 and grad_p H(x, 0) = b(x) for every model", "[hamiltonian]") {
  for (const auto& [name, h] : all_hamiltonians()) {
    INFO(name);
    for (const Vec& x : {kX, Vec((Vec(2) << -1.1, 0.8).finished())}) {
      CHECK(std::abs(h.value(x, Vec::Zero(2))) < 1e-13);
      CHECK(test::rel_err(h.grad_p(x, Vec::Zero(2)), h.model().system->drift_at(x)) < 1e-12);
    }
  }
}

TEST_CASE("grad_p H, Hess_p H and grad_x H match finite differences", "[hamiltonian]") {
  const Vec p = (Vec(2) << 0.7, -0.45).finished();
  for (const auto& [name, h] : all_hamiltonians()) {
    INFO(name);
    const Vec gp = test::fd_gradient([&](const Vec& q) { return h.value(kX, q); }, p);
    const Vec gx = test::fd_gradient([&](const Vec& y) { return h.value(y, p); }, kX);
    const Mat hp = test::fd_jacobian([&](const Vec& q) { return h.grad_p(kX, q); }, p);
    CHECK(test::rel_err(h.grad_p(kX, p), gp) < 1e-7);
    CHECK(test::rel_err(h.hess_p(kX, p), hp) < 1e-7);
    CHECK(test::rel_err(h.grad_x(kX, p), gx) < 1e-5);
  }
}

TEST_CASE("the Newton Lagrangian equals the Gaussian closed form", "[hamiltonian]") {
  // A one-component mixture is Gaussian but is not flagged as such, so the
  // general Newton dual is used; it must reproduce (1/2)(v-b)^T S^{-1}(v-b).
  Mat s(2, 2);
  s << 0.8, 0.3, 0.3, 0.5;
  auto system = std::make_shared<MaierStein>(4.0, 1.0);
  auto noise = make_mixture_noise({Vec::Zero(2)}, {s}, nullptr);
  REQUIRE_FALSE(noise->is_gaussian());
  const Hamiltonian h(Model{system, std::move(noise)}, HamiltonianKind::kDiscrete);
  for (const Vec& v : {Vec((Vec(2) << 0.3, 1.2).finished()), Vec((Vec(2) << -4.0, 2.5).finished())}) {
    const LagrangianResult r = h.lagrangian(kX, v);
    const Vec w = v - system->drift_at(kX);
    CHECK(r.converged);
    CHECK(r.value == Approx(0.5 * w.dot(s.ldlt().solve(w))).epsilon(1e-12));
    CHECK(test::rel_err(r.momentum, s.ldlt().solve(w)) < 1e-10);
  }
}

TEST_CASE("Fenchel-Young: L(x, grad_p H(x,p)) = <p, grad_p H> - H(x,p)", "[hamiltonian]") {
  const Vec p = (Vec(2) << -0.6, 0.9).finished();
  for (const auto& [name, h] : all_hamiltonians()) {
    if (h.hess_p(kX, p).determinant() < 1e-10) continue;  // singular D: v not unique
    INFO(name);
    const Vec v = h.grad_p(kX, p);
    const LagrangianResult r = h.lagrangian(kX, v);
    CHECK(r.value == Approx(p.dot(v) - h.value(kX, p)).epsilon(1e-9));
    CHECK(test::rel_err(r.momentum, p) < 1e-7);
  }
}

TEST_CASE("velocities the noise cannot produce cost +infinity", "[hamiltonian]") {
  auto system = std::make_shared<DoubleWell2D>(0.0, 1.0);
  // Rademacher increments are bounded by the scales: |v_j - b_j| < s_j.
  const Hamiltonian rad(Model{system, make_rademacher_noise((Vec(2) << 0.5, 0.5).finished())},
                        HamiltonianKind::kDiscrete);
  const Vec b = system->drift_at(kX);
  const Vec inside = b + (Vec(2) << 0.3, -0.2).finished();
  const Vec outside = b + (Vec(2) << 0.8, 0.0).finished();
  CHECK(std::isfinite(rad.lagrangian(kX, inside).value));
  CHECK(std::isinf(rad.lagrangian(kX, outside).value));
  // Degenerate Gaussian noise: only v - b in range(D) is reachable.
  Mat d(2, 2);
  d << 1, 0, 0, 0;
  const Hamiltonian deg(Model{system, make_gaussian_noise(d)}, HamiltonianKind::kLangevin);
  CHECK(deg.lagrangian(kX, b + (Vec(2) << 1.0, 0.0).finished()).value == Approx(0.5));
  CHECK(std::isinf(deg.lagrangian(kX, b + (Vec(2) << 0.0, 1.0).finished()).value));
}

TEST_CASE("Gaussian discrete-time and Langevin Hamiltonians coincide", "[hamiltonian]") {
  Mat s(2, 2);
  s << 1.0, 0.2, 0.2, 0.7;
  Model m{std::make_shared<MaierStein>(10, 1), make_gaussian_noise(s)};
  const Hamiltonian a(m, HamiltonianKind::kDiscrete), b(m, HamiltonianKind::kLangevin);
  const Vec p = (Vec(2) << 1.3, -0.2).finished();
  CHECK(a.value(kX, p) == Approx(b.value(kX, p)).epsilon(1e-15));
}
