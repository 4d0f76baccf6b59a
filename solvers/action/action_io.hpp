// solvers/action/action_io.hpp — minimum action paths in result files
// (docs/hdf5-schema.md, group /action).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "fwkit/io/result_file.hpp"
#include "gmam.hpp"
#include "string_method.hpp"
#include "transitions.hpp"

namespace fw::action {

/// The refinement N -> 2N: the finer run's action and the extrapolation.
struct Refinement {
  double fine_action;
  double extrapolated;
  double error_estimate;  // |extrapolated - fine|
};

void write_action(const io::Group& parent, const Result& result, const std::vector<std::string>& variables,
                  const std::string& hamiltonian, const std::optional<Refinement>& refinement);

/// The group /string: the minimum energy path (image, component), the loss
/// at each image, the saddle with its residual, the barrier and the status.
void write_string(const io::Group& parent, const StringResult& result, double barrier,
                  const std::vector<std::string>& variables);

/// The group /transitions: attractors, saddles, the cost matrix, W-graph
/// energies, occupations, and one row per attractor-to-saddle leg with its
/// path.
void write_transitions(const io::Group& parent, const TransitionResult& result, const std::vector<std::string>& variables,
                       const std::string& hamiltonian);

}  // namespace fw::action
