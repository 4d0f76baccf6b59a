// The grid solver on the benchmark of the OLIM literature: b = (-2x - 10y,
// 20x - y), D = I, V = 2x^2 + y^2 on [-1, 1]^2, one thread. Prints, per grid,
// the update radius, the time, the max error over the nodes with V <= 1 (the
// sublevel set inside the box, which the characteristics do not leave), its
// 99.9th percentile there, the max error over the whole box, and for the
// jet method the RMS error of the marched grad V over V <= 1. 3-D: the linear field b = (-(1/2) I + s S) Q x of
// the validation tests (S skew, s = 1 by default: strong rotation),
// V = (x^2 + 2y^2 + 3z^2)/2 whatever s, errors over V <= 0.45.
//
// Usage: bench_hj [3d] [olim|jet] [march] [K=radius] [S=s] [n ...]
//   march: the ordered march everywhere (2-D jet: no coarse guide from
//   257 nodes a side, Options::guided).
//   2-D default: jet on 129 257 513 1025; 3-D: jet on 25 33 49 (OLIM with
//   K = n / 6 unless K is given).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "fwkit/model/catalog.hpp"
#include "hj/olim.hpp"

using namespace fw;

namespace {

/// The q-quantile of the errors (reorders them): with the max, it shows
/// whether the max error is a smooth field or a few isolated nodes.
double quantile(std::vector<double>& e, double q) {
  if (e.empty()) return std::nan("");
  const auto k = static_cast<std::ptrdiff_t>(q * static_cast<double>(e.size() - 1));
  std::nth_element(e.begin(), e.begin() + k, e.end());
  return e[static_cast<std::size_t>(k)];
}

void print_row(int n, const hj::Result& r, const hj::Options& o, double inner, std::vector<double>& errs, double all,
               double g2, double count) {
  fmt::print("{:>6} {:>4} {:>10.3f} {:>12.3e} {:>12.3e} {:>12.3e} {:>12.3e} {:>8.1f} {:>10.1f}\n", n, r.radius,
             r.seconds, inner, quantile(errs, 0.999), all, count > 0 ? std::sqrt(g2 / count) : std::nan(""),
             static_cast<double>(hj::Result::memory_estimate(r.grid, o.method)) / 1e6,
             static_cast<double>(r.updates) / static_cast<double>(r.accepted));
}

void run_2d(int n, const hj::Options& o) {
  std::shared_ptr<const model::System> lin = model::make_catalog_system("linear", {});
  const model::Hamiltonian h({lin, model::make_gaussian_noise(Mat::Identity(2, 2))}, model::HamiltonianKind::kLangevin);
  const hj::Result r = hj::solve<2>({h, grid::Grid{{-1, -1}, {1, 1}, {n, n}}, Vec::Zero(2)}, o);
  double inner = 0, all = 0, g2 = 0, count = 0;
  std::vector<double> errs;
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) {
      const double x = r.grid.coordinate(0, i), y = r.grid.coordinate(1, j), v = 2 * x * x + y * y;
      const std::size_t f = static_cast<std::size_t>(i) * n + j;
      const double e = std::abs(r.value[f] - v);
      all = std::max(all, e);
      if (v > 1) continue;
      inner = std::max(inner, e);
      errs.push_back(e);
      if (!r.grad.empty()) {
        g2 += std::pow(r.grad[2 * f] - 4 * x, 2) + std::pow(r.grad[2 * f + 1] - 2 * y, 2);
        count += 1;
      }
    }
  print_row(n, r, o, inner, errs, all, g2, count);
}

void run_3d(int n, hj::Options o, double rotation) {
  const Mat q = Eigen::Vector3d(1, 2, 3).asDiagonal();
  Mat skew(3, 3);
  skew << 0, 4, -2, -4, 0, 3, 2, -3, 0;
  const Mat a = (-0.5 * Mat::Identity(3, 3) + rotation * skew) * q;
  model::ParamValue pv{{}, 3, 3};
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) pv.data.push_back(a(i, j));
  std::shared_ptr<const model::System> s = model::make_catalog_system("linear", {{"A", pv}});
  const model::Hamiltonian h({s, model::make_gaussian_noise(Mat::Identity(3, 3))}, model::HamiltonianKind::kLangevin);
  if (o.radius == 0 && o.method == hj::Method::kOlim) o.radius = n / 6;
  const hj::Result r = hj::solve<3>({h, grid::Grid{{-1, -1, -1}, {1, 1, 1}, {n, n, n}}, Vec::Zero(3)}, o);
  double inner = 0, all = 0, g2 = 0, count = 0;
  std::vector<double> errs;
  for (std::size_t f = 0; f < r.grid.size(); ++f) {
    const double x = r.grid.coordinate(0, static_cast<int>(f / (n * n))), y = r.grid.coordinate(1, static_cast<int>((f / n) % n)),
                 z = r.grid.coordinate(2, static_cast<int>(f % n));
    const double v = 0.5 * (x * x + 2 * y * y + 3 * z * z), e = std::abs(r.value[f] - v);
    all = std::max(all, e);
    if (v > 0.45) continue;
    inner = std::max(inner, e);
    errs.push_back(e);
    if (!r.grad.empty()) {
      g2 += std::pow(r.grad[3 * f] - x, 2) + std::pow(r.grad[3 * f + 1] - 2 * y, 2) + std::pow(r.grad[3 * f + 2] - 3 * z, 2);
      count += 1;
    }
  }
  print_row(n, r, o, inner, errs, all, g2, count);
}

}  // namespace

int main(int argc, char** argv) {
  bool three = false, method_given = false;
  double rotation = 1;
  hj::Options o;
  std::vector<int> sizes;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "3d") == 0) {
      three = true;
    } else if (std::strcmp(argv[i], "jet") == 0 || std::strcmp(argv[i], "olim") == 0) {
      o.method = argv[i][0] == 'j' ? hj::Method::kJet : hj::Method::kOlim;
      method_given = true;
    } else if (std::strcmp(argv[i], "march") == 0) {
      o.guided = false;
    } else if (std::strncmp(argv[i], "S=", 2) == 0) {
      rotation = std::atof(argv[i] + 2);
    } else if (std::strncmp(argv[i], "K=", 2) == 0) {
      o.radius = std::atoi(argv[i] + 2);
    } else {
      sizes.push_back(std::atoi(argv[i]));
    }
  }
  if (!method_given) o.method = hj::Method::kJet;
  if (sizes.empty()) sizes = three ? std::vector<int>{25, 33, 49} : std::vector<int>{129, 257, 513, 1025};
  fmt::print("# {}, {}, one thread\n", o.method == hj::Method::kJet ? "jet" : "OLIM-MID",
             three ? fmt::format("3-D linear, rotation s = {}, V = (x^2+2y^2+3z^2)/2", rotation)
                   : std::string("2-D b = (-2x-10y, 20x-y), V = 2x^2+y^2 on [-1,1]^2"));
  fmt::print("{:>6} {:>4} {:>10} {:>12} {:>12} {:>12} {:>12} {:>8} {:>10}\n", "n", "K", "seconds", "err(inner)",
             "p99.9(inner)", "err(box)", "rms grad err", "MB", "updates/node");
  for (int n : sizes) three ? run_3d(n, o, rotation) : run_2d(n, o);
  return 0;
}
