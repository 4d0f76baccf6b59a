// Ensemble throughput of `fwkit simulate`'s engine: constant-step SGD on the
// 2-D double well f = (x^2-1)^2/4 + y^2/2 with Gaussian noise N(0, I),
//     x <- x + eta (-grad f(x) + Z),
// measured in member-steps per second on one thread (per core) and on all.
// bench/peer_sim.py runs the identical scheme in numpy and numba.
//
// Usage: bench_sim [members] [steps] [repeats]
#include <fmt/format.h>

#include <chrono>
#include <cstdlib>

#include "fwkit/model/catalog.hpp"
#include "sim/ensemble.hpp"

using namespace fw;

namespace {

double run(const model::Model& m, sim::Options o, int threads, bool reduce, double* checksum) {
  o.threads = threads;
  if (!reduce) {
    o.burn_in = o.steps - 1;  // record only the last step
    o.stride = 1;
    o.batches = 1;
  }
  auto s = sim::EnsembleState::start(o, (Vec(2) << -1.0, 0.0).finished());
  const auto t0 = std::chrono::steady_clock::now();
  sim::advance(m, o, s, o.steps);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  double sum = 0;
  for (double v : s.x) sum += v * v;
  *checksum = sum / static_cast<double>(o.members);
  return static_cast<double>(o.members) * static_cast<double>(o.steps) / secs;
}

}  // namespace

int main(int argc, char** argv) {
  const long members = argc > 1 ? std::atol(argv[1]) : 4096;
  const long steps = argc > 2 ? std::atol(argv[2]) : 2000;
  const int repeats = argc > 3 ? std::atoi(argv[3]) : 3;
  std::shared_ptr<const model::System> dw = model::make_catalog_system("double_well_2d", {});
  const model::Model m{dw, model::make_gaussian_noise(Mat::Identity(2, 2))};
  sim::Options o;
  o.step.eta = 0.05;
  o.members = members;
  o.steps = steps;
  o.block = 256;
  o.batches = 10;
  o.regions = {{"left", (Vec(2) << -1.0, 0.0).finished(), 0.5, {}, {}},
               {"right", (Vec(2) << 1.0, 0.0).finished(), 0.5, {}, {}}};
  fmt::print("# fwkit ensemble SGD, 2-D double well, eta = {}, {} members x {} steps\n", o.step.eta, members, steps);
  fmt::print("{:<44} {:>16} {:>12}\n", "case", "member-steps/s", "E|x_N|^2");
  const int all = 0;
  for (auto [label, threads, reduce] : {std::tuple{"fwkit, 1 thread, no reductions", 1, false},
                                        std::tuple{"fwkit, 1 thread, moments+occupation every step", 1, true},
                                        std::tuple{"fwkit, all threads, no reductions", all, false}}) {
    double best = 0, checksum = 0;
    for (int r = 0; r < repeats; ++r) best = std::max(best, run(m, o, threads, reduce, &checksum));
    fmt::print("{:<44} {:>16.4g} {:>12.6f}\n", label, best, checksum);
  }
  return 0;
}
