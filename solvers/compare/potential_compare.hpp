// solvers/compare/potential_compare.hpp — the quasi-potential against the
// simulated density: an `fwkit quasipotential` file (one or both of the
// Langevin and discrete-time Hamiltonians) against a simulation swept over
// the noise scale s with a histogram in member groups.
//
// On each histogram cell c and point s the simulation gives the empirical
// potential E_c(s) = -s log(n_c / n_ref), n_ref the count of the cell holding
// the attractor, with a jackknife error over the member groups (independent
// replicates). The theory gives P_c(s) = -s log(m_c / m_ref), m_c the mass
// exp(-V/s) puts on the cell (potential_model.hpp), which removes the
// cell-averaging bias exactly. What remains is the prefactor: the law is
// C(x) exp(-V/s) (1 + O(s)), so E - P = -s log(C(x) / C(ref)) + O(s^2) is
// O(s) with a cell-dependent slope. A weighted straight line in s through
// each cell's points extrapolates it to s -> 0, where it must vanish for the
// potential the dynamics follow: judged is the RMS of the extrapolated
// discrepancy over the cells holding at least `min_count` samples at every
// point, within `tolerance` (units of V). For the other Hamiltonian the
// extrapolated discrepancy is V_expected - V_other: its slope against that
// difference must be 1 (within `slope_tolerance`), where 0 would mean the
// simulation cannot tell the two potentials apart.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "fwkit/grid/grid.hpp"
#include "summary.hpp"

namespace fw::compare {

struct PotentialCompareOptions {
  std::string hamiltonian = "discrete";  // the potential the simulation follows
  double tolerance = 0.01;               // on the RMS extrapolated discrepancy, units of V
  double slope_tolerance = 0.2;          // relative, on the other potential's slope
  double min_count = 400;                // samples a cell needs at every point to be compared
  int quadrature = 6;                    // Gauss–Legendre points per dimension and cell
  void validate() const;
};

struct PotentialComparison {
  std::filesystem::path simulation, quasipotential;
  std::string scale_key;
  std::vector<std::string> variables;
  std::vector<double> scale;           // s per point
  grid::Grid cells;                    // the histogram's grid
  std::vector<std::string> hamiltonian;  // the expected one first
  std::size_t reference = 0;           // the cell holding the attractor
  std::vector<std::int64_t> compared;  // per cell: 1 if compared
  std::vector<std::vector<double>> observed, observed_se;       // [point][cell] E and its jackknife error
  std::vector<std::vector<std::vector<double>>> predicted;      // [hamiltonian][point][cell] P
  std::vector<std::vector<double>> value;                       // [hamiltonian][cell] V at the cell's node
  std::vector<std::vector<double>> extrapolated, extrapolated_se;  // [hamiltonian][cell] (E - P) at s -> 0
  std::vector<SummaryRow> rows;
};

PotentialComparison compare_potential(const std::filesystem::path& simulation,
                                      const std::filesystem::path& quasipotential,
                                      const PotentialCompareOptions& options);

/// Writes /potential (point, hamiltonian and the histogram's grid) and /summary.
void write_potential_comparison(const io::Group& root, const PotentialComparison& c);

}  // namespace fw::compare
