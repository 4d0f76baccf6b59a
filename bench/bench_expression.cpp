// Expression systems against their built-in twins: drift evaluation
// throughput, batched (structure of arrays, as the ensemble engine calls it)
// and pointwise (as Newton and the grid solvers call it), and the Jacobian.
// Prints ns per point and the ratio expression / built-in (target: <= 3 for
// batched evaluation). Usage: bench_expression [points] [repeats]
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <vector>

#include "fwkit/model/catalog.hpp"
#include "fwkit/model/expression.hpp"
#include "fwkit/rng/stream.hpp"

using namespace fw;
using namespace fw::model;

namespace {

/// Best wall time of `repeats` runs of f, in seconds.
double best_time(int repeats, const std::function<void()>& f) {
  double best = 1e300;
  for (int r = 0; r < repeats; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    f();
    const auto t1 = std::chrono::steady_clock::now();
    best = std::min(best, std::chrono::duration<double>(t1 - t0).count());
  }
  return best;
}

struct Twin {
  std::string name;
  std::unique_ptr<System> builtin, expression;
};

std::vector<Twin> twins() {
  std::vector<Twin> out;
  auto add = [&](const std::string& name, ExpressionSpec spec) {
    out.push_back({name, make_catalog_system(name, {}), make_expression_system(spec)});
  };
  ExpressionSpec s;
  s.variables = {"x", "y"};
  s.loss = "(x^2 - 1)^2/4 + y^2/2";
  add("double_well_2d", s);
  s = {};
  s.variables = {"x", "y"};
  s.drift = {"x - x^3 - 10*x*y^2", "-(1 + x^2)*y"};
  add("maier_stein", s);
  s = {};
  s.variables = {"x", "y"};
  s.drift = {"10*(x - x^3/3 - y)", "x/10"};
  add("van_der_pol", s);
  s = {};
  s.variables = {"x", "y"};
  s.loss =
      "-200*exp(-(x-1)^2 - 10*y^2) - 100*exp(-x^2 - 10*(y-0.5)^2)"
      " - 170*exp(-6.5*(x+0.5)^2 + 11*(x+0.5)*(y-1.5) - 6.5*(y-1.5)^2)"
      " + 15*exp(0.7*(x+1)^2 + 0.6*(x+1)*(y-1) + 0.7*(y-1)^2)";
  add("muller_brown", s);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  const std::size_t n = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 1 << 16;
  const int repeats = argc > 2 ? std::atoi(argv[2]) : 20;
  std::vector<double> x(2 * n), b(2 * n);
  rng::Stream rs(1, 0);
  for (auto& v : x) v = 3 * rs.uniform() - 1.5;
  fmt::print("points {}, best of {} runs, one thread\n", n, repeats);
  fmt::print("{:<16} {:>14} {:>14} {:>7}   {:>14} {:>14} {:>7}   {:>14} {:>14} {:>7}\n", "system",
             "batch builtin", "batch expr", "ratio", "point builtin", "point expr", "ratio",
             "jac builtin", "jac expr", "ratio");
  for (const auto& t : twins()) {
    auto batch = [&](const System& s) {
      return best_time(repeats, [&] { s.drift_batch(x.data(), b.data(), n); }) / n * 1e9;
    };
    auto point = [&](const System& s) {
      return best_time(repeats, [&] {
               for (std::size_t m = 0; m < n; ++m) s.drift(&x[2 * (m % (n / 2))], &b[2 * m % (2 * n)]);
             }) / n * 1e9;
    };
    auto jac = [&](const System& s) {
      double j[4];
      double sink = 0;
      const double t = best_time(repeats, [&] {
        for (std::size_t m = 0; m < n; ++m) {
          s.jacobian(&x[2 * (m % (n / 2))], j);
          sink += j[0];
        }
      });
      if (sink == 42.4242) fmt::print(" ");
      return t / n * 1e9;
    };
    const double bb = batch(*t.builtin), be = batch(*t.expression);
    const double pb = point(*t.builtin), pe = point(*t.expression);
    const double jb = jac(*t.builtin), je = jac(*t.expression);
    fmt::print("{:<16} {:>11.2f} ns {:>11.2f} ns {:>7.2f}   {:>11.2f} ns {:>11.2f} ns {:>7.2f}   {:>11.2f} ns {:>11.2f} ns {:>7.2f}\n",
               t.name, bb, be, be / bb, pb, pe, pe / pb, jb, je, je / jb);
  }
  return 0;
}
