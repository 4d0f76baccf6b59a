// fwkit/model/inner_problem.hpp — the optimal momentum of a velocity: the
// inner problem of the minimum action method and of the geometric action's
// local cost.
//
// For a velocity v != 0 at x, p_hat and lambda >= 0 solve
//     H(x, p_hat) = 0,   H_p(x, p_hat) = lambda v,
// and the local cost of the geometric action is c(x, v) = <p_hat, v>
// (SCIENCE.md). Closed form for the Langevin Hamiltonian
// (lambda = |b|_A / |v|_A, p_hat = A (lambda v - b), A = D^{-1}); a damped
// Newton iteration on (p, lambda) otherwise, on H(x, .) frozen at x, so that
// a finite sum's per-point gradients are evaluated once per call, not per
// iteration. No root with lambda >= 0 means v points outside the cone of
// velocities the noise can produce: the cost is infinite.
#pragma once

#include <Eigen/Dense>
#include <memory>

#include "fwkit/model/hamiltonian.hpp"

namespace fw::model {

/// H(x, .) at one state: the drift and the noise's frozen law, each
/// evaluated once. Keeps a reference to `h`, which must outlive it.
class FrozenHamiltonian {
 public:
  FrozenHamiltonian(const Hamiltonian& h, const Vec& x);
  const Vec& drift() const { return b_; }
  /// H(x, p), H_p and H_pp in one evaluation of the law (null: not wanted).
  void evaluate(const Vec& p, double* value, Vec* grad, Mat* hess) const;

 private:
  Vec b_;
  std::unique_ptr<const FrozenLaw> law_;
};

struct MomentumOptions {
  /// Newton iterations before giving up.
  int max_iterations = 50;
  /// D = H_pp(x, 0) factorised by the caller (constant Gaussian noise), or
  /// null: factorised here.
  const Eigen::LDLT<Mat>* fixed = nullptr;
  /// Start the Newton iteration from the p and lambda passed in (a nearby
  /// solution, e.g. the previous point of a line search) instead of the
  /// Gaussian closed form; the closed-form start is tried when it fails.
  bool warm = false;
};

/// p_hat and lambda at x for the velocity v. Returns false when the Newton
/// iteration fails, which is also the answer when no such p exists (the
/// cost is infinite there).
bool optimal_momentum(const Hamiltonian& h, const Vec& x, const Vec& v, Vec& p, double& lambda,
                      const MomentumOptions& options = {});

}  // namespace fw::model
