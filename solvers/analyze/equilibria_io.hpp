// solvers/analyze/equilibria_io.hpp — equilibria in result files.
//
// Layout of the /equilibria group (docs/hdf5-schema.md):
//   dimensions  equilibrium, component, eigenvalue (0-based indices)
//   state(equilibrium, component), stability(equilibrium) with CF flags
//   (0 stable, 1 saddle, 2 unstable, 3 degenerate), index(equilibrium),
//   eigenvalue_real / eigenvalue_imag(equilibrium, eigenvalue),
//   residual(equilibrium), hits(equilibrium); for gradient systems also
//   loss(equilibrium) and hessian_eigenvalues(equilibrium, eigenvalue).
#pragma once

#include <string>
#include <vector>

#include "equilibria.hpp"
#include "fwkit/io/reader.hpp"
#include "fwkit/io/result_file.hpp"

namespace fw::analyze {

void write_equilibria(const io::Group& parent, const Result& result, const Options& options,
                      const std::vector<std::string>& variable_names);

/// Reads the equilibria that write_equilibria() stored under `group`.
std::vector<Equilibrium> read_equilibria(const io::Reader& reader,
                                         const std::string& group = "/equilibria");

}  // namespace fw::analyze
