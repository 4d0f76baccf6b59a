// fwkit/model/expr/graph.hpp — expressions as a hash-consed DAG.
//
// Every node is interned: building the same operation on the same operands
// twice returns the same node, so common subexpressions (within one
// expression, across the components of a drift, and between a function and
// its derivatives) are shared and later evaluated once. Constructors fold
// constants and apply exact algebraic identities (x + 0, x * 1, x * 0, ...).
// Children always have smaller indices than their parents, so index order is
// a topological order.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

namespace fw::model::expr {

enum class Op : std::uint8_t {
  kConst, kVar,                                   // leaves
  kAdd, kSub, kMul, kDiv, kPow,                   // binary
  kNeg, kPowi,                                    // unary algebraic (kPowi: integer power n)
  kExp, kLog, kSqrt, kSin, kCos, kTan, kTanh, kSinh, kCosh, kAtan, kAbs, kSign,  // functions
};

struct Node {
  Op op = Op::kConst;
  int a = -1;        // first operand
  int b = -1;        // second operand
  int n = 0;         // variable index (kVar) or exponent (kPowi)
  double value = 0;  // kConst
};

/// Name of a function op as written in expressions ("exp", "sin", ...).
const char* function_name(Op op);

class Graph {
 public:
  int constant(double v);
  int variable(int index);
  int add(int a, int b);
  int sub(int a, int b);
  int mul(int a, int b);
  int div(int a, int b);
  int pow(int a, int b);
  int neg(int a);
  int powi(int a, int n);
  /// A one-argument function (kExp ... kSign).
  int apply(Op f, int a);

  /// d node / d x_var, symbolically (memoised).
  int derivative(int node, int var);

  const Node& operator[](int i) const { return nodes_[static_cast<std::size_t>(i)]; }
  int size() const { return static_cast<int>(nodes_.size()); }
  bool is_const(int i) const { return (*this)[i].op == Op::kConst; }
  bool is_const(int i, double v) const { return is_const(i) && (*this)[i].value == v; }

 private:
  int intern(const Node& node);
  /// Whether node i is c * u with a constant c.
  bool is_scaled(int i) const;
  struct KeyHash {
    std::size_t operator()(const Node& n) const;
  };
  struct KeyEq {
    bool operator()(const Node& x, const Node& y) const;
  };
  std::vector<Node> nodes_;
  std::unordered_map<Node, int, KeyHash, KeyEq> index_;
  std::map<std::pair<int, int>, int> derivatives_;
};

}  // namespace fw::model::expr
