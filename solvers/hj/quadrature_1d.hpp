// solvers/hj/quadrature_1d.hpp — the exact quasi-potential of a 1-D model.
//
// In one dimension H(s, V'(s)) = 0 forces V' = p*(s), the non-zero root of
// the convex function p -> H(s, p) (which vanishes at p = 0 with slope
// b(s)); so V(x) = int_{x*}^{x} p*(s) ds from the attractor x*. This holds
// for any Hamiltonian of the model layer (Langevin, and the discrete-time SGD
// Hamiltonians of non-Gaussian and Markov noise), and it is the reference
// the grid solvers are tested against. Separable d-dimensional Hamiltonians
// H = sum_k H_k(x_k, p_k) have V = sum_k V_k(x_k).
#pragma once

#include <vector>

#include "fwkit/model/hamiltonian.hpp"

namespace fw::hj {

/// p*(s): the non-zero root of H(s, .) = 0 (opposite in sign to b(s)); 0 where
/// b(s) = 0, +-inf where no root exists (bounded noise that cannot push
/// against the drift). The model must be 1-D.
double root_momentum(const model::Hamiltonian& h, double s);

/// V(x) for each x in `points`, integrating p* from the attractor x* by
/// composite 8-point Gauss–Legendre on `panels` panels per unit length
/// (error far below 1e-10 for smooth drifts). The points must lie in the
/// basin of x* (b does not vanish between x* and x).
std::vector<double> quadrature_1d(const model::Hamiltonian& h, double attractor, const std::vector<double>& points,
                                  int panels = 200);

}  // namespace fw::hj
