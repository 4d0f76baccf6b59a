// fwkit/model/expr/parser.hpp — text to expression graph.
//
// Grammar (usual precedence, '^' and '**' right-associative, binding tighter
// than unary minus so -x^2 = -(x^2)):
//   expr    := term (('+' | '-') term)*
//   term    := unary (('*' | '/') unary)*
//   unary   := ('-' | '+') unary | power
//   power   := primary (('^' | '**') unary)?
//   primary := number | name | name '[' index (',' index)* ']'
//            | name '(' expr (',' expr)* ')' | '(' expr ')'
//            | 'sum' '(' name '=' index ':' index ',' expr ')'
//   index   := an integer expression of literals and bound index names
//              with + - * and parentheses
// Functions: exp log sqrt sin cos tan tanh sinh cosh atan abs sign, and
// pow(a, b). Constants: pi, e. Other names must be in the symbol table
// (state variables, parameters, data columns). Indexed names are entries of
// declared vectors and matrices: `W[2,1]` is the symbol "W[2,1]" (indices
// from 1). `sum(i = 1:4, v[i]*tanh(W[i,1]*x))` adds the body for i = 1..4
// (an empty range adds nothing); inside it `i` is also a number.
//
// A syntax error throws a config Error that names the config key, the
// position and shows the expression with a caret under the offending column.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "fwkit/model/expr/graph.hpp"

namespace fw::model::expr {

/// Names an expression may use, each bound to a node of the graph.
using Symbols = std::map<std::string, int>;

/// Parses `text` into `graph`; `where` names the config key for messages.
int parse(const std::string& text, const Symbols& symbols, Graph& graph,
          const std::string& where);

/// Expands declarations into scalar names: "c" stays "c"; "W[4,2]" becomes
/// "W[1,1]", "W[1,2]", ..., "W[4,2]" (the last index fastest). Throws a
/// config error naming `where` for a malformed declaration.
std::vector<std::string> expand_declarations(const std::vector<std::string>& declarations,
                                             const std::string& where);

/// Whether `name` is an identifier, or an identifier followed by
/// "[i,j,...]" with positive integer indices (an expanded entry).
bool is_scalar_name(const std::string& name);

}  // namespace fw::model::expr
