#include "fwkit/model/source_law.hpp"

#include <cctype>
#include <cmath>
#include <limits>
#include <vector>

#include <fmt/format.h>

#include "fwkit/core/error.hpp"

namespace fw::model {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

/// Writes the derivatives (when asked) and returns the value.
double result(double v, double a, double b, double* d1, double* d2) {
  if (d1) *d1 = a;
  if (d2) *d2 = b;
  return v;
}
double infinite(double* d1, double* d2) { return result(kInf, kNaN, kNaN, d1, d2); }

/// Gamma(k, 1) by Marsaglia and Tsang (k >= 1), boosted for k < 1.
double standard_gamma(double k, rng::Stream& rng) {
  if (k < 1) return standard_gamma(k + 1, rng) * std::pow(rng.uniform(), 1 / k);
  const double d = k - 1.0 / 3, c = 1 / std::sqrt(9 * d);
  for (;;) {
    double z, v;
    do {
      z = rng.normal();
      v = 1 + c * z;
    } while (v <= 0);
    v = v * v * v;
    const double u = rng.uniform();
    if (std::log(u) < 0.5 * z * z + d - d * v + d * std::log(v)) return d * v;
  }
}

class Gamma final : public SourceLaw {
 public:
  Gamma(double k, double r, bool exponential) : k_(k), r_(r), exponential_(exponential) {}
  double mean() const override { return k_ / r_; }
  double variance() const override { return k_ / (r_ * r_); }
  double log_mgf(double u, double* d1, double* d2) const override {
    if (!(u < r_)) return infinite(d1, d2);
    const double q = 1 / (r_ - u);
    return result(-k_ * std::log1p(-u / r_), k_ * q, k_ * q * q, d1, d2);
  }
  double sample(rng::Stream& rng) const override {
    return exponential_ ? -std::log(rng.uniform()) / r_ : standard_gamma(k_, rng) / r_;
  }
  std::string describe() const override {
    return exponential_ ? fmt::format("exponential({})", r_) : fmt::format("gamma({}, {})", k_, r_);
  }

 private:
  double k_, r_;
  bool exponential_;
};

class Laplace final : public SourceLaw {
 public:
  explicit Laplace(double b) : b_(b) {}
  double mean() const override { return 0; }
  double variance() const override { return 2 * b_ * b_; }
  double log_mgf(double u, double* d1, double* d2) const override {
    const double t = b_ * u;
    if (!(std::abs(t) < 1)) return infinite(d1, d2);
    const double q = 1 - t * t;
    return result(-std::log(q), 2 * b_ * t / q, 2 * b_ * b_ * (1 + t * t) / (q * q), d1, d2);
  }
  double sample(rng::Stream& rng) const override {
    const double u = rng.uniform() - 0.5;
    return -b_ * std::copysign(std::log1p(-2 * std::abs(u)), u);
  }
  std::string describe() const override { return fmt::format("laplace({})", b_); }

 private:
  double b_;
};

class Uniform final : public SourceLaw {
 public:
  explicit Uniform(double a) : a_(a) {}
  double mean() const override { return 0; }
  double variance() const override { return a_ * a_ / 3; }
  double log_mgf(double u, double* d1, double* d2) const override {
    // log(sinh(t) / t), t = a u: a series near 0, log-sum-exp form beyond.
    const double t = a_ * u, at = std::abs(t);
    if (at < 1e-3) {
      const double t2 = t * t;
      return result(t2 / 6 - t2 * t2 / 180, a_ * (t / 3 - t2 * t / 45), a_ * a_ * (1.0 / 3 - t2 / 15), d1, d2);
    }
    const double v = at + std::log1p(-std::exp(-2 * at)) - std::log(2 * at);
    const double coth = 1 / std::tanh(t);
    const double csch2 = coth * coth - 1;
    return result(v, a_ * (coth - 1 / t), a_ * a_ * (1 / (t * t) - csch2), d1, d2);
  }
  double sample(rng::Stream& rng) const override { return a_ * (2 * rng.uniform() - 1); }
  bool is_bounded() const override { return true; }
  std::string describe() const override { return fmt::format("uniform({})", a_); }

 private:
  double a_;
};

class Normal final : public SourceLaw {
 public:
  explicit Normal(double s) : s_(s) {}
  double mean() const override { return 0; }
  double variance() const override { return s_ * s_; }
  double log_mgf(double u, double* d1, double* d2) const override {
    return result(0.5 * s_ * s_ * u * u, s_ * s_ * u, s_ * s_, d1, d2);
  }
  double sample(rng::Stream& rng) const override { return s_ * rng.normal(); }
  bool is_bounded() const override { return s_ == 0; }
  std::string describe() const override { return fmt::format("normal({})", s_); }

 private:
  double s_;
};

class StudentT final : public SourceLaw {
 public:
  StudentT(double nu, double s) : nu_(nu), s_(s) {}
  double mean() const override { return 0; }
  double variance() const override { return s_ * s_ * nu_ / (nu_ - 2); }
  double log_mgf(double u, double* d1, double* d2) const override {
    return u == 0 ? result(0, 0, variance(), d1, d2) : infinite(d1, d2);
  }
  double sample(rng::Stream& rng) const override {
    const double chi2 = 2 * standard_gamma(nu_ / 2, rng);
    return s_ * rng.normal() / std::sqrt(chi2 / nu_);
  }
  bool has_finite_log_mgf() const override { return false; }
  std::string describe() const override { return fmt::format("student_t({}, {})", nu_, s_); }

 private:
  double nu_, s_;
};

class Shift final : public SourceLaw {
 public:
  Shift(std::shared_ptr<const SourceLaw> law, double c) : law_(std::move(law)), c_(c) {}
  double mean() const override { return law_->mean() + c_; }
  double variance() const override { return law_->variance(); }
  double log_mgf(double u, double* d1, double* d2) const override {
    const double v = law_->log_mgf(u, d1, d2);
    if (d1) *d1 += c_;
    return v + u * c_;
  }
  double sample(rng::Stream& rng) const override { return law_->sample(rng) + c_; }
  bool has_finite_log_mgf() const override { return law_->has_finite_log_mgf(); }
  bool is_bounded() const override { return law_->is_bounded(); }
  std::string describe() const override { return fmt::format("shift({}, {})", law_->describe(), c_); }

 private:
  std::shared_ptr<const SourceLaw> law_;
  double c_;
};

class Mixture final : public SourceLaw {
 public:
  Mixture(std::vector<double> w, std::vector<std::shared_ptr<const SourceLaw>> laws) : laws_(std::move(laws)) {
    double total = 0;
    for (double x : w) total += x;
    for (double x : w) w_.push_back(x / total);
  }
  double mean() const override {
    double m = 0;
    for (std::size_t k = 0; k < w_.size(); ++k) m += w_[k] * laws_[k]->mean();
    return m;
  }
  double variance() const override {
    double second = 0;
    for (std::size_t k = 0; k < w_.size(); ++k) second += w_[k] * (laws_[k]->variance() + std::pow(laws_[k]->mean(), 2));
    return second - mean() * mean();
  }
  double log_mgf(double u, double* d1, double* d2) const override {
    // log sum_k w_k e^{lambda_k}: weights pi_k = w_k e^{lambda_k - lambda}.
    std::vector<double> a(w_.size()), g(w_.size()), h(w_.size());
    double top = -kInf;
    for (std::size_t k = 0; k < w_.size(); ++k) {
      a[k] = std::log(w_[k]) + laws_[k]->log_mgf(u, &g[k], &h[k]);
      if (std::isinf(a[k])) return infinite(d1, d2);
      top = std::max(top, a[k]);
    }
    double sum = 0;
    for (double x : a) sum += std::exp(x - top);
    const double v = top + std::log(sum);
    double m1 = 0, m2 = 0;
    for (std::size_t k = 0; k < w_.size(); ++k) {
      const double pi = std::exp(a[k] - v);
      m1 += pi * g[k];
      m2 += pi * (h[k] + g[k] * g[k]);
    }
    return result(v, m1, m2 - m1 * m1, d1, d2);
  }
  double sample(rng::Stream& rng) const override {
    double u = rng.uniform();
    for (std::size_t k = 0; k + 1 < w_.size(); ++k) {
      if (u < w_[k]) return laws_[k]->sample(rng);
      u -= w_[k];
    }
    return laws_.back()->sample(rng);
  }
  bool has_finite_log_mgf() const override {
    for (const auto& l : laws_)
      if (!l->has_finite_log_mgf()) return false;
    return true;
  }
  bool is_bounded() const override {
    for (const auto& l : laws_)
      if (!l->is_bounded()) return false;
    return true;
  }
  std::string describe() const override {
    std::string s = "mix(";
    for (std::size_t k = 0; k < w_.size(); ++k) s += fmt::format("{}{}, {}", k ? ", " : "", w_[k], laws_[k]->describe());
    return s + ")";
  }

 private:
  std::vector<double> w_;
  std::vector<std::shared_ptr<const SourceLaw>> laws_;
};

/// Recursive descent over "name(arg, ...)", an argument a number or a law.
class LawParser {
 public:
  LawParser(const std::string& text, const std::string& key) : s_(text), key_(key) {}
  std::shared_ptr<const SourceLaw> parse() {
    auto law = parse_law();
    skip();
    if (i_ != s_.size()) fail(fmt::format("unexpected '{}' at column {}", s_[i_], i_ + 1));
    return law;
  }

 private:
  struct Arg {
    double number = kNaN;
    std::shared_ptr<const SourceLaw> law;
  };
  [[noreturn]] void fail(const std::string& why) const {
    throw config_error(fmt::format("{} = \"{}\": {} (laws: exponential(r), gamma(k, r), laplace(b), uniform(a), "
                                   "student_t(nu, s), normal(s), shift(law, c), mix(w1, law1, w2, law2, ...))",
                                   key_, s_, why));
  }
  void skip() {
    while (i_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[i_]))) ++i_;
  }
  bool at(char c) {
    skip();
    return i_ < s_.size() && s_[i_] == c;
  }
  void expect(char c) {
    if (!at(c)) fail(fmt::format("expected '{}' at column {}", c, i_ + 1));
    ++i_;
  }
  Arg parse_arg() {
    skip();
    if (i_ < s_.size() && std::isalpha(static_cast<unsigned char>(s_[i_]))) {
      std::size_t j = i_;
      while (j < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[j])) || s_[j] == '_')) ++j;
      std::size_t k = j;
      while (k < s_.size() && std::isspace(static_cast<unsigned char>(s_[k]))) ++k;
      if (k >= s_.size() || s_[k] != '(')
        fail(fmt::format("expected a number or a law at column {}, found '{}'", i_ + 1, s_.substr(i_, j - i_)));
      return {kNaN, parse_law()};
    }
    std::size_t used = 0;
    double v = kNaN;
    try {
      v = std::stod(s_.substr(i_), &used);
    } catch (const std::exception&) {
      fail(fmt::format("expected a number or a law at column {}", i_ + 1));
    }
    i_ += used;
    return {v, nullptr};
  }
  std::shared_ptr<const SourceLaw> parse_law();
  const std::string& s_;
  std::string key_;
  std::size_t i_ = 0;
};

std::shared_ptr<const SourceLaw> LawParser::parse_law() {
  skip();
  const std::size_t start = i_;
  while (i_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[i_])) || s_[i_] == '_')) ++i_;
  const std::string name = s_.substr(start, i_ - start);
  expect('(');
  std::vector<Arg> args{parse_arg()};
  while (at(',')) ++i_, args.push_back(parse_arg());
  expect(')');
  auto numbers = [&](std::size_t n) {
    if (args.size() != n) fail(fmt::format("{} takes {} number{}", name, n, n > 1 ? "s" : ""));
    std::vector<double> v;
    for (const auto& a : args) {
      if (a.law || !std::isfinite(a.number)) fail(name + " takes numbers");
      v.push_back(a.number);
    }
    return v;
  };
  auto positive = [&](double v, const char* what) {
    if (!(v > 0)) fail(fmt::format("{}: {} = {} must be > 0", name, what, v));
    return v;
  };
  if (name == "exponential") return std::make_shared<Gamma>(1.0, positive(numbers(1)[0], "the rate"), true);
  if (name == "gamma") {
    const auto v = numbers(2);
    return std::make_shared<Gamma>(positive(v[0], "the shape"), positive(v[1], "the rate"), false);
  }
  if (name == "laplace") return std::make_shared<Laplace>(positive(numbers(1)[0], "the scale"));
  if (name == "uniform") return std::make_shared<Uniform>(positive(numbers(1)[0], "the half-width"));
  if (name == "normal") {
    const double sd = numbers(1)[0];
    if (!(sd >= 0)) fail("normal: the standard deviation must be >= 0");
    return std::make_shared<Normal>(sd);
  }
  if (name == "student_t") {
    const auto v = numbers(2);
    if (!(v[0] > 2)) fail(fmt::format("student_t: nu = {} must be > 2 (a finite variance)", v[0]));
    return std::make_shared<StudentT>(v[0], positive(v[1], "the scale"));
  }
  if (name == "shift") {
    if (args.size() != 2 || !args[0].law || args[1].law || !std::isfinite(args[1].number))
      fail("shift takes a law and a finite number: shift(law, c)");
    return std::make_shared<Shift>(args[0].law, args[1].number);
  }
  if (name == "mix") {
    if (args.size() < 2 || args.size() % 2) fail("mix takes weights and laws in pairs: mix(w1, law1, w2, law2, ...)");
    std::vector<double> w;
    std::vector<std::shared_ptr<const SourceLaw>> laws;
    for (std::size_t k = 0; k < args.size(); k += 2) {
      if (args[k].law || !args[k + 1].law) fail("mix takes weights and laws in pairs: mix(w1, law1, w2, law2, ...)");
      if (!std::isfinite(args[k].number)) fail("mix: weights must be finite");
      w.push_back(positive(args[k].number, "a weight"));
      laws.push_back(args[k + 1].law);
    }
    return std::make_shared<Mixture>(std::move(w), std::move(laws));
  }
  fail(fmt::format("'{}' is not a law", name));
}

}  // namespace

std::shared_ptr<const SourceLaw> parse_source_law(const std::string& text, const std::string& key) {
  return LawParser(text, key).parse();
}

}  // namespace fw::model
