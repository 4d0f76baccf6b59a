#include "olim.hpp"

#include <fmt/format.h>

#include <cmath>
#include <limits>

#include "fwkit/core/error.hpp"

namespace fw::hj {

void Options::validate() const {
  if (radius < 0 || radius > 200)
    throw config_error(fmt::format("quasipotential.radius = {}: must be in [0, 200] (0: automatic)", radius));
  if (!(seed_radius >= 1 && seed_radius <= 50))
    throw config_error(fmt::format("quasipotential.seed_radius = {}: must be in [1, 50] grid steps", seed_radius));
}

bool jet_applies(const model::Hamiltonian& h, int dim, std::string* why) {
  auto no = [&](const char* reason) {
    if (why) *why = reason;
    return false;
  };
  if (dim != 2 && dim != 3) return no("the jet method is for 2-D and 3-D grids; use method = \"olim\"");
  const auto& noise = *h.model().noise;
  if (!(h.kind() == model::HamiltonianKind::kLangevin || noise.is_gaussian()))
    return no("the jet method needs Gaussian noise; use method = \"olim\" for this Hamiltonian");
  if (!noise.depends_on_state()) {
    Eigen::SelfAdjointEigenSolver<Mat> es(noise.covariance(Vec::Zero(dim)));
    if (!(es.eigenvalues().minCoeff() > 1e-12 * es.eigenvalues().cwiseAbs().maxCoeff()))
      return no("the jet method needs an invertible noise covariance; use method = \"olim\"");
  }
  return true;
}

const char* method_name(Method m) { return m == Method::kJet ? "jet" : "olim"; }

std::size_t Result::memory_estimate(const grid::Grid& g) {
  // V, status, the accepted flag and neighbour count, the trial and front
  // bits, and a heap of at most a few (value, node) entries per node.
  return g.size() * (sizeof(double) + 3 + 3 * (sizeof(double) + sizeof(std::int64_t))) + g.size() / 4 + 16;
}

std::size_t Result::memory_estimate(const grid::Grid& g, Method m) {
  // The jet method adds grad V, a flag and the slot of a pending update per
  // node (the pending updates themselves are few: one per trial node).
  // Options::guided: the guide's V (a float), its direction (16 bits a
  // component) and the order (a node index) per node; the coarse solve
  // before it has an eighth (3-D) or a quarter (2-D) of the nodes and is
  // freed before the fine march starts.
  const std::size_t jet = g.dim() * sizeof(double) + 1 + sizeof(std::int32_t);
  const std::size_t guide = sizeof(float) + g.dim() * sizeof(std::int16_t) + sizeof(std::int32_t);
  return memory_estimate(g) + (m == Method::kJet ? g.size() * (jet + guide) : 0);
}

std::string Result::brief_report() const {
  std::string s = fmt::format("quasi-potential ({}): {} ({} nodes accepted, radius {}, {} updates, {:.3g} s)\n",
                              method_name(method), message, accepted, radius, updates, seconds);
  if (!guide_grid.empty()) {
    s += "  guided by a solve on ";
    for (std::size_t k = 0; k < guide_grid.size(); ++k) s += fmt::format("{}{}", k ? "x" : "", guide_grid[k]);
    s += fmt::format(" nodes; {} nodes by the march's full updates\n", guide_fallbacks);
  }
  if (status == Status::kStoppedAtBoundary) {
    s += fmt::format("  first boundary node at (");
    for (std::size_t k = 0; k < boundary_point.size(); ++k) s += fmt::format("{}{:.6g}", k ? ", " : "", boundary_point[k]);
    s += fmt::format("), V = {:.10g}\n", boundary_value);
  }
  return s;
}

double interpolate(const grid::Grid& g, const std::vector<double>& values, const double* x) {
  const int d = g.dim();
  std::vector<int> base(d);
  std::vector<double> frac(d);
  for (int k = 0; k < d; ++k) {
    const double u = (x[k] - g.lower[k]) / g.spacing(k);
    if (!(u >= 0 && u <= g.nodes[k] - 1)) return std::numeric_limits<double>::quiet_NaN();
    base[k] = std::min(static_cast<int>(u), g.nodes[k] - 2);
    frac[k] = u - base[k];
  }
  double acc = 0;
  for (int corner = 0; corner < (1 << d); ++corner) {
    double w = 1;
    std::int64_t f = 0;
    for (int k = 0; k < d; ++k) {
      const int bit = (corner >> k) & 1;
      w *= bit ? frac[k] : 1 - frac[k];
      f = f * g.nodes[k] + base[k] + bit;
    }
    if (w == 0) continue;
    if (!std::isfinite(values[f])) return std::numeric_limits<double>::quiet_NaN();
    acc += w * values[f];
  }
  return acc;
}

std::vector<double> gradient(const grid::Grid& g, const std::vector<double>& values) {
  const int d = g.dim();
  const std::int64_t N = static_cast<std::int64_t>(g.size());
  std::vector<std::int64_t> stride(d);
  std::int64_t s = 1;
  for (int k = d - 1; k >= 0; --k) {
    stride[k] = s;
    s *= g.nodes[k];
  }
  std::vector<double> grad(static_cast<std::size_t>(N) * d, std::numeric_limits<double>::quiet_NaN());
  for (std::int64_t f = 0; f < N; ++f) {
    if (!std::isfinite(values[f])) continue;
    for (int k = 0; k < d; ++k) {
      const int i = static_cast<int>((f / stride[k]) % g.nodes[k]);
      const bool lo = i > 0 && std::isfinite(values[f - stride[k]]);
      const bool hi = i < g.nodes[k] - 1 && std::isfinite(values[f + stride[k]]);
      const double hk = g.spacing(k);
      double v = std::numeric_limits<double>::quiet_NaN();
      if (lo && hi) v = (values[f + stride[k]] - values[f - stride[k]]) / (2 * hk);
      else if (hi) v = (values[f + stride[k]] - values[f]) / hk;
      else if (lo) v = (values[f] - values[f - stride[k]]) / hk;
      grad[static_cast<std::size_t>(f) * d + k] = v;
    }
  }
  return grad;
}

}  // namespace fw::hj
