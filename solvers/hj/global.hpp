// solvers/hj/global.hpp — the global quasi-potential over several attractors
// (Freidlin–Wentzell W-graphs).
//
// With attractors K_1..K_m, the local potentials V_i (marched from K_i over
// the whole box) give the transition costs V_ij = V_i(K_j). The W-graph
// energy of K_i is the minimum, over the spanning arborescences directed
// towards K_i (every other attractor has exactly one outgoing edge, and
// following the edges always ends at K_i), of the sum of their costs. Then
//     V(x) = min_i [W(K_i) + V_i(x)] - min_i W(K_i)        (SCIENCE.md),
// the attractor with the least W is the ground state, and the stationary law
// ~ exp(-V/eps) puts mass on K_i in the ratio exp(-(W_i - W_min)/eps).
#pragma once

#include <string>
#include <vector>

#include "olim.hpp"

namespace fw::hj {

/// W(K_i) for each i from the m x m cost matrix (cost(i, j): from K_i to
/// K_j; the diagonal is ignored), by enumerating the arborescences
/// (m^(m-1) candidate edge choices; m <= 8).
Vec w_graph_energies(const Mat& cost);

struct GlobalResult {
  std::vector<Result> local;   // V_i, one per attractor
  std::vector<Vec> attractors;
  Mat cost;                    // V_ij = V_i(K_j)
  Vec w;                       // W-graph energies
  int ground = 0;              // argmin W
  std::vector<double> value;   // the global V on the grid
  std::string brief_report() const;
};

/// `saddles`: the other equilibria in the box (see Problem::equilibria).
template <int D>
GlobalResult solve_global(const model::Hamiltonian& h, const grid::Grid& grid, const std::vector<Vec>& attractors,
                          const Options& options, Progress* progress = nullptr, const std::vector<Vec>& saddles = {});

}  // namespace fw::hj
