// solvers/compare/potential_model.cpp — Taylor models of V between nodes and
// cell masses (potential_model.hpp).
#include "potential_model.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <stdexcept>

namespace fw::compare {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

/// Multi-index of a flat node index (row-major, last coordinate fastest).
std::vector<int> unflatten(const grid::Grid& g, std::size_t flat) {
  std::vector<int> idx(static_cast<std::size_t>(g.dim()));
  for (int k = g.dim() - 1; k >= 0; --k) {
    idx[k] = static_cast<int>(flat % static_cast<std::size_t>(g.nodes[k]));
    flat /= static_cast<std::size_t>(g.nodes[k]);
  }
  return idx;
}

std::size_t stride_of(const grid::Grid& g, int k) {
  std::size_t s = 1;
  for (int j = g.dim() - 1; j > k; --j) s *= static_cast<std::size_t>(g.nodes[j]);
  return s;
}
}  // namespace

void gauss_legendre(int n, std::vector<double>& nodes, std::vector<double>& weights) {
  if (n < 1 || n > 64) throw std::invalid_argument("gauss_legendre: n must be in [1, 64]");
  nodes.assign(n, 0.0);
  weights.assign(n, 0.0);
  for (int i = 0; i < (n + 1) / 2; ++i) {
    // Newton on P_n from the Chebyshev-like first guess; P_n by the three-term recurrence.
    double x = std::cos(std::numbers::pi * (i + 0.75) / (n + 0.5)), dp = 0;
    for (int it = 0; it < 100; ++it) {
      double p0 = 1, p1 = x;
      for (int k = 2; k <= n; ++k) {
        const double p2 = ((2 * k - 1) * x * p1 - (k - 1) * p0) / k;
        p0 = p1;
        p1 = p2;
      }
      dp = n * (x * p1 - p0) / (x * x - 1);
      const double dx = p1 / dp;
      x -= dx;
      if (std::abs(dx) < 1e-15) break;
    }
    nodes[i] = -x;
    nodes[n - 1 - i] = x;
    weights[i] = weights[n - 1 - i] = 2 / ((1 - x * x) * dp * dp);
  }
}

GridPotential::GridPotential(grid::Grid grid, std::vector<double> value, std::vector<double> gradient)
    : grid_(std::move(grid)), value_(std::move(value)), gradient_(std::move(gradient)) {
  const int d = grid_.dim();
  const std::size_t n = grid_.size(), dd = static_cast<std::size_t>(d);
  if (value_.size() != n || gradient_.size() != n * dd)
    throw std::invalid_argument("GridPotential: V and grad V do not match the grid");
  hessian_.assign(n * dd * dd, kNaN);
  auto grad_ok = [&](std::size_t node) {
    if (!std::isfinite(value_[node])) return false;
    for (std::size_t j = 0; j < dd; ++j)
      if (!std::isfinite(gradient_[node * dd + j])) return false;
    return true;
  };
  for (std::size_t i = 0; i < n; ++i) {
    if (!grad_ok(i)) continue;
    const std::vector<int> idx = unflatten(grid_, i);
    bool ok = true;
    std::vector<double> h(dd * dd);
    for (int k = 0; k < d && ok; ++k) {
      const std::size_t st = stride_of(grid_, k);
      const bool lo = idx[k] > 0 && grad_ok(i - st), hi = idx[k] + 1 < grid_.nodes[k] && grad_ok(i + st);
      const double hk = grid_.spacing(k);
      for (std::size_t j = 0; j < dd; ++j) {
        // d/dx_k of dV/dx_j: central where both neighbours are reached, else one-sided.
        if (lo && hi) h[j * dd + k] = (gradient_[(i + st) * dd + j] - gradient_[(i - st) * dd + j]) / (2 * hk);
        else if (hi) h[j * dd + k] = (gradient_[(i + st) * dd + j] - gradient_[i * dd + j]) / hk;
        else if (lo) h[j * dd + k] = (gradient_[i * dd + j] - gradient_[(i - st) * dd + j]) / hk;
        else ok = false;
      }
    }
    if (!ok) continue;
    for (std::size_t a = 0; a < dd; ++a)
      for (std::size_t b = 0; b < dd; ++b) hessian_[i * dd * dd + a * dd + b] = 0.5 * (h[a * dd + b] + h[b * dd + a]);
  }
}

double GridPotential::at(const double* x) const {
  const std::int64_t node = grid_.locate(x);
  if (node < 0) return kNaN;
  const std::size_t i = static_cast<std::size_t>(node), dd = static_cast<std::size_t>(grid_.dim());
  if (value_[i] == kInf) return kInf;
  double u[3], v = value_[i];
  std::size_t flat = i;
  for (std::size_t k = dd; k-- > 0;) {
    const auto n = static_cast<std::size_t>(grid_.nodes[k]);
    u[k] = x[k] - grid_.coordinate(static_cast<int>(k), static_cast<int>(flat % n));
    flat /= n;
  }
  for (std::size_t k = 0; k < dd; ++k) {
    v += gradient_[i * dd + k] * u[k];
    for (std::size_t j = 0; j < dd; ++j) v += 0.5 * u[k] * hessian_[i * dd * dd + k * dd + j] * u[j];
  }
  return v;  // NaN where the Hessian is unknown
}

std::size_t GridPotential::minimum_node() const {
  std::size_t best = 0;
  for (std::size_t i = 1; i < value_.size(); ++i)
    if (value_[i] < value_[best]) best = i;
  return best;
}

CellRule::CellRule(int order) : order_(order) {
  std::vector<double> w;
  gauss_legendre(order, nodes_, w);
  for (double wi : w) log_weights_.push_back(std::log(wi));
}

double CellRule::log_mass(const GridPotential& v, const grid::Grid& cells, std::size_t cell, double s,
                          double v_ref) const {
  const int d = cells.dim();
  if (d != v.grid().dim() || d > 3) throw std::invalid_argument("cell_log_mass: dimensions differ or exceed 3");
  const std::vector<int> idx = unflatten(cells, cell);
  double mid[3], half[3], log_volume = 0;
  for (int k = 0; k < d; ++k) {
    const double c = cells.coordinate(k, idx[k]), h = cells.spacing(k);
    const double a = std::max(c - h / 2, cells.lower[k]), b = std::min(c + h / 2, cells.upper[k]);
    mid[k] = 0.5 * (a + b);
    half[k] = 0.5 * (b - a);
    log_volume += std::log(half[k]);
  }
  // log-sum-exp over the tensor rule's points.
  std::size_t total = 1;
  for (int k = 0; k < d; ++k) total *= static_cast<std::size_t>(order_);
  std::vector<double> terms;
  terms.reserve(total);
  double x[3];
  for (std::size_t q = 0; q < total; ++q) {
    std::size_t r = q;
    double logw = log_volume;
    for (int k = d - 1; k >= 0; --k) {
      const std::size_t j = r % static_cast<std::size_t>(order_);
      r /= static_cast<std::size_t>(order_);
      x[k] = mid[k] + half[k] * nodes_[j];
      logw += log_weights_[j];
    }
    const double vq = v.at(x);
    if (std::isnan(vq)) return kNaN;
    terms.push_back(logw - (vq - v_ref) / s);
  }
  const double top = *std::max_element(terms.begin(), terms.end());
  if (top == -kInf) return -kInf;
  double sum = 0;
  for (double t : terms) sum += std::exp(t - top);
  return top + std::log(sum);
}

double cell_log_mass(const GridPotential& v, const grid::Grid& cells, std::size_t cell, double s, double v_ref,
                     int order) {
  return CellRule(order).log_mass(v, cells, cell, s, v_ref);
}

}  // namespace fw::compare
