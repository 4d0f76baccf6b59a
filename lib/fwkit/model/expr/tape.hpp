// fwkit/model/expr/tape.hpp — compiled expressions.
//
// A Tape is a straight-line program over numbered slots, compiled from a set
// of output nodes of a Graph: shared subexpressions are computed once,
// constants are folded into immediate operands (x + c, c * x, c / x, ...),
// single-use products are fused into their consumer (a +- c*u, -(u*v)),
// and slots are reused once their value is dead, so the working set stays
// small. eval() runs it at one point; eval_batch() runs it on many points in
// structure-of-arrays layout, one instruction over a block of points at a
// time, which amortises dispatch and lets the compiler vectorise each
// instruction's loop.
#pragma once

#include <cstddef>
#include <vector>

#include "fwkit/model/expr/graph.hpp"

namespace fw::model::expr {

enum class Code : std::uint8_t {
  kLoadC,                                // d = imm
  kAdd, kSub, kMul, kDiv, kPow,          // d = a op b
  kAddC, kMulC, kSubC, kRSubC, kDivC, kRDivC, kPowC, kRPowC,  // with immediate
  kNeg, kSquare, kCube, kPowi,           // kPowi: a^n
  kAxpy,                                 // d = a + imm * b (fused a +- c*u)
  kNegMul,                               // d = -(a * b)
  kExp, kLog, kSqrt, kSin, kCos, kTan, kTanh, kSinh, kCosh, kAtan, kAbs, kSign,
};

struct Instr {
  Code code;
  int d, a, b;  // slots
  int n;        // integer exponent
  double imm;   // immediate operand
};

class Tape {
 public:
  Tape() = default;
  /// Compiles `outputs` of `graph`; variables are numbered 0..n_inputs-1.
  static Tape compile(const Graph& graph, const std::vector<int>& outputs, int n_inputs);

  int inputs() const { return n_inputs_; }
  int outputs() const { return static_cast<int>(output_slot_.size()); }
  int slots() const { return n_slots_; }
  int instructions() const { return static_cast<int>(code_.size()); }

  /// out[k] = output k at the point `in` (inputs() values).
  void eval(const double* in, double* out) const;
  /// Batch evaluation: input i of point m is in[i * n + m], output k of point
  /// m goes to out[k * n + m]. `in` and `out` must not overlap.
  void eval_batch(const double* in, double* out, std::size_t n) const;
  /// The same with the working slots in caller-owned vectors (grown as
  /// needed, never shrunk): no allocation once they are large enough.
  void eval_batch(const double* in, double* out, std::size_t n, std::vector<double>& work,
                  std::vector<double*>& base) const;
  /// Batch evaluation with input i read from columns[i] (n values each, in
  /// place: inputs need not be one array) and output k written to
  /// out + k * n.
  void eval_columns(const double* const* columns, double* out, std::size_t n, std::vector<double>& work,
                    std::vector<double*>& base) const;

 private:
  void run(double* slot) const;
  /// Runs the program on `len` points; base[s] is the array of slot s.
  void run_block(double* const* base, std::size_t len) const;

  std::vector<Instr> code_;
  std::vector<int> input_slot_;   // slot of each input, -1 if unused
  std::vector<int> output_slot_;  // slot holding each output
  std::vector<char> output_direct_;  // batch: computed in place in the output array
  int n_inputs_ = 0;
  int n_slots_ = 0;
};

}  // namespace fw::model::expr
