// solvers/compare/potential_model.hpp — a quasi-potential on a node grid as a
// function of the state, and the mass exp(-V/s) puts on a histogram's cells.
//
// A grid solver stores V and grad V at its nodes. Between nodes V is taken
// from the nearest node's second-order Taylor model, V_i + g_i.u + u.H_i.u/2,
// H_i the (symmetrised) central difference of grad V; its error is O(h^3).
// The simulator's histogram counts samples in dual cells, so what it
// estimates is a cell's mass, the integral of exp(-V/s) over the cell, not
// exp(-V/s) at a node: where V changes by more than s across a cell the two
// differ by far more than any O(s) correction (Jensen), and -s log(mass)
// lies below V. `cell_log_mass` integrates the Taylor model with a tensor
// Gauss–Legendre rule on each cell (clipped to the histogram's box).
#pragma once

#include <string>
#include <vector>

#include "fwkit/grid/grid.hpp"

namespace fw::compare {

/// Gauss–Legendre nodes and weights on [-1, 1] with n points (1 <= n <= 64).
void gauss_legendre(int n, std::vector<double>& nodes, std::vector<double>& weights);

class GridPotential {
 public:
  /// V (row-major over `grid`, +inf where not reached) and grad V (node-major,
  /// grid.dim() components per node).
  GridPotential(grid::Grid grid, std::vector<double> value, std::vector<double> gradient);

  const grid::Grid& grid() const { return grid_; }
  const std::vector<double>& values() const { return value_; }
  /// V at x from the nearest node's Taylor model: +inf where that node was
  /// not reached, NaN outside the box or where the node has no finite
  /// Hessian (a neighbour not reached).
  double at(const double* x) const;
  /// The node of least V (the attractor the potential was computed from).
  std::size_t minimum_node() const;

 private:
  grid::Grid grid_;
  std::vector<double> value_, gradient_, hessian_;  // hessian_: d*d per node, NaN where unknown
};

/// The tensor Gauss–Legendre rule on histogram cells, built once.
class CellRule {
 public:
  /// `order` points per dimension.
  explicit CellRule(int order);
  /// log of the integral of exp(-(V - v_ref) / s) over the dual cell of node
  /// `cell` of `cells` (clipped to its box): NaN if V is NaN at any point of
  /// the rule, -inf if V is +inf at all of them.
  double log_mass(const GridPotential& v, const grid::Grid& cells, std::size_t cell, double s, double v_ref) const;

 private:
  int order_;
  std::vector<double> nodes_, log_weights_;
};

/// CellRule(order).log_mass(...), for a single cell.
double cell_log_mass(const GridPotential& v, const grid::Grid& cells, std::size_t cell, double s, double v_ref,
                     int order);

}  // namespace fw::compare
