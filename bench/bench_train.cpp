// Training throughput of `fwkit train`: SGD steps per second of one member on
// one thread (denoising score matching on four 1-D points, the two-layer ReLU
// eps-network), for a small and a wider network. Compare with
// bench/peer_train.py (the same scheme in numpy), run side by side by
// bench/run_train.sh. The final excess risk is printed as a checksum: both
// implementations should land at about the same value.
#include <fmt/format.h>

#include <chrono>
#include <cstdlib>

#include "train/trainer.hpp"

int main(int argc, char** argv) {
  const std::int64_t steps = argc > 1 ? std::atoll(argv[1]) : 20000;
  const int repeats = argc > 2 ? std::atoi(argv[2]) : 3;
  fw::Mat data(1, 4);
  data << -1.5, -0.5, 0.5, 1.5;
  for (auto [width, batch] : {std::pair{64, 32}, std::pair{256, 128}}) {
    fw::train::Options o;
    o.width = width;
    o.batch = batch;
    o.levels = 10;
    o.t_min = 1e-3;
    o.t_max = 4;
    o.step.eta = 0.01;
    o.steps = steps;
    o.stride = steps;  // monitors at the start and the end only
    o.samples = 16;
    o.design_draws = 8;
    o.members = 1;
    o.threads = 1;
    double best = 1e300, excess = 0;
    for (int r = 0; r < repeats; ++r) {
      const auto t0 = std::chrono::steady_clock::now();
      const auto result = fw::train::train(o, data);
      best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
      excess = result.members[0].excess_risk.back();
    }
    fmt::print("fwkit   width {:4d} batch {:4d}: {:10.0f} steps/s  ({:.3f} s for {} steps)  excess risk {:.4f}\n", width,
               batch, static_cast<double>(steps) / best, best, steps, excess);
  }
}
