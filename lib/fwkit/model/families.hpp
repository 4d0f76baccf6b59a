// fwkit/model/families.hpp — built-in finite-sum models of machine learning:
// per-sample losses with exact gradients and Hessian-vector products, in
// O(d) per sample (no symbolic d x d Hessian, so width is not limited).
//
// On data points (x_i, y_i), x_i in R^p, with weight decay lambda >= 0 on
// every parameter (f_i gets + lambda |theta|^2 / 2):
//   least_squares  theta = (w[p], b):       f_i = (w.x_i + b - y_i)^2 / 2
//   logistic       theta = (w[p], b):       f_i = log(1 + e^z) - y_i z, z = w.x_i + b, y_i in [0, 1]
//   softmax        theta = (W[K,p], b[K]):  f_i = log sum_k e^{z_k} - z_{y_i}, z = W x_i + b,
//                                            y_i in {0, ..., K-1}
//   two_layer      theta = (W[m,p], b[m], v[m], c): o = sum_j v_j s(W_j.x_i + b_j) + c,
//                  s = tanh, relu or softplus; f_i = (o - y_i)^2 / 2 ("squared") or
//                  log(1 + e^o) - y_i o ("logistic", y_i in [0, 1])
// Without an intercept (`intercept = false`) the linear families drop b.
// Parameter names and their order (W row by row, the last index fastest)
// are those the model language gives `variables = ["W[m,p]", "b[m]", ...]`,
// so a family and the same loss written as an expression agree entry by
// entry (tests/unit/test_families.cpp).
//
//   fw::model::FamilySpec s;
//   s.family = "two_layer"; s.width = 4; s.inputs = X; s.targets = y;
//   auto sys = fw::model::make_family_system(s);   // a gradient System with finite_sum()
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "fwkit/core/types.hpp"
#include "fwkit/model/system.hpp"

namespace fw::model {

struct FamilySpec {
  std::string family;                 // least_squares | logistic | softmax | two_layer
  Mat inputs;                         // p x n, one point per column
  Vec targets;                        // n
  bool intercept = true;              // least_squares, logistic, softmax
  int classes = 0;                    // softmax: K (0: 1 + the largest target)
  int width = 0;                      // two_layer: m >= 1
  std::string activation = "tanh";    // two_layer: tanh | relu | softplus
  std::string loss = "squared";       // two_layer: squared | logistic
  double weight_decay = 0;
  std::string key_path = "model.system";  // for error messages
};

/// The family's names for its parameters, in state order.
std::vector<std::string> family_parameter_names(const FamilySpec& spec);

/// A gradient System (drift -grad f, Jacobian -Hess f, both exact) that also
/// exposes finite_sum(). Throws a config Error naming the key for a bad
/// spec (an unknown family or activation, a target outside the family's
/// range with its row).
std::unique_ptr<System> make_family_system(const FamilySpec& spec);

}  // namespace fw::model
