#include "fwkit/model/expr/parser.hpp"

#include <cctype>
#include <cstdlib>
#include <numbers>
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

  int expr() {
    int r = term();
    while (true) {
      if (accept("+")) r = g_.add(r, term());
      else if (accept("-")) r = g_.sub(r, term());
      else return r;
    }
  }
  int term() {
    int r = unary();
    while (true) {
      if (accept("*")) r = g_.mul(r, unary());
      else if (accept("/")) r = g_.div(r, unary());
      else return r;
    }
  }
  int unary() {
    if (accept("-")) return g_.neg(unary());
    if (accept("+")) return unary();
    return power();
  }
  int power() {
    const int base = primary();
    if (accept("^") || accept("**")) return g_.pow(base, unary());
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
    if (pos_ < s_.size() && s_[pos_] == '(') return call(id, start);
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
    std::vector<int> args{expr()};
    while (accept(",")) args.push_back(expr());
    expect(')');
    if (id == "pow") {
      if (args.size() != 2) fail_at("pow takes 2 arguments, got " + std::to_string(args.size()), start);
      return g_.pow(args[0], args[1]);
    }
    for (Op f : kFunctions)
      if (id == function_name(f)) {
        if (args.size() != 1)
          fail_at(id + " takes 1 argument, got " + std::to_string(args.size()), start);
        return g_.apply(f, args[0]);
      }
    fail_at("unknown function '" + id +
                "' (known: exp, log, sqrt, sin, cos, tan, tanh, sinh, cosh, atan, abs, sign, pow)",
            start);
  }

  const std::string& s_;
  const Symbols& sym_;
  Graph& g_;
  const std::string& where_;
  std::size_t pos_ = 0;
};

}  // namespace

int parse(const std::string& text, const Symbols& symbols, Graph& graph,
          const std::string& where) {
  return Parser(text, symbols, graph, where).parse_all();
}

}  // namespace fw::model::expr
