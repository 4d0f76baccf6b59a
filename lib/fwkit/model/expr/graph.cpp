#include "fwkit/model/expr/graph.hpp"

#include <bit>
#include <cmath>
#include <utility>

namespace fw::model::expr {

const char* function_name(Op op) {
  switch (op) {
    case Op::kExp: return "exp";
    case Op::kLog: return "log";
    case Op::kSqrt: return "sqrt";
    case Op::kSin: return "sin";
    case Op::kCos: return "cos";
    case Op::kTan: return "tan";
    case Op::kTanh: return "tanh";
    case Op::kSinh: return "sinh";
    case Op::kCosh: return "cosh";
    case Op::kAtan: return "atan";
    case Op::kAbs: return "abs";
    case Op::kSign: return "sign";
    default: return "";
  }
}

namespace {

double apply_function(Op f, double x) {
  switch (f) {
    case Op::kExp: return std::exp(x);
    case Op::kLog: return std::log(x);
    case Op::kSqrt: return std::sqrt(x);
    case Op::kSin: return std::sin(x);
    case Op::kCos: return std::cos(x);
    case Op::kTan: return std::tan(x);
    case Op::kTanh: return std::tanh(x);
    case Op::kSinh: return std::sinh(x);
    case Op::kCosh: return std::cosh(x);
    case Op::kAtan: return std::atan(x);
    case Op::kAbs: return std::abs(x);
    case Op::kSign: return (x > 0) - (x < 0);
    default: return std::nan("");
  }
}

double int_power(double x, int n) {
  if (n < 0) return 1.0 / int_power(x, -n);
  double r = 1;
  for (int i = 0; i < n; ++i) r *= x;
  return r;
}

}  // namespace

std::size_t Graph::KeyHash::operator()(const Node& n) const {
  std::size_t h = static_cast<std::size_t>(n.op);
  auto mix = [&h](std::size_t v) { h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2); };
  mix(static_cast<std::size_t>(n.a));
  mix(static_cast<std::size_t>(n.b));
  mix(static_cast<std::size_t>(n.n));
  mix(std::bit_cast<std::uint64_t>(n.value));
  return h;
}

bool Graph::KeyEq::operator()(const Node& x, const Node& y) const {
  return x.op == y.op && x.a == y.a && x.b == y.b && x.n == y.n &&
         std::bit_cast<std::uint64_t>(x.value) == std::bit_cast<std::uint64_t>(y.value);
}

int Graph::intern(const Node& node) {
  auto [it, inserted] = index_.try_emplace(node, size());
  if (inserted) nodes_.push_back(node);
  return it->second;
}

int Graph::constant(double v) { return intern(Node{Op::kConst, -1, -1, 0, v == 0 ? 0.0 : v}); }
int Graph::variable(int index) { return intern(Node{Op::kVar, -1, -1, index, 0}); }

int Graph::add(int a, int b) {
  if (is_const(a) && is_const(b)) return constant((*this)[a].value + (*this)[b].value);
  if (is_const(a, 0)) return b;
  if (is_const(b, 0)) return a;
  if ((*this)[b].op == Op::kNeg) return sub(a, (*this)[b].a);
  if ((*this)[a].op == Op::kNeg) return sub(b, (*this)[a].a);
  if (a > b) std::swap(a, b);
  return intern(Node{Op::kAdd, a, b, 0, 0});
}

int Graph::sub(int a, int b) {
  if (is_const(a) && is_const(b)) return constant((*this)[a].value - (*this)[b].value);
  if (is_const(b, 0)) return a;
  if (is_const(a, 0)) return neg(b);
  if (a == b) return constant(0);
  if ((*this)[b].op == Op::kNeg) return add(a, (*this)[b].a);
  return intern(Node{Op::kSub, a, b, 0, 0});
}

bool Graph::is_scaled(int i) const {
  return (*this)[i].op == Op::kMul && is_const((*this)[i].a);
}

int Graph::mul(int a, int b) {
  if (is_const(a) && is_const(b)) return constant((*this)[a].value * (*this)[b].value);
  if (is_const(b)) std::swap(a, b);  // constant first
  if (is_const(a, 0)) return a;
  if (is_const(a, 1)) return b;
  if (is_const(a, -1)) return neg(b);
  if (a == b) return powi(a, 2);
  // Constants move to the front and merge: c1 (c2 u) = (c1 c2) u,
  // (c1 u)(c2 v) = (c1 c2)(u v), c (-u) = (-c) u. This reassociation changes
  // results by rounding only, as a compiler's -ffast-math would.
  if (is_const(a)) {
    if (is_scaled(b)) return mul(constant((*this)[a].value * (*this)[(*this)[b].a].value), (*this)[b].b);
    if ((*this)[b].op == Op::kNeg) return mul(constant(-(*this)[a].value), (*this)[b].a);
    return intern(Node{Op::kMul, a, b, 0, 0});
  }
  if (is_scaled(a)) return mul((*this)[a].a, mul((*this)[a].b, b));
  if (is_scaled(b)) return mul((*this)[b].a, mul(a, (*this)[b].b));
  if ((*this)[a].op == Op::kNeg) return neg(mul((*this)[a].a, b));
  if ((*this)[b].op == Op::kNeg) return neg(mul(a, (*this)[b].a));
  if (a > b) std::swap(a, b);
  return intern(Node{Op::kMul, a, b, 0, 0});
}

int Graph::div(int a, int b) {
  if (is_const(a) && is_const(b)) return constant((*this)[a].value / (*this)[b].value);
  if (is_const(b, 1)) return a;
  if (is_const(a, 0)) return a;
  if (a == b) return constant(1);
  if (is_const(b) && (*this)[b].value != 0) return mul(constant(1 / (*this)[b].value), a);
  if (is_scaled(a)) return mul((*this)[a].a, div((*this)[a].b, b));
  return intern(Node{Op::kDiv, a, b, 0, 0});
}

int Graph::pow(int a, int b) {
  if (is_const(a) && is_const(b)) return constant(std::pow((*this)[a].value, (*this)[b].value));
  if (is_const(b)) {
    const double e = (*this)[b].value;
    if (e == std::round(e) && std::abs(e) <= 64) return powi(a, static_cast<int>(e));
    if (e == 0.5) return apply(Op::kSqrt, a);
  }
  return intern(Node{Op::kPow, a, b, 0, 0});
}

int Graph::neg(int a) {
  if (is_const(a)) return constant(-(*this)[a].value);
  if ((*this)[a].op == Op::kNeg) return (*this)[a].a;
  if (is_scaled(a)) return mul(constant(-(*this)[(*this)[a].a].value), (*this)[a].b);
  if ((*this)[a].op == Op::kSub) return sub((*this)[a].b, (*this)[a].a);
  return intern(Node{Op::kNeg, a, -1, 0, 0});
}

int Graph::powi(int a, int n) {
  if (n == 0) return constant(1);
  if (n == 1) return a;
  if (is_const(a)) return constant(int_power((*this)[a].value, n));
  if ((*this)[a].op == Op::kPowi) {
    // (u^m)^n = u^(m n) for integers; beyond |m n| = 64 as a real power with
    // the exact exponent (in double: the int product overflowed, and
    // (x^64)^64^... had read as x^0 = 1).
    const double mn = static_cast<double>((*this)[a].n) * n;
    if (std::abs(mn) <= 64) return powi((*this)[a].a, static_cast<int>(mn));
    return intern(Node{Op::kPow, (*this)[a].a, constant(mn), 0, 0});
  }
  if (n < 0) return div(constant(1), powi(a, -n));
  return intern(Node{Op::kPowi, a, -1, n, 0});
}

int Graph::apply(Op f, int a) {
  if (is_const(a)) return constant(apply_function(f, (*this)[a].value));
  return intern(Node{f, a, -1, 0, 0});
}

int Graph::derivative(int node, int var) {
  if (auto it = derivatives_.find({node, var}); it != derivatives_.end()) return it->second;
  const Node nd = (*this)[node];  // copy: interning below may reallocate
  const int a = nd.a, b = nd.b;
  auto da = [&] { return derivative(a, var); };
  auto db = [&] { return derivative(b, var); };
  int d = -1;
  switch (nd.op) {
    case Op::kConst: d = constant(0); break;
    case Op::kVar: d = constant(nd.n == var ? 1 : 0); break;
    case Op::kAdd: d = add(da(), db()); break;
    case Op::kSub: d = sub(da(), db()); break;
    case Op::kMul: d = add(mul(da(), b), mul(a, db())); break;
    case Op::kDiv: d = sub(div(da(), b), div(mul(a, db()), powi(b, 2))); break;
    case Op::kNeg: d = neg(da()); break;
    case Op::kPowi: d = mul(mul(constant(nd.n), powi(a, nd.n - 1)), da()); break;
    case Op::kPow: {
      const int dbv = db();
      if (is_const(dbv, 0)) {
        d = mul(mul(b, pow(a, sub(b, constant(1)))), da());
      } else {  // d(a^b) = a^b (b' log a + b a'/a)
        d = mul(node, add(mul(dbv, apply(Op::kLog, a)), div(mul(b, da()), a)));
      }
      break;
    }
    case Op::kExp: d = mul(node, da()); break;
    case Op::kLog: d = div(da(), a); break;
    case Op::kSqrt: d = div(da(), mul(constant(2), node)); break;
    case Op::kSin: d = mul(apply(Op::kCos, a), da()); break;
    case Op::kCos: d = neg(mul(apply(Op::kSin, a), da())); break;
    case Op::kTan: d = mul(add(constant(1), powi(node, 2)), da()); break;
    case Op::kTanh: d = mul(sub(constant(1), powi(node, 2)), da()); break;
    case Op::kSinh: d = mul(apply(Op::kCosh, a), da()); break;
    case Op::kCosh: d = mul(apply(Op::kSinh, a), da()); break;
    case Op::kAtan: d = div(da(), add(constant(1), powi(a, 2))); break;
    case Op::kAbs: d = mul(apply(Op::kSign, a), da()); break;
    case Op::kSign: d = constant(0); break;
  }
  derivatives_[{node, var}] = d;
  return d;
}

}  // namespace fw::model::expr
