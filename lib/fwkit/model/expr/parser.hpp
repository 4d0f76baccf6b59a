// fwkit/model/expr/parser.hpp — text to expression graph.
//
// Grammar (usual precedence, '^' and '**' right-associative, binding tighter
// than unary minus so -x^2 = -(x^2)):
//   expr    := term (('+' | '-') term)*
//   term    := unary (('*' | '/') unary)*
//   unary   := ('-' | '+') unary | power
//   power   := primary (('^' | '**') unary)?
//   primary := number | name | name '(' expr (',' expr)* ')' | '(' expr ')'
// Functions: exp log sqrt sin cos tan tanh sinh cosh atan abs sign, and
// pow(a, b). Constants: pi, e. Other names must be in the symbol table
// (state variables, parameters, data columns).
//
// A syntax error throws a config Error that names the config key, the
// position and shows the expression with a caret under the offending column.
#pragma once

#include <map>
#include <string>

#include "fwkit/model/expr/graph.hpp"

namespace fw::model::expr {

/// Names an expression may use, each bound to a node of the graph.
using Symbols = std::map<std::string, int>;

/// Parses `text` into `graph`; `where` names the config key for messages.
int parse(const std::string& text, const Symbols& symbols, Graph& graph,
          const std::string& where);

}  // namespace fw::model::expr
