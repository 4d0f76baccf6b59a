#include "fwkit/model/expr/tape.hpp"

#include <algorithm>
#include <cmath>
#include <memory>

namespace fw::model::expr {
namespace {

Code function_code(Op op) {
  switch (op) {
    case Op::kExp: return Code::kExp;
    case Op::kLog: return Code::kLog;
    case Op::kSqrt: return Code::kSqrt;
    case Op::kSin: return Code::kSin;
    case Op::kCos: return Code::kCos;
    case Op::kTan: return Code::kTan;
    case Op::kTanh: return Code::kTanh;
    case Op::kSinh: return Code::kSinh;
    case Op::kCosh: return Code::kCosh;
    case Op::kAtan: return Code::kAtan;
    case Op::kAbs: return Code::kAbs;
    default: return Code::kSign;
  }
}

double powi(double x, int n) {
  if (n < 0) return 1.0 / powi(x, -n);
  double r = 1, base = x;
  while (n) {
    if (n & 1) r *= base;
    base *= base;
    n >>= 1;
  }
  return r;
}

/// Slot allocation with reuse after the last use of a value.
class Allocator {
 public:
  int take() {
    if (!free_.empty()) {
      const int s = free_.back();
      free_.pop_back();
      return s;
    }
    return count_++;
  }
  void release(int s) { free_.push_back(s); }
  int count() const { return count_; }

 private:
  std::vector<int> free_;
  int count_ = 0;
};

}  // namespace

Tape Tape::compile(const Graph& g, const std::vector<int>& outputs, int n_inputs) {
  Tape t;
  t.n_inputs_ = n_inputs;
  const int n = g.size();
  // Reachability and last use (in instruction order = node order).
  std::vector<char> live(n, 0);
  for (int o : outputs) live[o] = 1;
  for (int i = n - 1; i >= 0; --i) {
    if (!live[i]) continue;
    const Node& nd = g[i];
    // Constant operands of binary ops become immediates; they need no slot.
    const bool binary = nd.op == Op::kAdd || nd.op == Op::kSub || nd.op == Op::kMul ||
                        nd.op == Op::kDiv || nd.op == Op::kPow;
    if (nd.a >= 0 && !(binary && g.is_const(nd.a) && !g.is_const(nd.b))) live[nd.a] = 1;
    if (nd.b >= 0 && !(binary && g.is_const(nd.b))) live[nd.b] = 1;
  }
  std::vector<int> last_use(n, -1);
  for (int i = 0; i < n; ++i) {
    if (!live[i]) continue;
    if (g[i].a >= 0) last_use[g[i].a] = i;
    if (g[i].b >= 0) last_use[g[i].b] = i;
  }
  for (int o : outputs) last_use[o] = n;  // outputs live to the end

  Allocator alloc;
  std::vector<int> slot(n, -1);
  t.input_slot_.assign(n_inputs, -1);
  auto free_dead = [&](int operand, int at) {
    if (operand >= 0 && slot[operand] >= 0 && last_use[operand] == at) alloc.release(slot[operand]);
  };
  for (int i = 0; i < n; ++i) {
    if (!live[i]) continue;
    const Node& nd = g[i];
    if (nd.op == Op::kVar) {
      slot[i] = alloc.take();
      t.input_slot_[nd.n] = slot[i];
      continue;
    }
    Instr in{Code::kLoadC, -1, -1, -1, 0, 0};
    const bool ca = nd.a >= 0 && g.is_const(nd.a), cb = nd.b >= 0 && g.is_const(nd.b);
    const double va = ca ? g[nd.a].value : 0, vb = cb ? g[nd.b].value : 0;
    auto with_imm = [&](Code c, int operand, double imm) {
      in.code = c;
      in.a = slot[operand];
      in.imm = imm;
    };
    switch (nd.op) {
      case Op::kConst: in.imm = nd.value; break;
      case Op::kAdd:
        if (ca) with_imm(Code::kAddC, nd.b, va);
        else if (cb) with_imm(Code::kAddC, nd.a, vb);
        else in = {Code::kAdd, -1, slot[nd.a], slot[nd.b], 0, 0};
        break;
      case Op::kMul:
        if (ca) with_imm(Code::kMulC, nd.b, va);
        else if (cb) with_imm(Code::kMulC, nd.a, vb);
        else in = {Code::kMul, -1, slot[nd.a], slot[nd.b], 0, 0};
        break;
      case Op::kSub:
        if (ca) with_imm(Code::kRSubC, nd.b, va);
        else if (cb) with_imm(Code::kSubC, nd.a, vb);
        else in = {Code::kSub, -1, slot[nd.a], slot[nd.b], 0, 0};
        break;
      case Op::kDiv:
        if (ca) with_imm(Code::kRDivC, nd.b, va);
        else if (cb) with_imm(Code::kDivC, nd.a, vb);
        else in = {Code::kDiv, -1, slot[nd.a], slot[nd.b], 0, 0};
        break;
      case Op::kPow:
        if (ca) with_imm(Code::kRPowC, nd.b, va);
        else if (cb) with_imm(Code::kPowC, nd.a, vb);
        else in = {Code::kPow, -1, slot[nd.a], slot[nd.b], 0, 0};
        break;
      case Op::kNeg: in = {Code::kNeg, -1, slot[nd.a], -1, 0, 0}; break;
      case Op::kPowi:
        in = {nd.n == 2 ? Code::kSquare : nd.n == 3 ? Code::kCube : Code::kPowi, -1, slot[nd.a],
              -1, nd.n, 0};
        break;
      default: in = {function_code(nd.op), -1, slot[nd.a], -1, 0, 0}; break;
    }
    // Allocate the destination before freeing operands: d never aliases a or b.
    slot[i] = in.d = alloc.take();
    t.code_.push_back(in);
    free_dead(nd.a, i);
    if (nd.b != nd.a) free_dead(nd.b, i);
  }
  for (int o : outputs) t.output_slot_.push_back(slot[o]);
  t.n_slots_ = std::max(alloc.count(), 1);
  return t;
}

void Tape::run(double* r) const {
  for (const Instr& in : code_) {
    const double a = in.a >= 0 ? r[in.a] : 0;
    double v;
    switch (in.code) {
      case Code::kLoadC: v = in.imm; break;
      case Code::kAdd: v = a + r[in.b]; break;
      case Code::kSub: v = a - r[in.b]; break;
      case Code::kMul: v = a * r[in.b]; break;
      case Code::kDiv: v = a / r[in.b]; break;
      case Code::kPow: v = std::pow(a, r[in.b]); break;
      case Code::kAddC: v = a + in.imm; break;
      case Code::kMulC: v = in.imm * a; break;
      case Code::kSubC: v = a - in.imm; break;
      case Code::kRSubC: v = in.imm - a; break;
      case Code::kDivC: v = a / in.imm; break;
      case Code::kRDivC: v = in.imm / a; break;
      case Code::kPowC: v = std::pow(a, in.imm); break;
      case Code::kRPowC: v = std::pow(in.imm, a); break;
      case Code::kNeg: v = -a; break;
      case Code::kSquare: v = a * a; break;
      case Code::kCube: v = a * a * a; break;
      case Code::kPowi: v = powi(a, in.n); break;
      case Code::kExp: v = std::exp(a); break;
      case Code::kLog: v = std::log(a); break;
      case Code::kSqrt: v = std::sqrt(a); break;
      case Code::kSin: v = std::sin(a); break;
      case Code::kCos: v = std::cos(a); break;
      case Code::kTan: v = std::tan(a); break;
      case Code::kTanh: v = std::tanh(a); break;
      case Code::kSinh: v = std::sinh(a); break;
      case Code::kCosh: v = std::cosh(a); break;
      case Code::kAtan: v = std::atan(a); break;
      case Code::kAbs: v = std::abs(a); break;
      case Code::kSign: v = (a > 0) - (a < 0); break;
    }
    r[in.d] = v;
  }
}

void Tape::eval(const double* in, double* out) const {
  constexpr int kStack = 128;
  double stack[kStack];
  std::unique_ptr<double[]> heap;
  double* r = stack;
  if (n_slots_ > kStack) {
    heap = std::make_unique<double[]>(static_cast<std::size_t>(n_slots_));
    r = heap.get();
  }
  for (int i = 0; i < n_inputs_; ++i)
    if (input_slot_[i] >= 0) r[input_slot_[i]] = in[i];
  run(r);
  for (std::size_t k = 0; k < output_slot_.size(); ++k) out[k] = r[output_slot_[k]];
}

namespace {

template <class F>
inline void map1(double* __restrict d, const double* __restrict a, std::size_t len, F f) {
  for (std::size_t m = 0; m < len; ++m) d[m] = f(a[m]);
}
template <class F>
inline void map2(double* __restrict d, const double* __restrict a, const double* __restrict b,
                 std::size_t len, F f) {
  for (std::size_t m = 0; m < len; ++m) d[m] = f(a[m], b[m]);
}

}  // namespace

void Tape::run_block(double* w, std::size_t stride, std::size_t len) const {
  for (const Instr& in : code_) {
    double* d = w + static_cast<std::size_t>(in.d) * stride;
    const double* a = in.a >= 0 ? w + static_cast<std::size_t>(in.a) * stride : nullptr;
    const double* b = in.b >= 0 ? w + static_cast<std::size_t>(in.b) * stride : nullptr;
    const double c = in.imm;
    switch (in.code) {
      case Code::kLoadC: std::fill(d, d + len, c); break;
      case Code::kAdd: map2(d, a, b, len, [](double x, double y) { return x + y; }); break;
      case Code::kSub: map2(d, a, b, len, [](double x, double y) { return x - y; }); break;
      case Code::kMul: map2(d, a, b, len, [](double x, double y) { return x * y; }); break;
      case Code::kDiv: map2(d, a, b, len, [](double x, double y) { return x / y; }); break;
      case Code::kPow: map2(d, a, b, len, [](double x, double y) { return std::pow(x, y); }); break;
      case Code::kAddC: map1(d, a, len, [c](double x) { return x + c; }); break;
      case Code::kMulC: map1(d, a, len, [c](double x) { return c * x; }); break;
      case Code::kSubC: map1(d, a, len, [c](double x) { return x - c; }); break;
      case Code::kRSubC: map1(d, a, len, [c](double x) { return c - x; }); break;
      case Code::kDivC: map1(d, a, len, [c](double x) { return x / c; }); break;
      case Code::kRDivC: map1(d, a, len, [c](double x) { return c / x; }); break;
      case Code::kPowC: map1(d, a, len, [c](double x) { return std::pow(x, c); }); break;
      case Code::kRPowC: map1(d, a, len, [c](double x) { return std::pow(c, x); }); break;
      case Code::kNeg: map1(d, a, len, [](double x) { return -x; }); break;
      case Code::kSquare: map1(d, a, len, [](double x) { return x * x; }); break;
      case Code::kCube: map1(d, a, len, [](double x) { return x * x * x; }); break;
      case Code::kPowi: {
        const int e = in.n;
        map1(d, a, len, [e](double x) { return powi(x, e); });
        break;
      }
      case Code::kExp: map1(d, a, len, [](double x) { return std::exp(x); }); break;
      case Code::kLog: map1(d, a, len, [](double x) { return std::log(x); }); break;
      case Code::kSqrt: map1(d, a, len, [](double x) { return std::sqrt(x); }); break;
      case Code::kSin: map1(d, a, len, [](double x) { return std::sin(x); }); break;
      case Code::kCos: map1(d, a, len, [](double x) { return std::cos(x); }); break;
      case Code::kTan: map1(d, a, len, [](double x) { return std::tan(x); }); break;
      case Code::kTanh: map1(d, a, len, [](double x) { return std::tanh(x); }); break;
      case Code::kSinh: map1(d, a, len, [](double x) { return std::sinh(x); }); break;
      case Code::kCosh: map1(d, a, len, [](double x) { return std::cosh(x); }); break;
      case Code::kAtan: map1(d, a, len, [](double x) { return std::atan(x); }); break;
      case Code::kAbs: map1(d, a, len, [](double x) { return std::abs(x); }); break;
      case Code::kSign:
        map1(d, a, len, [](double x) { return static_cast<double>((x > 0) - (x < 0)); });
        break;
    }
  }
}

void Tape::eval_batch(const double* in, double* out, std::size_t n) const {
  constexpr std::size_t kBlock = 256;
  std::vector<double> work(static_cast<std::size_t>(n_slots_) * kBlock);
  for (std::size_t start = 0; start < n; start += kBlock) {
    const std::size_t len = std::min(kBlock, n - start);
    for (int i = 0; i < n_inputs_; ++i)
      if (input_slot_[i] >= 0)
        std::copy_n(in + static_cast<std::size_t>(i) * n + start, len,
                    work.data() + static_cast<std::size_t>(input_slot_[i]) * kBlock);
    run_block(work.data(), kBlock, len);
    for (std::size_t k = 0; k < output_slot_.size(); ++k)
      std::copy_n(work.data() + static_cast<std::size_t>(output_slot_[k]) * kBlock, len,
                  out + k * n + start);
  }
}

}  // namespace fw::model::expr
