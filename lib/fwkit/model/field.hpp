// fwkit/model/field.hpp — a smooth map R^n -> R^m with its exact Jacobian.
//
// Fields carry the state-dependent pieces of noise models (a diffusion
// matrix sigma(x), mixture logits, Markov kernels and their increments).
// They are produced by the expression compiler or by catalog code; matrices
// are returned flattened in row-major order (entry (i, j) of an r x c matrix
// is out[i * c + j]).
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

#include "fwkit/core/types.hpp"

namespace fw::model {

class Field {
 public:
  virtual ~Field() = default;
  virtual int in_dim() const = 0;
  virtual int out_dim() const = 0;
  /// out = F(x); `x` has in_dim() entries, `out` has out_dim().
  virtual void eval(const double* x, double* out) const = 0;
  /// J(i, j) = d F_i / d x_j, out_dim() x in_dim(), column-major.
  virtual void jacobian(const double* x, double* jac) const = 0;
  /// F at n points in structure-of-arrays layout: input i of point m is
  /// x[i * n + m], output k goes to out[k * n + m]. `work` and `slots` are
  /// caller-owned scratch (grown as needed). The default calls eval() point
  /// by point; expression fields run their tape over all points at once.
  virtual void eval_batch(const double* x, double* out, std::size_t n, std::vector<double>& work,
                          std::vector<double*>& slots) const;
};

}  // namespace fw::model
