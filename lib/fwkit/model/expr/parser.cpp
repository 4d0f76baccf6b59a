#include "fwkit/model/expr/parser.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <numbers>
#include <optional>
#include <vector>

#include "fwkit/core/error.hpp"

namespace fw::model::expr {
namespace {

class Parser {
 public:
  Parser(const std::string& text, const Symbols& symbols, Graph& g, const std::string& where)
      : s_(text), sym_(symbols), g_(g), where_(where) {}

  int parse_all() {
    skip();
    if (pos_ >= s_.size()) fail("empty expression");
    const int r = expr();
    skip();
    if (pos_ < s_.size()) fail(std::string("unexpected '") + s_[pos_] + "'");
    return r;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const { fail_at(what, pos_); }
  [[noreturn]] void fail_at(const std::string& what, std::size_t at) const {
    std::string msg = where_ + ": " + what + " at column " + std::to_string(at + 1) +
                      "\n    " + s_ + "\n    " + std::string(at, ' ') + "^";
    throw config_error(msg);
  }
  void skip() {
    while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
  }
  bool accept(const char* tok) {
    skip();
    const std::size_t n = std::char_traits<char>::length(tok);
    if (s_.compare(pos_, n, tok) == 0) {
      // '*' must not swallow the first half of '**'.
      if (n == 1 && tok[0] == '*' && s_.compare(pos_, 2, "**") == 0) return false;
      pos_ += n;
      return true;
    }
    return false;
  }
  void expect(char c) {
    skip();
    if (pos_ >= s_.size() || s_[pos_] != c)
      fail(std::string("expected '") + c + "'" +
           (pos_ >= s_.size() ? std::string(" before the end") : ""));
    ++pos_;
  }

  /// Counts the parser's recursion (parentheses, calls, signs, powers,
  /// sums, index expressions):
  /// beyond kMaxDepth levels an error, not a stack overflow (at 500 levels
  /// the parser and the derivative use well under 1 MB of stack).
  struct Nesting {
    Parser& p;
    explicit Nesting(Parser& parser) : p(parser) {
      if (++p.depth_ > kMaxDepth)
        p.fail("nested deeper than " + std::to_string(kMaxDepth) + " levels (parentheses, calls, signs, powers)");
    }
    ~Nesting() { --p.depth_; }
  };
  /// A constant the graph folded to inf or NaN (1/0, exp(1000), 10^400) is an
  /// error at the operator that made it, not a model that blows up at once.
  int finite(int r, std::size_t at) {
    // Not in an empty sum's body, read for its syntax with entries as 0.
    if (!dry_ && g_.is_const(r) && !std::isfinite(g_[r].value))
      fail_at("this evaluates to the constant " + std::to_string(g_[r].value) +
                  ", which is not a finite number (a division by zero or an overflow)",
              at);
    return r;
  }

  int expr() {
    skip();
    const std::size_t start = pos_;
    std::vector<int> terms{term()};
    std::vector<bool> minus{false};
    while (true) {
      if (accept("+")) minus.push_back(false);
      else if (accept("-")) minus.push_back(true);
      else break;
      terms.push_back(term());
    }
    return finite(chain(terms, minus, Op::kAdd), start);
  }
  int term() {
    skip();
    const std::size_t start = pos_;
    std::vector<int> factors{unary()};
    std::vector<bool> divide{false};
    while (true) {
      if (accept("*")) divide.push_back(false);
      else if (accept("/")) divide.push_back(true);
      else break;
      factors.push_back(unary());
    }
    return finite(chain(factors, divide, Op::kMul), start);
  }
  /// a op1 b op2 c ... from the left, as written; a long chain (more than
  /// 64 operands: generated sums of many terms) as a balanced tree of
  /// sums or products of the inverted operands instead, so that the graph
  /// stays shallow for the recursive derivative (a 200,000-term sum
  /// overflowed the stack).
  int chain(std::vector<int>& xs, const std::vector<bool>& inverse, Op op) {
    const bool add = op == Op::kAdd;
    if (xs.size() <= 64) {
      int r = xs[0];
      for (std::size_t k = 1; k < xs.size(); ++k)
        r = add ? (inverse[k] ? g_.sub(r, xs[k]) : g_.add(r, xs[k])) : (inverse[k] ? g_.div(r, xs[k]) : g_.mul(r, xs[k]));
      return r;
    }
    for (std::size_t k = 1; k < xs.size(); ++k)
      if (inverse[k]) xs[k] = add ? g_.neg(xs[k]) : g_.div(g_.constant(1), xs[k]);
    for (std::size_t width = 1; width < xs.size(); width *= 2)
      for (std::size_t k = 0; k + width < xs.size(); k += 2 * width)
        xs[k] = add ? g_.add(xs[k], xs[k + width]) : g_.mul(xs[k], xs[k + width]);
    return xs[0];
  }
  int unary() {
    skip();
    const std::size_t start = pos_;
    if (accept("-")) {
      const Nesting nest(*this);
      return g_.neg(unary());
    }
    if (accept("+")) {
      const Nesting nest(*this);
      return unary();
    }
    return finite(power(), start);
  }
  int power() {
    skip();
    const std::size_t start = pos_;
    const int base = primary();
    if (accept("^") || accept("**")) {
      const Nesting nest(*this);
      return finite(g_.pow(base, unary()), start);
    }
    return base;
  }
  int primary() {
    skip();
    if (pos_ >= s_.size()) fail("expected a number, a name or '(' before the end");
    const char c = s_[pos_];
    if (std::isdigit(static_cast<unsigned char>(c)) || c == '.') return number();
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') return name();
    if (c == '(') {
      ++pos_;
      const Nesting nest(*this);
      const int r = expr();
      expect(')');
      return r;
    }
    fail(std::string("expected a number, a name or '(' but found '") + c + "'");
  }
  int number() {
    const char* begin = s_.c_str() + pos_;
    char* end = nullptr;
    const double v = std::strtod(begin, &end);
    if (end == begin) fail("malformed number");
    if (!std::isfinite(v)) fail("the number " + std::string(begin, static_cast<std::size_t>(end - begin)) + " is beyond the range of a double (about 1.8e308)");
    pos_ += static_cast<std::size_t>(end - begin);
    return g_.constant(v);
  }
  int name() {
    const std::size_t start = pos_;
    while (pos_ < s_.size() &&
           (std::isalnum(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '_'))
      ++pos_;
    const std::string id = s_.substr(start, pos_ - start);
    skip();
    if (pos_ < s_.size() && s_[pos_] == '(') return id == "sum" ? sum(start) : call(id, start);
    if (pos_ < s_.size() && s_[pos_] == '[') return entry(id, start);
    if (auto it = bound_.find(id); it != bound_.end()) return g_.constant(static_cast<double>(it->second));
    if (auto it = sym_.find(id); it != sym_.end()) return it->second;
    if (id == "pi") return g_.constant(std::numbers::pi);
    if (id == "e") return g_.constant(std::numbers::e);
    std::string known;
    for (const auto& [k, v] : sym_) known += (known.empty() ? "" : ", ") + k;
    fail_at("unknown name '" + id + "' (known: " + (known.empty() ? "none" : known) +
                ", pi, e)", start);
  }
  int call(const std::string& id, std::size_t start) {
    static constexpr Op kFunctions[] = {Op::kExp,  Op::kLog,  Op::kSqrt, Op::kSin,
                                        Op::kCos,  Op::kTan,  Op::kTanh, Op::kSinh,
                                        Op::kCosh, Op::kAtan, Op::kAbs,  Op::kSign};
    ++pos_;  // '('
    const Nesting nest(*this);
    std::vector<int> args{expr()};
    while (accept(",")) args.push_back(expr());
    expect(')');
    if (id == "pow") {
      if (args.size() != 2) fail_at("pow takes 2 arguments, got " + std::to_string(args.size()), start);
      return finite(g_.pow(args[0], args[1]), start);
    }
    for (Op f : kFunctions)
      if (id == function_name(f)) {
        if (args.size() != 1)
          fail_at(id + " takes 1 argument, got " + std::to_string(args.size()), start);
        return finite(g_.apply(f, args[0]), start);
      }
    fail_at("unknown function '" + id +
                "' (known: exp, log, sqrt, sin, cos, tan, tanh, sinh, cosh, atan, abs, sign, pow)",
            start);
  }

  /// An entry of a declared vector or matrix: id '[' index (',' index)* ']'.
  int entry(const std::string& id, std::size_t start) {
    ++pos_;  // '['
    std::string key = id + "[" + std::to_string(index_expr());
    while (accept(",")) key += "," + std::to_string(index_expr());
    expect(']');
    key += "]";
    if (dry_) return g_.constant(0.0);
    if (auto it = sym_.find(key); it != sym_.end()) return it->second;
    const bool declared = std::any_of(sym_.begin(), sym_.end(), [&](const auto& kv) {
      return kv.first.compare(0, id.size() + 1, id + "[") == 0;
    });
    fail_at("no entry " + key +
                (declared ? " (" + id + " is declared as " + largest_entry(id) + ", indices from 1)"
                          : " ('" + id + "' is not a declared vector or matrix)"),
            start);
  }
  /// The entry of `id` with the largest indices (the declared shape).
  std::string largest_entry(const std::string& id) const {
    std::vector<long> top;
    for (const auto& [k, v] : sym_) {
      if (k.compare(0, id.size() + 1, id + "[") != 0) continue;
      std::vector<long> idx;
      for (std::size_t p = id.size() + 1; p < k.size();) {
        idx.push_back(std::strtol(k.c_str() + p, nullptr, 10));
        p = k.find_first_of(",]", p) + 1;
      }
      if (top.size() < idx.size()) top.resize(idx.size(), 0);
      for (std::size_t i = 0; i < idx.size(); ++i) top[i] = std::max(top[i], idx[i]);
    }
    std::string out = id + "[";
    for (std::size_t i = 0; i < top.size(); ++i) out += (i ? "," : "") + std::to_string(top[i]);
    return out + "]";
  }

  /// sum '(' name '=' index ':' index ',' body ')': the body re-read for
  /// each value of the index, the terms added as a balanced tree (so that
  /// the graph stays shallow for the recursive derivative). An empty range
  /// adds nothing, but its body is still read once for its syntax.
  int sum(std::size_t start) {
    ++pos_;  // '('
    const Nesting nest(*this);
    skip();
    const std::size_t name_at = pos_;
    while (pos_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '_')) ++pos_;
    const std::string index = s_.substr(name_at, pos_ - name_at);
    if (index.empty() || std::isdigit(static_cast<unsigned char>(index[0])))
      fail_at("sum needs an index name: sum(i = 1:4, expression)", name_at);
    const auto prefix = sym_.lower_bound(index + "[");
    if (sym_.count(index) || (prefix != sym_.end() && prefix->first.compare(0, index.size() + 1, index + "[") == 0))
      fail_at("the sum index '" + index + "' hides a variable, parameter or data column", name_at);
    if (index == "pi" || index == "e" || index == "sum" || is_function(index))
      fail_at("the sum index '" + index + "' is a reserved name", name_at);
    expect('=');
    const long lo = index_expr();
    expect(':');
    const long hi = index_expr();
    expect(',');
    // lo:lo-1 is the empty sum (as from 1:n with n = 0); a range running
    // further backwards is taken for a mistake, not summed to nothing.
    if (hi < lo - 1)
      fail_at("sum(" + index + " = " + std::to_string(lo) + ":" + std::to_string(hi) +
                  ", ...) runs backwards (write an empty sum as lo:lo-1)",
              start);
    const long count = hi < lo ? 0 : hi - lo + 1;
    terms_ += count;
    if (terms_ > kMaxTerms)
      fail_at("sums expand to more than " + std::to_string(kMaxTerms) + " terms in one expression", start);
    const std::size_t body = pos_, end = body_end(body);
    const auto saved = bound_.find(index) != bound_.end() ? std::optional<long>(bound_[index]) : std::nullopt;
    std::vector<int> terms;
    auto read_body = [&](long i) {
      bound_[index] = i;
      pos_ = body;
      const int t = expr();
      skip();
      if (pos_ != end) fail("expected ')' closing the sum");
      return t;
    };
    if (count == 0) {
      const bool was_dry = dry_;
      dry_ = true;  // syntax only: entries are not looked up
      read_body(lo);
      dry_ = was_dry;
    }
    for (long i = lo; i <= hi; ++i) terms.push_back(read_body(i));
    if (saved) bound_[index] = *saved;
    else bound_.erase(index);
    pos_ = end;
    expect(')');
    if (terms.empty()) return g_.constant(0.0);
    for (std::size_t width = 1; width < terms.size(); width *= 2)
      for (std::size_t k = 0; k + width < terms.size(); k += 2 * width) terms[k] = g_.add(terms[k], terms[k + width]);
    return terms[0];
  }
  /// Position of the ')' that closes a sum whose body starts at `from`.
  std::size_t body_end(std::size_t from) const {
    int parens = 0, brackets = 0;
    for (std::size_t p = from; p < s_.size(); ++p) {
      const char c = s_[p];
      if (c == '(') ++parens;
      else if (c == '[') ++brackets;
      else if (c == ']' && --brackets < 0) fail_at("unmatched ']'", p);
      else if (c == ')' && parens-- == 0) {
        if (brackets > 0) fail_at("'[' not closed by ']' before the end of the sum", p);
        return p;
      }
    }
    fail_at("sum is not closed by ')'", s_.size());
  }
  static bool is_function(const std::string& id) {
    for (Op f : {Op::kExp, Op::kLog, Op::kSqrt, Op::kSin, Op::kCos, Op::kTan, Op::kTanh, Op::kSinh, Op::kCosh,
                 Op::kAtan, Op::kAbs, Op::kSign})
      if (id == function_name(f)) return true;
    return id == "pow";
  }

  // Integer index expressions: literals, bound indices, + - * and parentheses.
  long index_expr() {
    long r = index_term();
    while (true) {
      if (accept("+")) r += index_term();
      else if (accept("-")) r -= index_term();
      else return r;
    }
  }
  long index_term() {
    long r = index_atom();
    while (accept("*")) r *= index_atom();
    return r;
  }
  long index_atom() {
    skip();
    if (accept("-")) {
      const Nesting nest(*this);
      return -index_atom();
    }
    if (accept("(")) {
      const Nesting nest(*this);
      const long r = index_expr();
      expect(')');
      return r;
    }
    const std::size_t at = pos_;
    if (pos_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[pos_]))) {
      while (pos_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[pos_]))) ++pos_;
      if (pos_ < s_.size() && (s_[pos_] == '.' || s_[pos_] == 'e' || s_[pos_] == 'E'))
        fail_at("an index must be a whole number", at);
      return std::strtol(s_.c_str() + at, nullptr, 10);
    }
    while (pos_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '_')) ++pos_;
    const std::string id = s_.substr(at, pos_ - at);
    if (id.empty()) fail_at("expected an index (a whole number or a sum's index)", at);
    if (auto it = bound_.find(id); it != bound_.end()) return it->second;
    if (auto it = sym_.find(id); it != sym_.end() && g_.is_const(it->second)) {
      // A parameter with a whole value (a width, a count) may size a sum.
      const double v = g_[it->second].value;
      if (v == std::floor(v) && std::abs(v) < 1e9) return static_cast<long>(v);
      fail_at("parameter '" + id + "' = " + std::to_string(v) + " is not a whole number, so not an index", at);
    }
    fail_at("'" + id + "' in an index is not the index of an enclosing sum or a whole-valued parameter", at);
  }

  static constexpr long kMaxTerms = 100000;
  static constexpr int kMaxDepth = 500;
  int depth_ = 0;  // current recursion of expr/unary (Nesting)
  const std::string& s_;
  const Symbols& sym_;
  Graph& g_;
  const std::string& where_;
  std::size_t pos_ = 0;
  std::map<std::string, long> bound_;  // indices of the enclosing sums
  long terms_ = 0;                      // terms of every sum so far
  bool dry_ = false;                    // reading an empty sum's body for its syntax
};

bool is_identifier(const std::string& s, std::size_t begin, std::size_t end) {
  if (begin >= end || !(std::isalpha(static_cast<unsigned char>(s[begin])) || s[begin] == '_')) return false;
  for (std::size_t p = begin; p < end; ++p)
    if (!(std::isalnum(static_cast<unsigned char>(s[p])) || s[p] == '_')) return false;
  return true;
}

/// The positive integers of "[n1,n2,...]" starting at `open`; empty if malformed.
std::vector<long> bracket_indices(const std::string& s, std::size_t open) {
  std::vector<long> out;
  if (open >= s.size() || s[open] != '[' || s.back() != ']') return {};
  std::size_t p = open + 1;
  while (p < s.size() - 1) {
    const std::size_t q = s.find_first_of(",]", p);
    const std::string part = s.substr(p, q - p);
    if (part.empty() || part.size() > 9 || part.find_first_not_of("0123456789") != std::string::npos) return {};
    const long v = std::strtol(part.c_str(), nullptr, 10);
    if (v < 1) return {};
    out.push_back(v);
    p = q + 1;
  }
  return p == s.size() ? out : std::vector<long>{};
}

}  // namespace

bool is_scalar_name(const std::string& name) {
  const std::size_t open = name.find('[');
  if (open == std::string::npos) return is_identifier(name, 0, name.size());
  return is_identifier(name, 0, open) && !bracket_indices(name, open).empty();
}

std::vector<std::string> expand_declarations(const std::vector<std::string>& declarations,
                                             const std::string& where) {
  std::vector<std::string> out;
  for (const auto& raw : declarations) {
    // Spaces are dropped at the ends, before '[' and inside the brackets only:
    // "my var" stays two words (and is refused where it is bound).
    const std::size_t first = raw.find_first_not_of(" \t"), last = raw.find_last_not_of(" \t");
    const std::string trimmed = first == std::string::npos ? "" : raw.substr(first, last - first + 1);
    const std::size_t bracket = trimmed.find('[');
    if (bracket == std::string::npos) {
      out.push_back(trimmed);  // checked as an identifier where it is bound
      continue;
    }
    std::string decl = bracket == 0 ? "" : trimmed.substr(0, trimmed.find_last_not_of(" \t", bracket - 1) + 1);
    for (std::size_t p = bracket; p < trimmed.size(); ++p)
      if (!std::isspace(static_cast<unsigned char>(trimmed[p]))) decl += trimmed[p];
    const std::size_t open = decl.find('[');
    const std::vector<long> shape = bracket_indices(decl, open);
    if (!is_identifier(decl, 0, open) || shape.empty())
      throw config_error(where + ": '" + raw + "' is not a declaration: a name, or a name with its sizes, " +
                         "e.g. \"w[17]\" or \"W[4,2]\"");
    long total = 1;
    for (long n : shape) {
      total *= n;  // n < 1e9 and total <= 1e7 before: no overflow
      if (total > 10000000) throw config_error(where + ": '" + raw + "' declares more than 1e7 entries");
    }
    const std::string base = decl.substr(0, open);
    std::vector<long> idx(shape.size(), 1);
    for (long e = 0; e < total; ++e) {
      std::string name = base + "[";
      for (std::size_t k = 0; k < idx.size(); ++k) name += (k ? "," : "") + std::to_string(idx[k]);
      out.push_back(name + "]");
      for (std::size_t k = idx.size(); k-- > 0;) {  // the last index fastest
        if (++idx[k] <= shape[k]) break;
        idx[k] = 1;
      }
    }
  }
  return out;
}

int parse(const std::string& text, const Symbols& symbols, Graph& graph,
          const std::string& where) {
  return Parser(text, symbols, graph, where).parse_all();
}

}  // namespace fw::model::expr
