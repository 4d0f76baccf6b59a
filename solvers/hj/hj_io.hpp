// solvers/hj/hj_io.hpp — grid potentials and their paths in HDF5.
// Layout in docs/hdf5-schema.md ("quasipotential").
#pragma once

#include <string>
#include <vector>

#include "fwkit/io/result_file.hpp"
#include "global.hpp"
#include "paths.hpp"

namespace fw::hj {

/// Writes V, node status and grad V on the grid (the grid coordinates as
/// dimension scales named after the variables) under `g`.
void write_potential(const io::Group& g, const Result& r, const std::vector<double>& grad,
                     const std::vector<std::string>& variables, const Vec& attractor);

/// Writes a global potential under `g`: V (global), grad_V, local_V per
/// attractor, the attractors, the cost matrix and the W-graph energies.
void write_global(const io::Group& g, const GlobalResult& r, const std::vector<double>& grad,
                  const std::vector<std::string>& variables);

/// Writes traced paths under g/paths (padded with NaN to the longest).
void write_paths(const io::Group& g, const std::vector<Path>& paths, int dim);

}  // namespace fw::hj
