// solvers/action/inner_diagnosis.hpp — why the inner problem of gMAM fails
// on a path: which node, which coordinate, what condition.
//
// The inner problem at a node x with tangent v asks for p and lambda >= 0
// with H(x, p) = 0 and grad_p H(x, p) = lambda v. It has no solution when
//  - the noise covariance D(x) = H_pp(x, 0) is singular and v leaves its
//    range (the path moves where the noise cannot push): the cost is
//    infinite, or the path must be rerouted;
//  - the root has lambda < 0 (v points against every reachable velocity);
//  - Newton does not converge (a residual is left).
//
//   std::string why = fw::action::explain_inner_failure(h, path, 50);
#pragma once

#include <string>

#include "fwkit/core/types.hpp"
#include "fwkit/model/hamiltonian.hpp"

namespace fw::action {

/// The first node of `path` (d x n) where the inner problem fails, and why,
/// in words naming the node, the coordinates and the condition; empty when
/// every node solves. `unreachable`, when given, receives whether that
/// node's velocity is one the noise cannot produce (the path costs +inf).
std::string explain_inner_failure(const model::Hamiltonian& h, const Mat& path, int iterations,
                                  bool* unreachable = nullptr);

}  // namespace fw::action
