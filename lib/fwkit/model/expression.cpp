#include "fwkit/model/expression.hpp"

#include <cctype>
#include <set>

#include "fwkit/core/error.hpp"
#include "fwkit/core/vector_clones.hpp"
#include "fwkit/model/expr/parser.hpp"
#include "fwkit/model/expr/tape.hpp"

namespace fw::model {
namespace {

using expr::Graph;
using expr::Symbols;
using expr::Tape;

/// Symbols for variables (then extra input names) and parameters.
Symbols make_symbols(Graph& g, const std::vector<std::string>& variables,
                     const std::vector<std::string>& extra, const Parameters& params,
                     const std::string& key_path) {
  static const std::set<std::string> kReserved = {
      "pi", "e", "exp", "log", "sqrt", "sin", "cos", "tan", "tanh", "sinh", "cosh", "atan",
      "abs", "sign", "pow", "sum"};
  Symbols sym;
  int index = 0;
  // `where` is the key that declares the name: .variables, .data, .parameters.
  auto bind = [&](const std::string& name, int node, const std::string& what, const std::string& where) {
    const std::string key = key_path + where;
    if (!expr::is_scalar_name(name))
      throw config_error(key + ": " + what + " name '" + name +
                         "' is not an identifier (letters, digits, '_', not starting with a digit)");
    if (kReserved.count(name.substr(0, name.find('['))))
      throw config_error(key + ": " + what + " name '" + name + "' is reserved (a function or constant of the expressions)");
    if (!sym.emplace(name, node).second)
      throw config_error(key + ": " + what + " name '" + name + "' is defined twice (names of variables, data columns and parameters must differ)");
  };
  for (const auto& v : variables) bind(v, g.variable(index++), "variable", ".variables");
  for (const auto& v : extra) bind(v, g.variable(index++), "data column", ".data");
  for (const auto& [name, value] : params) bind(name, g.constant(value), "parameter", ".parameters");
  return sym;
}

FWKIT_VECTOR_CLONES
/// to[i] = rows[index[i] * stride]: one column of the row-major data.
void gather(const double* __restrict rows, std::size_t stride, const int* __restrict index, double* __restrict to,
            std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) to[i] = rows[static_cast<std::size_t>(index[i]) * stride];
}

FWKIT_VECTOR_CLONES
void add_to(double* __restrict acc, const double* __restrict v, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) acc[i] += v[i];
}

FWKIT_VECTOR_CLONES
void scale(double* v, double c, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) v[i] *= c;
}

class ExpressionField final : public Field {
 public:
  ExpressionField(const ExpressionMatrix& exprs, const std::vector<std::string>& vars,
                  const Parameters& params, const std::string& key_path) {
    Graph g;
    const Symbols sym = make_symbols(g, vars, {}, params, key_path);
    std::vector<int> out;
    const std::size_t cols = exprs.empty() ? 0 : exprs[0].size();
    for (std::size_t i = 0; i < exprs.size(); ++i) {
      if (exprs[i].size() != cols)
        throw config_error(key_path + ": row " + std::to_string(i) + " has " +
                           std::to_string(exprs[i].size()) + " entries, expected " +
                           std::to_string(cols));
      for (std::size_t j = 0; j < cols; ++j)
        out.push_back(expr::parse(exprs[i][j], sym, g,
                                  key_path + "[" + std::to_string(i) + "][" + std::to_string(j) + "]"));
    }
    in_ = static_cast<int>(vars.size());
    std::vector<int> jac;  // column-major out x in
    for (int j = 0; j < in_; ++j)
      for (int node : out) jac.push_back(g.derivative(node, j));
    value_ = Tape::compile(g, out, in_);
    jacobian_ = Tape::compile(g, jac, in_);
  }
  int in_dim() const override { return in_; }
  int out_dim() const override { return value_.outputs(); }
  void eval(const double* x, double* out) const override { value_.eval(x, out); }
  void jacobian(const double* x, double* jac) const override { jacobian_.eval(x, jac); }
  void eval_batch(const double* x, double* out, std::size_t n, std::vector<double>& work,
                  std::vector<double*>& slots) const override {
    value_.eval_batch(x, out, n, work, slots);
  }

 private:
  int in_ = 0;
  Tape value_, jacobian_;
};

class ExpressionSystem final : public System {
 public:
  explicit ExpressionSystem(const ExpressionSpec& spec)
      : names_(expr::expand_declarations(spec.variables, spec.key_path + ".variables")) {
    const std::string& kp = spec.key_path;
    d_ = static_cast<int>(names_.size());
    if (d_ < 1) throw config_error(kp + ".variables: must name at least one state variable");
    Graph g;
    const Symbols sym = make_symbols(g, names_, {}, spec.parameters, kp);
    std::vector<int> b;
    if (spec.loss.empty() == spec.drift.empty())
      throw config_error(kp + ": give exactly one of 'drift' (b(x)) and 'loss' (f, b = -grad f)");
    if (!spec.loss.empty()) {
      gradient_ = true;
      const int f = expr::parse(spec.loss, sym, g, kp + ".loss");
      for (int i = 0; i < d_; ++i) b.push_back(g.neg(g.derivative(f, i)));
      loss_ = Tape::compile(g, {f}, d_);
    } else {
      if (static_cast<int>(spec.drift.size()) != d_)
        throw config_error(kp + ".drift: has " + std::to_string(spec.drift.size()) +
                           " entries, expected one per variable (" + std::to_string(d_) + ")");
      for (int i = 0; i < d_; ++i)
        b.push_back(expr::parse(spec.drift[i], sym, g, kp + ".drift[" + std::to_string(i) + "]"));
    }
    std::vector<int> jac;
    for (int j = 0; j < d_; ++j)
      for (int i = 0; i < d_; ++i) jac.push_back(g.derivative(b[i], j));
    drift_ = Tape::compile(g, b, d_);
    jacobian_ = Tape::compile(g, jac, d_);
    if (!spec.diffusion.empty()) {
      if (static_cast<int>(spec.diffusion.size()) != d_)
        throw config_error(kp + ".diffusion: needs one row per variable (" + std::to_string(d_) +
                           " rows), got " + std::to_string(spec.diffusion.size()));
      rank_ = static_cast<int>(spec.diffusion[0].size());
      auto field = std::make_shared<ExpressionField>(spec.diffusion, names_,
                                                     spec.parameters, kp + ".diffusion");
      // State dependence: any non-zero Jacobian entry at a few points would be
      // heuristic; decide symbolically instead.
      Graph h;
      const Symbols hs = make_symbols(h, names_, {}, spec.parameters, kp);
      for (const auto& row : spec.diffusion)
        for (const auto& e : row) {
          const int node = expr::parse(e, hs, h, kp + ".diffusion");
          for (int j = 0; j < d_; ++j)
            if (!h.is_const(h.derivative(node, j), 0)) state_dependent_ = true;
        }
      sigma_ = std::move(field);
    }
  }
  int dim() const override { return d_; }
  std::string name() const override { return "expression"; }
  std::vector<std::string> variable_names() const override { return names_; }
  void drift(const double* x, double* b) const override { drift_.eval(x, b); }
  void jacobian(const double* x, double* jac) const override { jacobian_.eval(x, jac); }
  void drift_batch(const double* x, double* b, std::size_t n) const override {
    drift_.eval_batch(x, b, n);
  }
  bool is_gradient() const override { return gradient_; }
  double loss(const double* x) const override {
    if (!gradient_) return System::loss(x);
    double f;
    loss_.eval(x, &f);
    return f;
  }
  int noise_rank() const override { return sigma_ ? rank_ : d_; }
  bool has_state_dependent_diffusion() const override { return state_dependent_; }
  void diffusion(const double* x, double* sigma) const override {
    if (!sigma_) return System::diffusion(x, sigma);
    std::vector<double> rm(static_cast<std::size_t>(d_ * rank_));
    sigma_->eval(x, rm.data());
    for (int i = 0; i < d_; ++i)
      for (int j = 0; j < rank_; ++j) sigma[j * d_ + i] = rm[static_cast<std::size_t>(i * rank_ + j)];
  }
  std::shared_ptr<const Field> diffusion_field() const override { return sigma_; }

 private:
  std::vector<std::string> names_;
  int d_ = 0, rank_ = 0;
  bool gradient_ = false, state_dependent_ = false;
  Tape drift_, jacobian_, loss_;
  std::shared_ptr<const Field> sigma_;
};

class FiniteSumSystem final : public System, public FiniteSum {
 public:
  explicit FiniteSumSystem(const FiniteSumSpec& spec)
      : names_(expr::expand_declarations(spec.variables, spec.key_path + ".variables")) {
    const std::string& kp = spec.key_path;
    d_ = static_cast<int>(names_.size());
    if (d_ < 1) throw config_error(kp + ".variables: must name at least one state variable");
    if (spec.data.empty()) throw config_error(kp + ".data: needs at least one column");
    std::vector<std::string> cols;
    for (const auto& [name, values] : spec.data) {
      if (n_ == 0) n_ = static_cast<int>(values.size());
      if (static_cast<int>(values.size()) != n_ || n_ == 0)
        throw config_error(kp + ".data." + name + ": has " + std::to_string(values.size()) +
                           " values, but columns must all have the same length n >= 1 (" +
                           std::to_string(n_) + ")");
      cols.push_back(name);
    }
    k_ = static_cast<int>(cols.size());
    data_.resize(static_cast<std::size_t>(n_ * k_));
    for (int c = 0; c < k_; ++c)
      for (int i = 0; i < n_; ++i) data_[static_cast<std::size_t>(i * k_ + c)] = spec.data.at(cols[c])[i];
    Graph g;
    const Symbols sym = make_symbols(g, names_, cols, spec.parameters, kp);
    const int f = expr::parse(spec.component, sym, g, kp + ".component");
    std::vector<int> grad, hess;
    for (int i = 0; i < d_; ++i) grad.push_back(g.derivative(f, i));
    for (int j = 0; j < d_; ++j)
      for (int i = 0; i < d_; ++i) hess.push_back(g.derivative(grad[i], j));
    loss_ = Tape::compile(g, {f}, d_ + k_);
    grad_ = Tape::compile(g, grad, d_ + k_);
    hess_ = Tape::compile(g, hess, d_ + k_);
  }
  // System
  int dim() const override { return d_; }
  std::string name() const override { return "finite_sum"; }
  std::vector<std::string> variable_names() const override { return names_; }
  void drift(const double* x, double* b) const override {
    accumulate(grad_, x, b, d_);
    for (int i = 0; i < d_; ++i) b[i] = -b[i];
  }
  void jacobian(const double* x, double* jac) const override {
    accumulate(hess_, x, jac, d_ * d_);
    for (int i = 0; i < d_ * d_; ++i) jac[i] = -jac[i];
  }
  bool is_gradient() const override { return true; }
  double loss(const double* x) const override {
    double f = 0;
    accumulate(loss_, x, &f, 1);
    return f;
  }
  const FiniteSum* finite_sum() const override { return this; }
  // FiniteSum
  int size() const override { return n_; }
  double component_loss(int i, const double* x) const override {
    double f = 0;
    with_inputs(i, x, [&](const double* in) { loss_.eval(in, &f); });
    return f;
  }
  void component_gradient(int i, const double* x, double* g) const override {
    with_inputs(i, x, [&](const double* in) { grad_.eval(in, g); });
  }
  void mean_gradient_block(const double* x, int lanes, const int* index, int batch, double* g,
                           BlockScratch& scratch) const override {
    // One pass of the gradient tape over the lanes per batch entry q, the
    // state read in place and the data columns gathered by index.
    const std::size_t L = static_cast<std::size_t>(lanes), d = static_cast<std::size_t>(d_);
    scratch.gathered.resize(static_cast<std::size_t>(k_) * L + (batch > 1 ? d * L : 0));
    double* data = scratch.gathered.data();
    double* one = batch > 1 ? data + static_cast<std::size_t>(k_) * L : g;
    scratch.inputs.resize(d + static_cast<std::size_t>(k_));
    const double** columns = scratch.inputs.data();
    for (std::size_t k = 0; k < d; ++k) columns[k] = x + k * L;
    for (int c = 0; c < k_; ++c) columns[d + static_cast<std::size_t>(c)] = data + static_cast<std::size_t>(c) * L;
    for (int q = 0; q < batch; ++q) {
      const int* iq = index + static_cast<std::size_t>(q) * L;
      for (int c = 0; c < k_; ++c) {
        // Row-major data: the columns of one point share a cache line.
        gather(data_.data() + c, static_cast<std::size_t>(k_), iq, data + static_cast<std::size_t>(c) * L, L);
      }
      grad_.eval_columns(columns, q == 0 ? g : one, L, scratch.tape, scratch.slots);
      if (q > 0) add_to(g, one, d * L);
    }
    if (batch > 1) scale(g, 1.0 / batch, d * L);
  }
 private:
  /// Calls f with (x, data row i) laid out as the tapes' inputs; on the stack
  /// for up to 64 inputs (these run in the simulator's inner loop).
  template <class F>
  void with_inputs(int i, const double* x, F&& f) const {
    constexpr int kStack = 64;
    double buf[kStack];
    std::vector<double> heap;
    double* in = buf;
    if (d_ + k_ > kStack) {
      heap.resize(static_cast<std::size_t>(d_ + k_));
      in = heap.data();
    }
    std::copy_n(x, d_, in);
    std::copy_n(data_.begin() + static_cast<std::ptrdiff_t>(i) * k_, k_, in + d_);
    f(static_cast<const double*>(in));
  }
  /// out = (1/n) sum_i tape(x, data_i).
  void accumulate(const Tape& t, const double* x, double* out, int m) const {
    constexpr int kStack = 64;
    double acc_buf[kStack], one_buf[kStack];
    std::vector<double> heap;
    double *acc = acc_buf, *one = one_buf;
    if (m > kStack) {
      heap.resize(2 * static_cast<std::size_t>(m));
      acc = heap.data();
      one = acc + m;
    }
    std::fill(acc, acc + m, 0.0);
    for (int i = 0; i < n_; ++i) {
      with_inputs(i, x, [&](const double* in) { t.eval(in, one); });
      for (int k = 0; k < m; ++k) acc[k] += one[k];
    }
    for (int k = 0; k < m; ++k) out[k] = acc[k] / n_;
  }

  std::vector<std::string> names_;
  int d_ = 0, n_ = 0, k_ = 0;
  std::vector<double> data_;  // n x k, row-major: a point's columns share a cache line
  Tape loss_, grad_, hess_;
};

}  // namespace

std::unique_ptr<System> make_expression_system(const ExpressionSpec& spec) {
  return std::make_unique<ExpressionSystem>(spec);
}

std::unique_ptr<System> make_finite_sum_system(const FiniteSumSpec& spec) {
  return std::make_unique<FiniteSumSystem>(spec);
}

std::shared_ptr<const Field> make_expression_field(const ExpressionMatrix& exprs,
                                                   const std::vector<std::string>& variables,
                                                   const Parameters& parameters,
                                                   const std::string& key_path) {
  if (exprs.empty() || exprs[0].empty())
    throw config_error(key_path + ": needs at least one expression");
  return std::make_shared<ExpressionField>(exprs, variables, parameters, key_path);
}

}  // namespace fw::model
