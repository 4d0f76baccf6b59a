// fwkit/model/expression.hpp — systems, fields and finite sums defined by
// expressions in a config file.
//
// Derivatives are exact: the Jacobian of a drift, the gradient and Hessian
// of a loss, and the Jacobian of a field are differentiated symbolically and
// compiled, with the function, into tapes that share common subexpressions
// (see expr/tape.hpp). Parameters are substituted as constants when the
// model is built. A malformed expression throws a config Error naming the
// key, the column and showing a caret under it.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "fwkit/model/field.hpp"
#include "fwkit/model/system.hpp"

namespace fw::model {

using Parameters = std::map<std::string, double>;
using ExpressionMatrix = std::vector<std::vector<std::string>>;

struct ExpressionSpec {
  std::vector<std::string> variables;  // state names, e.g. {"x", "y"}
  Parameters parameters;
  std::vector<std::string> drift;      // b_i(x), one per variable ...
  std::string loss;                    // ... or f(x), with b = -grad f
  ExpressionMatrix diffusion;          // optional sigma(x), d rows of r entries
  std::string key_path = "model.system";
};

/// A System from expressions (exactly one of `drift` and `loss` given).
std::unique_ptr<System> make_expression_system(const ExpressionSpec& spec);

struct FiniteSumSpec {
  std::vector<std::string> variables;
  Parameters parameters;
  /// f_i(x): may use the variables, the parameters and the data columns,
  /// which take their i-th value in component i.
  std::string component;
  std::map<std::string, std::vector<double>> data;  // equal-length columns, n >= 1
  std::string key_path = "model.system";
};

/// A gradient System with f = (1/n) sum_i f_i that also exposes finite_sum()
/// (the source of minibatch noise).
std::unique_ptr<System> make_finite_sum_system(const FiniteSumSpec& spec);

/// A Field from a rows x cols matrix of expressions in `variables` (output
/// row-major; a vector is a matrix with one row).
std::shared_ptr<const Field> make_expression_field(const ExpressionMatrix& exprs,
                                                   const std::vector<std::string>& variables,
                                                   const Parameters& parameters,
                                                   const std::string& key_path);

}  // namespace fw::model
