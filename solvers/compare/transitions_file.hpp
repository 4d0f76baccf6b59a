// solvers/compare/transitions_file.hpp — an `fwkit action` transitions file
// as the comparisons read it: the attractors, saddles, W-graph energies and
// the attractor-to-saddle legs, with the model and Hamiltonian they were
// computed for (rebuilt from the file's own resolved configuration).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "fwkit/config/config.hpp"
#include "fwkit/model/hamiltonian.hpp"
#include "sim/options.hpp"

namespace fw::compare {

struct TransitionLeg {
  int from = -1, to = -1, saddle = -1;
  double cost = 0;       // action from the attractor to the saddle
  double prefactor = 0;  // Eyring–Kramers (NaN unless gradient Langevin with D = c I)
  std::vector<Vec> path; // the minimum action path, attractor to saddle (empty if the file has none)
};

struct TransitionsFile {
  std::filesystem::path path;
  std::vector<Vec> attractors, saddles;
  std::vector<double> w;          // W-graph energies
  double largest_cost = 0;        // the largest finite attractor-to-attractor cost
  std::vector<TransitionLeg> legs;
  model::Model model;
  model::HamiltonianKind kind = model::HamiltonianKind::kLangevin;

  /// Exit 66 if missing, 65 if not an action file with /transitions.
  static TransitionsFile read(const std::filesystem::path& path);
  /// D(z) = H_pp(z, 0): the noise's diffusion matrix at z.
  Mat diffusion(const Vec& z) const;
};

/// The configured region simulate.regions.<name> (a ball or a box).
sim::Region configured_region(const config::Table& regions, const std::string& name);

/// The name of the first configured region (simulate.regions.*: balls or
/// boxes) that holds x; "" if none does.
std::string region_holding(const config::Table& regions, const Vec& x);

}  // namespace fw::compare
