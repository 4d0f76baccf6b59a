// fwkit/grid/grid.hpp — a uniform node grid on a box, in any dimension.
//
// Nodes sit at lower_k + i h_k, i = 0 .. nodes_k - 1, h_k = (upper_k -
// lower_k) / (nodes_k - 1), flattened row-major (the last coordinate varies
// fastest, as in the HDF5 files). The grid solvers store V at these nodes and
// the simulator's histograms count samples in the dual cells around them
// (the points nearer to that node than to any other), so a simulated density
// and a computed potential compare node by node. Boundary cells are half (or,
// at corners, a quarter, ...) of an interior cell.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace fw::grid {

struct Grid {
  std::vector<double> lower, upper;  // box corners, lower_k < upper_k
  std::vector<int> nodes;            // nodes per dimension, each >= 2

  int dim() const { return static_cast<int>(nodes.size()); }
  double spacing(int k) const { return (upper[k] - lower[k]) / (nodes[k] - 1); }
  std::size_t size() const {
    std::size_t n = 1;
    for (int v : nodes) n *= static_cast<std::size_t>(v);
    return n;
  }
  /// Coordinate of node i along dimension k.
  double coordinate(int k, int i) const { return lower[k] + i * spacing(k); }

  /// Flat index of the node whose dual cell contains x, or -1 if x lies
  /// outside the closed box (or is not finite).
  std::int64_t locate(const double* x) const {
    std::int64_t flat = 0;
    for (int k = 0; k < dim(); ++k) {
      const double u = (x[k] - lower[k]) / spacing(k);
      if (!(u >= 0.0) || !(u <= nodes[k] - 1)) return -1;
      flat = flat * nodes[k] + static_cast<std::int64_t>(u + 0.5);
    }
    return flat;
  }

  /// Volume of the dual cell of node `flat` that lies inside the box.
  double cell_volume(std::int64_t flat) const {
    double v = 1;
    for (int k = dim() - 1; k >= 0; --k) {
      const int i = static_cast<int>(flat % nodes[k]);
      flat /= nodes[k];
      v *= (i == 0 || i == nodes[k] - 1) ? 0.5 * spacing(k) : spacing(k);
    }
    return v;
  }

  /// "" when valid, else what is wrong (for a config error).
  std::string check(int expected_dim) const {
    if (static_cast<int>(lower.size()) != expected_dim || static_cast<int>(upper.size()) != expected_dim ||
        static_cast<int>(nodes.size()) != expected_dim)
      return "lower, upper and nodes need " + std::to_string(expected_dim) + " entries each";
    for (int k = 0; k < expected_dim; ++k) {
      if (!(lower[k] < upper[k])) return "lower must be < upper in every dimension";
      if (nodes[k] < 2) return "nodes must be >= 2 in every dimension";
    }
    if (size() > (std::size_t{1} << 27)) return "more than 2^27 nodes";
    return "";
  }
};

}  // namespace fw::grid
