// solvers/hj/paths.hpp — minimum action paths read off a computed potential.
//
// The instanton that reaches x from the attractor follows
// phi' = grad_p H(phi, grad V(phi)); traced backwards from x, the path
// x' = -grad_p H(x, grad V(x)) runs down to the attractor. grad V is the
// node gradient (central differences) interpolated multilinearly; the path
// is advanced by a midpoint (RK2) rule with steps of h/2 in length.
#pragma once

#include <vector>

#include "olim.hpp"

namespace fw::hj {

struct Path {
  std::vector<double> points;  // node-major: points[i * d + k], from x towards the attractor
  double value_start = 0;      // V(x) interpolated
  bool reached = false;        // ended within `stop_radius` of an attractor
};

/// Traces back from x through the node values `value` on `grid` (a local or
/// a global potential). Stops within `stop_radius` of any of `attractors`,
/// where grad V is undefined, or after `max_points` points.
Path trace_back(const model::Hamiltonian& h, const grid::Grid& grid, const std::vector<double>& value,
                const std::vector<double>& grad, const std::vector<Vec>& attractors, const Vec& x, double stop_radius,
                int max_points = 20000);

}  // namespace fw::hj
