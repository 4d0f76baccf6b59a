// gMAM (fwkit action) on two benchmark paths, one thread, for comparison
// with bench/peer_action.py (the same discretisation in numpy/scipy):
//   maier_stein:  beta = 10, mu = 1, D = I, from (-1, 0) to the saddle (0, 0),
//                 first path through (-0.5, 0.3) (the axis is a saddle point
//                 of the action for beta > 4);
//   muller_brown: scale 0.01, D = I, from the deepest minimum to the saddle
//                 next to it, both by Newton on the drift from (-0.56, 1.44)
//                 and (-0.82, 0.62).
// No seeding at the attractor (the peer does not implement it). Prints the
// nodes, iterations, best-of-3 seconds and the action.
//
// Usage: bench_action [nodes]   (default 401)
#include <fmt/format.h>

#include <chrono>
#include <cstdlib>

#include "action/gmam.hpp"
#include "fwkit/model/catalog.hpp"

using namespace fw;

namespace {

Vec newton(const model::System& s, Vec x) {
  for (int i = 0; i < 100; ++i) x -= s.jacobian_at(x).lu().solve(s.drift_at(x));
  return x;
}

void run(const std::string& name, const model::Hamiltonian& h, const Vec& a, const Vec& b, const Mat* guess, int nodes) {
  action::Options o;
  o.nodes = nodes;
  o.seed = 0;
  o.max_iterations = 200000;
  // One relaxation, as the peer does: no restarts and no saddle check (their
  // extra relaxations are the CLI's default, timed in the README's examples).
  o.restarts = false;
  o.saddle_check = false;
  double best = 1e300;
  action::Result r;
  for (int rep = 0; rep < 3; ++rep) {
    const auto t0 = std::chrono::steady_clock::now();
    r = action::minimize_action(h, a, b, o, guess);
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  fmt::print("{:<14} {:>6} {:>10} {:>10.5f} {:>20.14f}  {}\n", name, nodes,
             r.coarse_iterations > 0 ? fmt::format("{}+{}", r.coarse_iterations, r.iterations) : fmt::format("{}", r.iterations),
             best, r.action, r.message);
}

}  // namespace

int main(int argc, char** argv) {
  const int nodes = argc > 1 ? std::atoi(argv[1]) : 401;
  fmt::print("# fwkit gMAM, one thread\n{:<14} {:>6} {:>10} {:>10} {:>20}\n", "case", "nodes", "iterations", "seconds",
             "action");
  {
    std::shared_ptr<const model::System> s = model::make_catalog_system(
        "maier_stein", {{"beta", model::ParamValue::scalar(10.0)}, {"mu", model::ParamValue::scalar(1.0)}});
    const model::Hamiltonian h({s, model::make_gaussian_noise(Mat::Identity(2, 2))}, model::HamiltonianKind::kLangevin);
    Mat guess(2, 3);
    guess << -1, -0.5, 0, 0, 0.3, 0;
    run("maier_stein", h, (Vec(2) << -1, 0).finished(), Vec::Zero(2), &guess, nodes);
  }
  {
    std::shared_ptr<const model::System> s =
        model::make_catalog_system("muller_brown", {{"scale", model::ParamValue::scalar(0.01)}});
    const model::Hamiltonian h({s, model::make_gaussian_noise(Mat::Identity(2, 2))}, model::HamiltonianKind::kLangevin);
    const Vec a = newton(*s, (Vec(2) << -0.56, 1.44).finished()), b = newton(*s, (Vec(2) << -0.82, 0.62).finished());
    run("muller_brown", h, a, b, nullptr, nodes);
  }
  return 0;
}
