#include "fwkit/model/expr/tape.hpp"

#include <algorithm>
#include <cmath>
#include <memory>

#include "fwkit/core/vector_clones.hpp"

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

namespace {

/// How one node is computed: an instruction code, the nodes whose slots it
/// reads, and its immediate operand.
struct Plan {
  Code code = Code::kLoadC;
  int ra = -1, rb = -1;  // nodes read
  double imm = 0;
  int n = 0;
};

/// The straightforward plan of node i (constants folded into immediates).
Plan plan_node(const Graph& g, int i) {
  const Node& nd = g[i];
  Plan p;
  const bool ca = nd.a >= 0 && g.is_const(nd.a), cb = nd.b >= 0 && g.is_const(nd.b);
  const double va = ca ? g[nd.a].value : 0, vb = cb ? g[nd.b].value : 0;
  auto imm = [&](Code c, int operand, double v) { p.code = c, p.ra = operand, p.imm = v; };
  auto bin = [&](Code c) { p.code = c, p.ra = nd.a, p.rb = nd.b; };
  switch (nd.op) {
    case Op::kConst: p.imm = nd.value; break;
    case Op::kAdd: ca ? imm(Code::kAddC, nd.b, va) : cb ? imm(Code::kAddC, nd.a, vb) : bin(Code::kAdd); break;
    case Op::kMul: ca ? imm(Code::kMulC, nd.b, va) : cb ? imm(Code::kMulC, nd.a, vb) : bin(Code::kMul); break;
    case Op::kSub: ca ? imm(Code::kRSubC, nd.b, va) : cb ? imm(Code::kSubC, nd.a, vb) : bin(Code::kSub); break;
    case Op::kDiv: ca ? imm(Code::kRDivC, nd.b, va) : cb ? imm(Code::kDivC, nd.a, vb) : bin(Code::kDiv); break;
    case Op::kPow: ca ? imm(Code::kRPowC, nd.b, va) : cb ? imm(Code::kPowC, nd.a, vb) : bin(Code::kPow); break;
    case Op::kNeg: p.code = Code::kNeg, p.ra = nd.a; break;
    case Op::kPowi:
      p.code = nd.n == 2 ? Code::kSquare : nd.n == 3 ? Code::kCube : Code::kPowi;
      p.ra = nd.a;
      p.n = nd.n;
      break;
    default: p.code = function_code(nd.op), p.ra = nd.a; break;
  }
  return p;
}

}  // namespace

Tape Tape::compile(const Graph& g, const std::vector<int>& outputs, int n_inputs) {
  Tape t;
  t.n_inputs_ = n_inputs;
  const int n = g.size();
  std::vector<Plan> plan(static_cast<std::size_t>(n));
  std::vector<char> is_output(n, 0);
  for (int o : outputs) is_output[o] = 1;

  // Liveness from the outputs under the current plans.
  std::vector<char> live(n, 0);
  auto mark_live = [&] {
    std::fill(live.begin(), live.end(), 0);
    for (int o : outputs) live[o] = 1;
    for (int i = n - 1; i >= 0; --i) {
      if (!live[i] || g[i].op == Op::kVar) continue;
      if (plan[i].ra >= 0) live[plan[i].ra] = 1;
      if (plan[i].rb >= 0) live[plan[i].rb] = 1;
    }
  };
  for (int i = 0; i < n; ++i)
    if (g[i].op != Op::kVar) plan[i] = plan_node(g, i);
  mark_live();

  // Fusion of single-use inner nodes: a +- c*u -> axpy, -(u*v) -> negmul.
  std::vector<int> uses(n, 0);
  for (int i = 0; i < n; ++i) {
    if (!live[i] || g[i].op == Op::kVar) continue;
    if (plan[i].ra >= 0) ++uses[plan[i].ra];
    if (plan[i].rb >= 0) ++uses[plan[i].rb];
  }
  auto fusable = [&](int j, Code inner) {
    return j >= 0 && uses[j] == 1 && !is_output[j] && g[j].op != Op::kVar && plan[j].code == inner;
  };
  for (int i = 0; i < n; ++i) {
    if (!live[i]) continue;
    Plan& p = plan[i];
    if ((p.code == Code::kAdd || p.code == Code::kSub) && fusable(p.rb, Code::kMulC)) {
      const Plan& inner = plan[p.rb];
      p = Plan{Code::kAxpy, p.ra, inner.ra, p.code == Code::kAdd ? inner.imm : -inner.imm, 0};
    } else if (p.code == Code::kAdd && fusable(p.ra, Code::kMulC)) {
      const Plan& inner = plan[p.ra];
      p = Plan{Code::kAxpy, p.rb, inner.ra, inner.imm, 0};
    } else if (p.code == Code::kNeg && fusable(p.ra, Code::kMul)) {
      const Plan& inner = plan[p.ra];
      p = Plan{Code::kNegMul, inner.ra, inner.rb, 0, 0};
    }
  }
  mark_live();

  std::vector<int> last_use(n, -1);
  for (int i = 0; i < n; ++i) {
    if (!live[i] || g[i].op == Op::kVar) continue;
    if (plan[i].ra >= 0) last_use[plan[i].ra] = i;
    if (plan[i].rb >= 0) last_use[plan[i].rb] = i;
  }
  for (int o : outputs) last_use[o] = n;  // outputs live to the end

  Allocator alloc;
  std::vector<int> slot(n, -1);
  t.input_slot_.assign(n_inputs, -1);
  // Input slots are never recycled: batch evaluation reads them in place
  // from the caller's arrays, which must never be written.
  auto free_dead = [&](int operand, int at) {
    if (operand >= 0 && slot[operand] >= 0 && last_use[operand] == at && g[operand].op != Op::kVar)
      alloc.release(slot[operand]);
  };
  for (int i = 0; i < n; ++i) {
    if (!live[i]) continue;
    if (g[i].op == Op::kVar) {
      slot[i] = alloc.take();
      t.input_slot_[g[i].n] = slot[i];
      continue;
    }
    const Plan& p = plan[i];
    Instr in{p.code, -1, p.ra >= 0 ? slot[p.ra] : -1, p.rb >= 0 ? slot[p.rb] : -1, p.n, p.imm};
    // Allocate the destination before freeing operands: d never aliases a or b.
    slot[i] = in.d = alloc.take();
    t.code_.push_back(in);
    free_dead(p.ra, i);
    if (p.rb != p.ra) free_dead(p.rb, i);
  }
  // An output computed by an instruction is written straight into the
  // caller's output array in batch mode (first occurrence of its slot only).
  std::vector<char> taken(static_cast<std::size_t>(alloc.count()) + 1, 0);
  for (int o : outputs) {
    t.output_slot_.push_back(slot[o]);
    const bool direct = g[o].op != Op::kVar && !taken[static_cast<std::size_t>(slot[o])];
    taken[static_cast<std::size_t>(slot[o])] = 1;
    t.output_direct_.push_back(direct);
  }
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
      case Code::kAxpy: v = a + in.imm * r[in.b]; break;
      case Code::kNegMul: v = -(a * r[in.b]); break;
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

namespace {

/// The tape's instructions over `len` points of every slot (base[s]).
FWKIT_VECTOR_CLONES
void run_instructions(const Instr* code, std::size_t count, double* const* base, std::size_t len) {
  for (std::size_t i = 0; i < count; ++i) {
    const Instr& in = code[i];
    double* d = base[in.d];
    const double* a = in.a >= 0 ? base[in.a] : nullptr;
    const double* b = in.b >= 0 ? base[in.b] : nullptr;
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
      case Code::kAxpy: map2(d, a, b, len, [c](double x, double y) { return x + c * y; }); break;
      case Code::kNegMul: map2(d, a, b, len, [](double x, double y) { return -(x * y); }); break;
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

}  // namespace

void Tape::run_block(double* const* base, std::size_t len) const {
  run_instructions(code_.data(), code_.size(), base, len);
}

void Tape::eval_batch(const double* in, double* out, std::size_t n) const {
  std::vector<double> work;
  std::vector<double*> base;
  eval_batch(in, out, n, work, base);
}

void Tape::eval_batch(const double* in, double* out, std::size_t n, std::vector<double>& work,
                      std::vector<double*>& base) const {
  constexpr int kStack = 64;
  const double* stack[kStack];
  std::vector<const double*> heap;
  const double** columns = stack;
  if (n_inputs_ > kStack) {
    heap.resize(static_cast<std::size_t>(n_inputs_));
    columns = heap.data();
  }
  for (int i = 0; i < n_inputs_; ++i) columns[i] = in + static_cast<std::size_t>(i) * n;
  eval_columns(columns, out, n, work, base);
}

void Tape::eval_columns(const double* const* columns, double* out, std::size_t n, std::vector<double>& work,
                        std::vector<double*>& base) const {
  constexpr std::size_t kBlock = 256;
  if (work.size() < static_cast<std::size_t>(n_slots_) * kBlock) work.resize(static_cast<std::size_t>(n_slots_) * kBlock);
  if (base.size() < static_cast<std::size_t>(n_slots_)) base.resize(static_cast<std::size_t>(n_slots_));
  for (std::size_t start = 0; start < n; start += kBlock) {
    const std::size_t len = std::min(kBlock, n - start);
    for (int s = 0; s < n_slots_; ++s) base[s] = work.data() + static_cast<std::size_t>(s) * kBlock;
    // Inputs are read in place (their slots are never destinations).
    for (int i = 0; i < n_inputs_; ++i)
      if (input_slot_[i] >= 0) base[input_slot_[i]] = const_cast<double*>(columns[i] + start);
    for (std::size_t k = 0; k < output_slot_.size(); ++k)
      if (output_direct_[k]) base[output_slot_[k]] = out + k * n + start;
    run_block(base.data(), len);
    for (std::size_t k = 0; k < output_slot_.size(); ++k)
      if (!output_direct_[k]) std::copy_n(base[output_slot_[k]], len, out + k * n + start);
  }
}

}  // namespace fw::model::expr
