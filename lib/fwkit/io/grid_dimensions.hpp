// fwkit/io/grid_dimensions.hpp — a node grid as netCDF dimensions.
#pragma once

#include <string>
#include <vector>

#include "fwkit/grid/grid.hpp"
#include "fwkit/io/result_file.hpp"

namespace fw::io {

/// Adds one dimension per grid axis to `g`, named after the state variable,
/// with the node coordinates as its coordinate variable; returns the names
/// in axis order (the dims of a dataset on the grid).
inline std::vector<std::string> add_grid_dimensions(const Group& g, const grid::Grid& grid,
                                                    const std::vector<std::string>& variables) {
  std::vector<std::string> dims;
  for (int k = 0; k < grid.dim(); ++k) {
    std::vector<double> c;
    for (int i = 0; i < grid.nodes[k]; ++i) c.push_back(grid.coordinate(k, i));
    g.add_dimension(variables[k], c, {"1", "grid node coordinate " + variables[k]});
    dims.push_back(variables[k]);
  }
  return dims;
}

}  // namespace fw::io
