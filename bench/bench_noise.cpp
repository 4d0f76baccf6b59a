// Ensemble throughput of `fwkit simulate` with non-Gaussian noise: minibatch
// SGD on a finite sum (the scheme of data/experiments/simulate_minibatch_sgd.toml
// with its data set grown to n points), and the discrete, mixture and Markov
// noise models, in member-steps per second on one thread.
// bench/peer_noise.py runs the identical schemes vectorised in numpy.
//
//   f_i(x, y) = (x^2 - 1)^2/4 + a_i x + (y - w u_i x)^2 / 2,  w = 0.5,
//   a_i = 0.8 sin(i + 1), u_i = 1.5 cos(0.7 (i + 1)),  i = 0 .. n-1,
//   x <- x - eta mean_{i in I} grad f_i,  |I| = batch,  eta = 0.1.
//
// Usage: bench_noise [members] [steps] [repeats] [only cases whose label contains this]
#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <cstdlib>

#include "fwkit/model/catalog.hpp"
#include "fwkit/model/expression.hpp"
#include "fwkit/model/noise.hpp"
#include "fwkit/model/noise_markov.hpp"
#include "sim/ensemble.hpp"

using namespace fw;

namespace {

std::shared_ptr<const model::System> finite_sum(int n) {
  model::FiniteSumSpec spec;
  spec.variables = {"x", "y"};
  spec.parameters = {{"w", 0.5}};
  spec.component = "(x^2 - 1)^2/4 + a*x + 0.5*(y - w*u*x)^2";
  std::vector<double> a(n), u(n);
  for (int i = 0; i < n; ++i) {
    a[i] = 0.8 * std::sin(i + 1.0);
    u[i] = 1.5 * std::cos(0.7 * (i + 1.0));
  }
  spec.data = {{"a", a}, {"u", u}};
  return model::make_finite_sum_system(spec);
}

/// Best rate over `repeats` runs from (-1, 0), with E|x_N|^2 as a checksum.
std::string only;  // set once in main

void measure(const std::string& label, const model::Model& m, long members, long steps, int repeats) {
  if (label.find(only) == std::string::npos) return;
  sim::Options o;
  o.step.eta = 0.1;
  o.members = members;
  o.steps = steps;
  o.block = 256;
  o.threads = 1;
  o.burn_in = o.steps - 1;  // record only the last step
  o.batches = 1;
  double best = 0, check = 0;
  for (int r = 0; r < repeats; ++r) {
    o.seed = 1234 + static_cast<std::uint64_t>(r);
    auto s = sim::EnsembleState::start(o, (Vec(2) << -1.0, 0.0).finished());
    const auto t0 = std::chrono::steady_clock::now();
    sim::advance(m, o, s, o.steps);
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    double sum = 0;
    for (double v : s.x) sum += v * v;
    check = sum / static_cast<double>(members);
    best = std::max(best, static_cast<double>(members) * static_cast<double>(steps) / secs);
  }
  fmt::print("{:<44} {:>16.4g} {:>12.6f}\n", label, best, check);
}

}  // namespace

int main(int argc, char** argv) {
  const long members = argc > 1 ? std::atol(argv[1]) : 4096;
  const long steps = argc > 2 ? std::atol(argv[2]) : 2000;
  const int repeats = argc > 3 ? std::atoi(argv[3]) : 3;
  if (argc > 4) only = argv[4];
  fmt::print("# fwkit ensemble SGD with non-Gaussian noise, one thread, {} members x {} steps\n", members, steps);
  fmt::print("{:<44} {:>16} {:>12}\n", "case", "member-steps/s", "E|x_N|^2");
  for (int n : {4, 40, 4000})
    for (int batch : {1, 4}) {
      auto fs = finite_sum(n);
      measure(fmt::format("minibatch n={} B={} (with replacement)", n, batch),
              {fs, model::make_minibatch_noise(fs, batch, true)}, members, steps, repeats);
    }
  {
    auto fs = finite_sum(40);
    measure("minibatch n=40 B=4 (without replacement)", {fs, model::make_minibatch_noise(fs, 4, false)},
            members, steps, repeats);
  }
  // The other noise models on the 2-D double well, b = (x - x^3, -y).
  std::shared_ptr<const model::System> dw = model::make_catalog_system("double_well_2d", {});
  const std::vector<std::string> vars{"x", "y"};
  Mat atoms(2, 3);
  atoms << 1.0, -0.5, 0.2, 0.0, 1.5, -1.0;
  measure("discrete (3 atoms, constant scale)",
          {dw, model::make_discrete_noise(atoms, (Vec(3) << 0.5, 0.2, 0.3).finished(), nullptr)}, members, steps,
          repeats);
  std::vector<Vec> means{(Vec(2) << 0.0, 0.0).finished(), (Vec(2) << 1.5, -0.5).finished()};
  Mat c1(2, 2), c2(2, 2);
  c1 << 0.5, 0.1, 0.1, 0.3;
  c2 << 0.2, 0.0, 0.0, 0.6;
  measure("mixture (2 Gaussians, logits 0, 0.5x - y)",
          {dw, model::make_mixture_noise(means, {c1, c2},
                                         model::make_expression_field({{"0", "0.5*x - y"}}, vars, {}, "logits"))},
          members, steps, repeats);
  auto kernel = model::make_expression_field(
      {{"0.7 - 0.1*tanh(x)", "0.3 + 0.1*tanh(x)"}, {"0.2 + 0.05*sin(y)", "0.8 - 0.05*sin(y)"}}, vars, {}, "kernel");
  auto incr = model::make_expression_field({{"1 - x", "0.5 - y"}, {"-2 - x", "-1 - y + 0.3*x"}}, vars, {}, "increments");
  auto markov = model::make_markov_noise(kernel, incr, 2);
  measure("markov (2 states, expression kernel)", {std::make_shared<model::MarkovAverageSystem>(markov), markov},
          members, steps, repeats);
  return 0;
}
