#include "global.hpp"

#include <fmt/format.h>

#include <cmath>
#include <limits>

#include "fwkit/core/error.hpp"

namespace fw::hj {

Vec w_graph_energies(const Mat& cost) {
  const int m = static_cast<int>(cost.rows());
  if (m < 1 || m > 8 || cost.cols() != m) throw Error(ExitCode::kSoftware, "w_graph_energies: need 1..8 attractors");
  Vec w = Vec::Constant(m, std::numeric_limits<double>::infinity());
  if (m == 1) {
    w[0] = 0;
    return w;
  }
  // Every map parent: {0..m-1} -> {0..m-1} with parent(root) = root and no
  // other fixed point is an arborescence towards root iff following parents
  // from any node reaches the root.
  std::vector<int> parent(m, 0);
  long long total = 1;
  for (int k = 0; k < m; ++k) total *= m;
  for (long long code = 0; code < total; ++code) {
    long long c = code;
    for (int k = 0; k < m; ++k) {
      parent[k] = static_cast<int>(c % m);
      c /= m;
    }
    int root = -1, roots = 0;
    for (int k = 0; k < m; ++k)
      if (parent[k] == k) {
        root = k;
        ++roots;
      }
    if (roots != 1) continue;
    bool tree = true;
    double sum = 0;
    for (int k = 0; k < m && tree; ++k) {
      int at = k;
      for (int steps = 0; steps < m && at != root; ++steps) at = parent[at];
      tree = at == root;
      if (k != root) sum += cost(k, parent[k]);
    }
    if (tree) w[root] = std::min(w[root], sum);
  }
  return w;
}

std::string GlobalResult::brief_report() const {
  std::string s = fmt::format("global quasi-potential over {} attractors (ground state {}):\n", attractors.size(), ground);
  for (std::size_t i = 0; i < attractors.size(); ++i) {
    s += fmt::format("  attractor {} at (", i);
    for (Eigen::Index k = 0; k < attractors[i].size(); ++k) s += fmt::format("{}{:.6g}", k ? ", " : "", attractors[i][k]);
    s += fmt::format("): W = {:.8g}, costs to others:", w[static_cast<Eigen::Index>(i)]);
    for (std::size_t j = 0; j < attractors.size(); ++j)
      if (j != i) s += fmt::format(" {:.8g}", cost(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)));
    s += "\n";
  }
  return s;
}

template <int D>
GlobalResult solve_global(const model::Hamiltonian& h, const grid::Grid& grid, const std::vector<Vec>& attractors,
                          const Options& options, Progress* progress, const std::vector<Vec>& saddles) {
  GlobalResult g;
  g.attractors = attractors;
  const int m = static_cast<int>(attractors.size());
  Options o = options;
  o.stop_at_boundary = false;  // the costs need the whole box
  for (const Vec& a : attractors) {
    std::vector<Vec> others = saddles;
    for (const Vec& b : attractors)
      if (&b != &a) others.push_back(b);
    g.local.push_back(solve<D>(Problem{h, grid, a, others}, o, progress));
    if (!g.local.back().ok()) throw Error(ExitCode::kData, "quasipotential: " + g.local.back().message);
  }
  g.cost = Mat::Zero(m, m);
  for (int i = 0; i < m; ++i)
    for (int j = 0; j < m; ++j) {
      if (i == j) continue;
      const double v = interpolate(grid, g.local[i].value, attractors[j].data());
      g.cost(i, j) = std::isfinite(v) ? v : std::numeric_limits<double>::infinity();
    }
  g.w = w_graph_energies(g.cost);
  g.w.minCoeff(&g.ground);
  const double wmin = g.w[g.ground];
  g.value.assign(grid.size(), std::numeric_limits<double>::infinity());
  for (int i = 0; i < m; ++i)
    for (std::size_t f = 0; f < grid.size(); ++f) g.value[f] = std::min(g.value[f], g.w[i] - wmin + g.local[i].value[f]);
  return g;
}

template GlobalResult solve_global<2>(const model::Hamiltonian&, const grid::Grid&, const std::vector<Vec>&,
                                      const Options&, Progress*, const std::vector<Vec>&);
template GlobalResult solve_global<3>(const model::Hamiltonian&, const grid::Grid&, const std::vector<Vec>&,
                                      const Options&, Progress*, const std::vector<Vec>&);

}  // namespace fw::hj
