// fwkit/model/system.hpp — the deterministic part of a model.
//
// A System of dimension d supplies the drift b(x) of
//     dX = b(X) dt + sqrt(eps) sigma(X) dW          (SDE / Langevin)
//     x_{n+1} = x_n + eta (b(x_n) + Z_{n+1}(x_n))   (constant-step SA / SGD)
// its exact Jacobian Db(x), and optionally a diffusion factor sigma(x)
// (d x r). A gradient system has a loss f with b = -grad f; its Hessian is
// -Db. A finite-sum system has f = (1/n) sum_i f_i and exposes the
// components for minibatch noise.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include <memory>

#include "fwkit/core/types.hpp"
#include "fwkit/model/block.hpp"
#include "fwkit/model/field.hpp"

namespace fw::model {

class FiniteSum;

class System {
 public:
  virtual ~System() = default;

  /// Dimension d of the state.
  virtual int dim() const = 0;
  /// A short identifier (catalog name or "expression").
  virtual std::string name() const = 0;
  /// Names of the state coordinates (x, y, z, x3, ... by default).
  virtual std::vector<std::string> variable_names() const;

  /// b(x). `x` and `b` hold dim() entries.
  virtual void drift(const double* x, double* b) const = 0;
  /// J(i, j) = d b_i / d x_j, column-major d x d.
  virtual void jacobian(const double* x, double* jac) const = 0;
  /// b at n points stored as structure of arrays: coordinate k of point m is
  /// x[k * n + m], and likewise for b. The default gathers and calls drift().
  virtual void drift_batch(const double* x, double* b, std::size_t n) const;

  /// Whether b = -grad f for a loss f.
  virtual bool is_gradient() const { return false; }
  /// f(x); only for gradient systems (throws otherwise).
  virtual double loss(const double* x) const;
  /// hv = Hess f(x) v = -Db(x) v (gradient systems). The default forms the
  /// dense Jacobian; model families override it at O(n d).
  virtual void loss_hessian_times(const double* x, const double* v, double* hv) const;

  /// Number of columns r of sigma(x).
  virtual int noise_rank() const { return dim(); }
  /// Whether sigma(x) depends on x.
  virtual bool has_state_dependent_diffusion() const { return false; }
  /// sigma(x), d x r column-major. Default: the identity.
  virtual void diffusion(const double* x, double* sigma) const;
  /// sigma(x) as a Field with an exact Jacobian (row-major d x r), when the
  /// system has one; null otherwise.
  virtual std::shared_ptr<const Field> diffusion_field() const { return nullptr; }

  /// The components of a finite-sum loss, or null.
  virtual const FiniteSum* finite_sum() const { return nullptr; }

  // Convenience wrappers (allocate; not for inner loops).
  Vec drift_at(const Vec& x) const;
  Mat jacobian_at(const Vec& x) const;
  /// Hess f(x) = -(Db + Db^T) / 2 from the Jacobian (gradient systems).
  Mat loss_hessian_at(const Vec& x) const;
  Mat diffusion_at(const Vec& x) const;
  /// D(x) = sigma(x) sigma(x)^T.
  Mat diffusion_matrix_at(const Vec& x) const;
};

/// f(x) = (1/n) sum_i f_i(x): the loss of a finite training set, the source
/// of minibatch noise.
class FiniteSum {
 public:
  virtual ~FiniteSum() = default;
  virtual int size() const = 0;  // n
  virtual int dim() const = 0;   // d
  /// f_i(x)
  virtual double component_loss(int i, const double* x) const = 0;
  /// grad f_i(x) into g (d entries).
  virtual void component_gradient(int i, const double* x, double* g) const = 0;
  /// Batch-mean gradients of a block of points: for lane j < lanes (state
  /// x[k * lanes + j]), g[k * lanes + j] = (1/batch) sum_q d f_i / d x_k at
  /// i = index[q * lanes + j]. Costs O(lanes batch d), whatever n is. The
  /// default calls component_gradient pair by pair; expression finite sums
  /// evaluate their gradient tape over all pairs at once.
  virtual void mean_gradient_block(const double* x, int lanes, const int* index, int batch, double* g,
                                   BlockScratch& scratch) const;
};

}  // namespace fw::model
