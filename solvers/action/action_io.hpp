// solvers/action/action_io.hpp — minimum action paths in result files
// (docs/hdf5-schema.md, group /action).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "fwkit/io/result_file.hpp"
#include "gmam.hpp"

namespace fw::action {

/// The refinement N -> 2N: the finer run's action and the extrapolation.
struct Refinement {
  double fine_action;
  double extrapolated;
  double error_estimate;  // |extrapolated - fine|
};

void write_action(const io::Group& parent, const Result& result, const std::vector<std::string>& variables,
                  const std::string& hamiltonian, const std::optional<Refinement>& refinement);

}  // namespace fw::action
