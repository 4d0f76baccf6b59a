// solvers/action/transitions.hpp — transition costs between the attractors
// of a system, the Freidlin–Wentzell W-graph energies they imply, and
// Eyring–Kramers mean transition times for gradient Langevin systems.
//
// Each index-1 saddle s joins the two attractors its unstable manifold runs
// down to (found by integrating the drift from s +- delta v, v the unstable
// eigenvector of Db(s)). Leaving attractor K_i over s costs the minimum
// action from K_i to s (gMAM, Richardson-extrapolated from N and 2N
// intervals); the rest of the way downhill is free. The cost from K_i to
// K_j is the least over the saddles joining them (+inf where none does).
// The W-graph energies W_i (minimum arborescences, SCIENCE.md) give the
// ground state argmin W and the occupations ~ exp(-(W_i - W_min)/eps).
//
// Eyring–Kramers (SCIENCE.md), when b = -grad U (Db symmetric at the
// attractor and the saddle) and D = c I is constant: the mean time to leave
// m over s is
//   E tau ~ 2 pi / |lambda_-(s)| sqrt(|det Hess U(s)| / det Hess U(m)) exp(V / eps),
// V the cost from m over s (= 2 (U(s) - U(m)) / c); the prefactor does not
// depend on c.
//
//   auto r = fw::action::transitions(h, attractors, saddles, fw::action::TransitionOptions{});
//   std::cout << r.brief_report();
#pragma once

#include <string>
#include <vector>

#include "gmam.hpp"

namespace fw::action {

struct TransitionOptions {
  Options action;          // for each attractor-to-saddle path (N; 2N for the extrapolation)
  bool refine = true;      // also 2N intervals, and Richardson
  double offset = 1e-4;    // delta: the start off the saddle along its unstable direction (relative to the box scale)
  double settle_time = 500;  // how long the drift is followed down from the saddle
  void validate() const;
};

/// One attractor-to-saddle leg.
struct Leg {
  int from = -1, to = -1;  // attractors: leaves `from` over `saddle`, ends in `to`
  int saddle = -1;
  double cost = 0;         // extrapolated when refined
  double cost_n = 0;       // on N intervals
  double error = 0;        // |extrapolated - cost on 2N| (0 without refinement)
  bool converged = false;
  std::string message;     // the minimum action run's status in words
  Mat path;                // d x nodes, from the attractor to the saddle (finest run)
  bool gradient = false;   // Eyring–Kramers applies
  double prefactor = 0;    // E tau ~ prefactor exp(cost / eps)
};

struct TransitionResult {
  std::vector<Vec> attractors, saddles;
  std::vector<std::pair<int, int>> joins;  // per saddle: the attractors its unstable manifold reaches (-1: none)
  std::vector<Leg> legs;
  Mat cost;  // m x m: least cost from K_i to K_j (+inf: no saddle joins them; 0 on the diagonal)
  Vec w;     // W-graph energies
  int ground = 0;
  Vec log_occupation;  // -(W_i - W_min): log occupation ratios times eps
  /// Every W-graph energy finite (each attractor left and reached by legs).
  bool connected() const;
  /// Every leg's minimum action run converged.
  bool all_converged() const;
  /// "established" when connected and every leg converged; else why not,
  /// naming the legs (the W-graph energies and occupations then rest on
  /// unconverged or missing costs).
  std::string outcome() const;
  /// In words: the attractors no finite leg leaves or reaches.
  std::vector<std::string> missing_legs() const;
  std::string brief_report() const;
};

/// `attractors`: stable equilibria; `saddles`: index-1 saddles of the
/// drift. At most 8 attractors.
/// `progress` (may be null) counts minimum action runs: two per leg (N
/// and 2N intervals), two legs per saddle.
TransitionResult transitions(const model::Hamiltonian& h, const std::vector<Vec>& attractors,
                             const std::vector<Vec>& saddles, const TransitionOptions& options,
                             Progress* progress = nullptr);

}  // namespace fw::action
