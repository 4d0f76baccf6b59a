// fwkit/model/hamiltonian.hpp — Freidlin–Wentzell Hamiltonians and Lagrangians.
//
// Two forms of H(x, p) for a Model (SCIENCE.md):
//   kLangevin:  H = <b(x), p> + (1/2) p^T D(x) p,  D = Sigma(x) of the noise
//               (the SDE dX = b dt + sqrt(eps) sigma dW with D = sigma sigma^T);
//   kDiscrete:  H = <b(x), p> + Lambda_x(p), constant-step SA / SGD at speed
//               1/eta (Gaussian noise gives back kLangevin with eps = eta).
// Both are convex in p with H(x, 0) = 0. The Lagrangian is the convex dual
//   L(x, v) = sup_p { <p, v> - H(x, p) },
// computed by a damped Newton iteration on p (closed form for kLangevin:
// (1/2) (v-b)^T D^+ (v-b), and +infinity when v - b is outside the range of D).
#pragma once

#include <limits>

#include "fwkit/model/model.hpp"

namespace fw::model {

enum class HamiltonianKind { kLangevin, kDiscrete };

struct LagrangianOptions {
  /// Stop when |v - grad_p H(x, p)| <= tolerance * (1 + |v|).
  double tolerance = 1e-12;
  /// Newton iterations before giving up.
  int max_iterations = 100;
  /// |p| beyond which the supremum is declared infinite (the velocity cannot
  /// be produced by the noise, e.g. outside the support of bounded noise).
  double momentum_bound = 1e8;
};

struct LagrangianResult {
  double value = std::numeric_limits<double>::infinity();  // L(x, v), +inf if unreachable
  Vec momentum;                                            // the maximising p
  int iterations = 0;
  bool converged = false;
};

class Hamiltonian {
 public:
  /// Throws a config Error for the discrete-time kind when the noise has no
  /// finite Lambda (heavy tails: the large deviations are not exponential).
  Hamiltonian(Model model, HamiltonianKind kind);

  int dim() const { return model_.dim(); }
  HamiltonianKind kind() const { return kind_; }
  const Model& model() const { return model_; }

  /// H(x, p).
  double value(const Vec& x, const Vec& p) const;
  /// grad_p H = b + grad Lambda (the velocity of the optimal path).
  Vec grad_p(const Vec& x, const Vec& p) const;
  /// Hess_p H = Hess Lambda.
  Mat hess_p(const Vec& x, const Vec& p) const;
  /// grad_x H = Db(x)^T p + grad_x Lambda_x(p).
  Vec grad_x(const Vec& x, const Vec& p) const;
  /// (d/dx grad_p H) v = Db(x) v + (d/dx grad_p Lambda_x(p)) v: exact when
  /// the noise does not depend on x, a central difference along v otherwise.
  Vec mixed_times(const Vec& x, const Vec& p, const Vec& v) const;

  /// L(x, v) by duality.
  LagrangianResult lagrangian(const Vec& x, const Vec& v,
                              const LagrangianOptions& options = {}) const;

 private:
  /// Noise part Lambda (or p^T D p / 2) with optional derivatives.
  void noise_part(const Vec& x, const Vec& p, const MgfRequest& out) const;
  LagrangianResult gaussian_lagrangian(const Vec& x, const Vec& v) const;

  Model model_;
  HamiltonianKind kind_;
};

}  // namespace fw::model
