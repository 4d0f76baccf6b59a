// A seeded random-mutation fuzzer for the front end a user's text reaches
// first: the TOML configuration, the [model] builder and the expression
// language (parser, differentiator, compiled tapes). Every mutant must end
// in a model or in an fw::Error (a config or data error with its exit code);
// any other exception fails the test, and a crash or sanitizer report (the
// unit tests run again under ASan + UBSan in CI) fails the run. The budget
// is fixed (a few thousand mutants, seconds), the seed too, so a failure
// reproduces; FWKIT_FUZZ_ITERATIONS raises the count for a longer search.
#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "fwkit/config/config.hpp"
#include "fwkit/config/model_config.hpp"
#include "fwkit/core/error.hpp"
#include "fwkit/model/expression.hpp"

using namespace fw;

namespace {

const std::vector<std::string> kConfigs = {
    "[model.system]\nkind = \"expression\"\nvariables = [\"x\", \"y\"]\n"
    "drift = [\"-x^3 + x - a*y\", \"-y + sin(x)\"]\n[model.parameters]\na = 0.5\n"
    "[model.noise]\nkind = \"gaussian\"\nsigma = [[\"1\", \"0\"], [\"0\", \"sqrt(1 + x^2)\"]]\n",
    "[model.system]\nkind = \"maier_stein\"\nparameters = { beta = 10.0 }\n"
    "[model.noise]\nkind = \"mixture\"\nmeans = [[1.0, 0.0], [-1.0, 0.0]]\n"
    "covariances = { c0 = [[1.0, 0.0], [0.0, 1.0]], c1 = [[0.5, 0.1], [0.1, 0.5]] }\nlogits = [\"x\", \"-x\"]\n",
    "[model.noise]\nkind = \"markov\"\nvariables = [\"x\"]\n"
    "kernel = [[\"0.9\", \"0.1\"], [\"0.1 + 0.05*tanh(x)\", \"0.9 - 0.05*tanh(x)\"]]\n"
    "increments = [[\"-1 - x\"], [\"1 - x\"]]\n",
    "[model.system]\nkind = \"finite_sum\"\nvariables = [\"w\", \"b\"]\n"
    "component = \"log(1 + exp(-y * (w * t + b)))\"\n[model.system.data]\nt = [0.0, 1.0, 2.0]\ny = [1.0, -1.0, 1.0]\n"
    "[model.noise]\nkind = \"minibatch\"\nbatch = 2\n",
    "[model.system]\nkind = \"linear\"\nparameters = { A = [[-1.0, 0.5], [0.0, -2.0]] }\n"
    "[model.noise]\nkind = \"discrete\"\natoms = [[1.0, 0.0], [-1.0, 0.0]]\nprobabilities = [0.5, 0.5]\nscale = \"1 + x^2\"\n",
    "[model.system]\nkind = \"expression\"\nvariables = [\"x[3]\"]\nloss = \"sum(k = 1:3, (x[k] - k)^2) + x[1]*x[2]\"\n"
    "[model.noise]\nkind = \"additive\"\nlaws = [\"mix(0.3, laplace(0.2), 0.7, normal(1))\", \"student_t(5, 1)\", "
    "\"shift(exponential(2), -0.5)\"]\n",
};

const std::vector<std::string> kExpressions = {
    "-x^3 + x - 0.5*y", "exp(-x^2/2) * cos(3*y) / (1 + y^2)", "log(1 + exp(x)) - tanh(y)^2",
    "(x + y)^10 - pow(x, 3.5)", "abs(x) * sign(y) + atan(x/y)", "sqrt(x^2 + y^2 + 1e-9)",
};

/// Fragments a mutation inserts: the syntax's own characters and the
/// values that have broken parsers (huge, tiny, non-finite, deep nesting).
const std::vector<std::string> kFragments = {
    "[", "]", "[[", "]]", "{", "}", "=", "\"", "'''", "(", ")", "^", "^-", "*", "/", "-", "+", ",", ".", "\n",
    "#", "x", "y", "nan", "inf", "-inf", "1e308", "1e-320", "0", "-0.0", "2^2^2^2^2", "x^(2^40)", "10^400",
    "1/0", "log(", "exp(1000)", "sum(k = 1:100000, ", "((((((((((", "))))))))", "x[", "[1:", "model.",
    "kind = \"expression\"", "variables = [\"x\"]", "0x1F", "1_000", "true", "\\u0000", "\xff", "\t",
};

class Mutator {
 public:
  explicit Mutator(std::uint64_t seed) : rng_(seed) {}

  std::string mutate(std::string s) {
    const int edits = 1 + static_cast<int>(pick(2));
    for (int e = 0; e < edits; ++e) {
      const std::size_t at = s.empty() ? 0 : pick(s.size() + 1);
      switch (pick(6)) {
        case 0:  // replace a character by any byte
          if (!s.empty()) s[std::min(at, s.size() - 1)] = static_cast<char>(pick(256));
          break;
        case 1:  // delete a range
          s.erase(std::min(at, s.size()), 1 + pick(8));
          break;
        case 2:  // insert a fragment
          s.insert(std::min(at, s.size()), kFragments[pick(kFragments.size())]);
          break;
        case 3: {  // duplicate a range
          const std::size_t from = s.empty() ? 0 : pick(s.size()), len = 1 + pick(32);
          s.insert(std::min(at, s.size()), s.substr(from, len));
          break;
        }
        case 4:  // a digit for a digit: numbers change, syntax stays
          for (std::size_t i = at; i < s.size(); ++i)
            if (s[i] >= '0' && s[i] <= '9') {
              s[i] = static_cast<char>('0' + pick(10));
              break;
            }
          break;
        default:  // repeat a fragment many times (length and nesting limits)
          for (std::size_t k = 0, n = 1 + pick(600); k < n; ++k) s.insert(std::min(at, s.size()), kFragments[pick(8) + 9]);
      }
      if (s.size() > 16384) s.resize(16384);
    }
    return s;
  }

 private:
  std::size_t pick(std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng_); }
  std::mt19937_64 rng_;
};

int iterations() {
  const char* env = std::getenv("FWKIT_FUZZ_ITERATIONS");
  return env ? std::max(1, std::atoi(env)) : 20000;
}

/// Builds the model of `text` and evaluates it once; fw::Error is an
/// answer. True when a model was built (the mutant went past the TOML).
bool build_config(const std::string& text) {
  try {
    const config::Config c = config::Config::from_string(text, "fuzz.toml");
    const model::Model m = config::build_model(c.root().table("model"));
    Vec x = Vec::Constant(m.dim(), 0.3), b(m.dim());
    m.system->drift(x.data(), b.data());
    (void)m.noise->covariance(x);
    return true;
  } catch (const Error& e) {
    if (std::getenv("FWKIT_FUZZ_VERBOSE")) std::fprintf(stderr, "%s\n", e.what());
    return false;
  }
}

bool build_expression(const std::string& text) {
  try {
    const auto f = model::make_expression_field({{text}}, {"x", "y"}, {{"a", 2.0}}, "fuzz");
    const double x[2] = {0.3, -0.7};
    double v = 0, jac[2] = {0, 0};
    f->eval(x, &v);
    f->jacobian(x, jac);
    return true;
  } catch (const Error&) {
    return false;
  }
}

}  // namespace

TEST_CASE("fuzz: mutated configurations end in a model or an fwkit error", "[fuzz]") {
  for (const auto& seed : kConfigs) REQUIRE(build_config(seed));  // the seeds themselves build
  Mutator mutate(20261207);
  const int n = iterations();
  int built = 0;
  for (int i = 0; i < n; ++i) {
    const std::string text = mutate.mutate(kConfigs[static_cast<std::size_t>(i) % kConfigs.size()]);
    INFO("mutant " << i << ":\n" << text);
    bool ok = false;
    REQUIRE_NOTHROW(ok = build_config(text));
    built += ok;
  }
  // A fuzzer whose mutants all die in the TOML parser tests nothing behind it.
  CHECK(built > n / 20);
}

TEST_CASE("fuzz: mutated expressions end in a compiled field or an fwkit error", "[fuzz]") {
  Mutator mutate(7);
  const int n = iterations();
  int built = 0;
  for (int i = 0; i < n; ++i) {
    const std::string text = mutate.mutate(kExpressions[static_cast<std::size_t>(i) % kExpressions.size()]);
    INFO("mutant " << i << ": " << text);
    bool ok = false;
    REQUIRE_NOTHROW(ok = build_expression(text));
    built += ok;
  }
  CHECK(built > n / 20);
}
