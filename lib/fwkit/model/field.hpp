// fwkit/model/field.hpp — a smooth map R^n -> R^m with its exact Jacobian.
//
// Fields carry the state-dependent pieces of noise models (a diffusion
// matrix sigma(x), mixture logits, Markov kernels and their increments).
// They are produced by the expression compiler or by catalog code; matrices
// are returned flattened in row-major order (entry (i, j) of an r x c matrix
// is out[i * c + j]).
#pragma once

#include <memory>

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
};

/// A constant field (its Jacobian is zero).
class ConstantField final : public Field {
 public:
  ConstantField(int in_dim, Vec value) : in_dim_(in_dim), value_(std::move(value)) {}
  int in_dim() const override { return in_dim_; }
  int out_dim() const override { return static_cast<int>(value_.size()); }
  void eval(const double*, double* out) const override {
    for (int i = 0; i < out_dim(); ++i) out[i] = value_[i];
  }
  void jacobian(const double*, double* jac) const override {
    for (int i = 0; i < out_dim() * in_dim_; ++i) jac[i] = 0;
  }

 private:
  int in_dim_;
  Vec value_;
};

}  // namespace fw::model
