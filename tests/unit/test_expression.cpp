#include <catch2/catch.hpp>

#include <cmath>

#include "fwkit/core/error.hpp"
#include "fwkit/model/catalog.hpp"
#include "fwkit/model/expr/parser.hpp"
#include "fwkit/model/expr/tape.hpp"
#include "fwkit/model/expression.hpp"
#include "fwkit/rng/stream.hpp"
#include "helpers.hpp"

using namespace fw;
using namespace fw::model;

namespace {

double eval1(const std::string& text, double x, double y = 0) {
  expr::Graph g;
  const expr::Symbols sym{{"x", g.variable(0)}, {"y", g.variable(1)}};
  const int node = expr::parse(text, sym, g, "test");
  const auto tape = expr::Tape::compile(g, {node}, 2);
  const double in[2] = {x, y};
  double out = 0;
  tape.eval(in, &out);
  return out;
}

std::unique_ptr<System> drift_system(std::vector<std::string> drift, Parameters params = {}) {
  ExpressionSpec spec;
  spec.variables = {"x", "y"};
  spec.drift = std::move(drift);
  spec.parameters = std::move(params);
  return make_expression_system(spec);
}

}  // namespace

TEST_CASE("expressions follow the usual precedence", "[expression]") {
  CHECK(eval1("1 + 2 * 3", 0) == 7);
  CHECK(eval1("-x^2", 3) == -9);
  CHECK(eval1("2^3^2", 0) == 512);  // right-associative
  CHECK(eval1("2**-1", 0) == 0.5);
  CHECK(eval1("(1 + x) / 2 - y", 3, 1) == 1);
  CHECK(eval1("pow(x, 1.5) + sqrt(4)", 4) == Approx(10));
  CHECK(eval1("exp(log(x)) * sin(pi/2) + cos(0) + tanh(0) + atan(0) + abs(-x) + sign(-2)", 2) ==
        Approx(2 + 1 + 2 - 1));
  CHECK(eval1("1.5e-1 * 2", 0) == Approx(0.3));
}

TEST_CASE("parse errors name the key and point at the column", "[expression]") {
  auto error_of = [](const std::string& text) {
    try {
      eval1(text, 0);
    } catch (const Error& e) {
      CHECK(e.code() == ExitCode::kConfig);
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK_THAT(error_of("x + * y"), Catch::Contains("test: expected a number, a name or '(' but found '*' at column 5"));
  CHECK_THAT(error_of("x + * y"), Catch::Contains("    x + * y\n        ^"));
  CHECK_THAT(error_of("sin(x"), Catch::Contains("expected ')'"));
  CHECK_THAT(error_of("z + 1"), Catch::Contains("unknown name 'z'") && Catch::Contains("column 1"));
  CHECK_THAT(error_of("foo(x)"), Catch::Contains("unknown function 'foo'"));
  CHECK_THAT(error_of("x y"), Catch::Contains("unexpected 'y' at column 3"));
  CHECK_THAT(error_of("pow(x)"), Catch::Contains("pow takes 2 arguments"));
  CHECK_THAT(error_of(""), Catch::Contains("empty expression"));
}

TEST_CASE("symbolic derivatives match finite differences", "[expression]") {
  const std::vector<std::string> exprs = {
      "x^3*y - 2*x/y",        "exp(-x*y) * sin(3*x)", "log(1 + x^2) + sqrt(2 + y^2)",
      "tanh(x - y)^2",        "atan(x*y) + cosh(x) - sinh(y)", "pow(1.5 + x^2, 0.3 + 0.1*y)",
      "tan(0.3*x) * abs(y)",  "(x - y)^-2 + 1/(3 + x)",        "pow(2, x) * y^4"};
  for (const auto& e : exprs) {
    INFO(e);
    auto sys = drift_system({e, "x*y"});
    for (const Vec& x : {Vec((Vec(2) << 0.3, 0.7).finished()), Vec((Vec(2) << -0.9, 1.6).finished())}) {
      const Mat fd = test::fd_jacobian([&](const Vec& y) { return sys->drift_at(y); }, x);
      CHECK(test::rel_err(sys->jacobian_at(x), fd) < 1e-8);
    }
  }
}

TEST_CASE("expression systems equal their built-in twins", "[expression]") {
  struct Twin {
    std::string catalog;
    ParamValues params;
    ExpressionSpec spec;
  };
  std::vector<Twin> twins;
  {
    ExpressionSpec s;
    s.variables = {"x", "y"};
    s.parameters = {{"beta", 10}, {"mu", 1.3}};
    s.drift = {"x - x^3 - beta*x*y^2", "-mu*(1 + x^2)*y"};
    twins.push_back({"maier_stein", {{"beta", ParamValue::scalar(10)}, {"mu", ParamValue::scalar(1.3)}}, s});
  }
  {
    ExpressionSpec s;
    s.variables = {"x", "y"};
    s.parameters = {{"c", 0.2}, {"k", 2}};
    s.loss = "(x^2 - 1)^2/4 + k*y^2/2 - c*x";
    twins.push_back({"double_well_2d", {{"tilt", ParamValue::scalar(0.2)}, {"stiffness", ParamValue::scalar(2)}}, s});
  }
  {
    ExpressionSpec s;
    s.variables = {"x", "y"};
    s.loss =
        "-200*exp(-(x-1)^2 - 10*y^2) - 100*exp(-x^2 - 10*(y-0.5)^2)"
        " - 170*exp(-6.5*(x+0.5)^2 + 11*(x+0.5)*(y-1.5) - 6.5*(y-1.5)^2)"
        " + 15*exp(0.7*(x+1)^2 + 0.6*(x+1)*(y-1) + 0.7*(y-1)^2)";
    twins.push_back({"muller_brown", {}, s});
  }
  {
    ExpressionSpec s;
    s.variables = {"x", "y"};
    s.parameters = {{"mu", 7}};
    s.drift = {"mu*(x - x^3/3 - y)", "x/mu"};
    twins.push_back({"van_der_pol", {{"mu", ParamValue::scalar(7)}}, s});
  }
  rng::Stream rs(3, 3);
  for (const auto& t : twins) {
    INFO(t.catalog);
    auto a = make_catalog_system(t.catalog, t.params);
    auto b = make_expression_system(t.spec);
    CHECK(a->is_gradient() == b->is_gradient());
    for (int i = 0; i < 25; ++i) {
      const Vec x = (Vec(2) << 2.4 * rs.uniform() - 1.2, 2.4 * rs.uniform() - 0.6).finished();
      CHECK(test::rel_err(b->drift_at(x), a->drift_at(x)) < 1e-13);
      CHECK(test::rel_err(b->jacobian_at(x), a->jacobian_at(x)) < 1e-13);
      if (a->is_gradient()) CHECK(b->loss(x.data()) == Approx(a->loss(x.data())).epsilon(1e-13));
    }
  }
}

TEST_CASE("batch tape evaluation equals pointwise evaluation", "[expression]") {
  auto sys = drift_system({"exp(-x*y) * sin(3*x) + 2", "x^5 - y/3 + pow(abs(x) + 1, y)"});
  const std::size_t n = 1000;  // spans several blocks and a partial one
  std::vector<double> xs(2 * n), bs(2 * n);
  rng::Stream rs(8, 0);
  for (auto& v : xs) v = 4 * rs.uniform() - 2;
  sys->drift_batch(xs.data(), bs.data(), n);
  for (std::size_t m = 0; m < n; ++m) {
    const Vec x = (Vec(2) << xs[m], xs[n + m]).finished();
    const Vec b = sys->drift_at(x);
    CHECK(bs[m] == b[0]);
    CHECK(bs[n + m] == b[1]);
  }
}

TEST_CASE("common subexpressions are computed once", "[expression]") {
  expr::Graph g;
  const expr::Symbols sym{{"x", g.variable(0)}};
  const int a = expr::parse("exp(x*x) + exp(x*x)", sym, g, "t");
  const int b = expr::parse("exp(x^2) * 3", sym, g, "t");
  const auto tape = expr::Tape::compile(g, {a, b}, 1);
  // x^2 (square), exp, then +, *3: four instructions in all.
  CHECK(tape.instructions() == 4);
  double out[2];
  const double in = 0.5;
  tape.eval(&in, out);
  CHECK(out[0] == Approx(2 * std::exp(0.25)));
  CHECK(out[1] == Approx(3 * std::exp(0.25)));
}

TEST_CASE("finite-sum systems: mean loss, exact gradient and Hessian", "[expression]") {
  FiniteSumSpec spec;
  spec.variables = {"x"};
  spec.component = "0.5*a*(x - u)^2";
  spec.data = {{"a", {1.0, 3.0}}, {"u", {-1.0, 2.0}}};
  auto sys = make_finite_sum_system(spec);
  // f = (1/2)[(x+1)^2/2 + 3(x-2)^2/2]: f' = ((x+1) + 3(x-2))/2, f'' = 2.
  const Vec x = Vec::Constant(1, 0.4);
  CHECK(sys->loss(x.data()) == Approx(0.5 * (0.5 * 1.96 + 1.5 * 2.56)));
  CHECK(sys->drift_at(x)[0] == Approx(-(1.4 + 3 * (-1.6)) / 2));
  CHECK(sys->jacobian_at(x)(0, 0) == Approx(-2));
  REQUIRE(sys->finite_sum());
  double g;
  sys->finite_sum()->component_gradient(1, x.data(), &g);
  CHECK(g == Approx(3 * (0.4 - 2)));
  spec.data["u"] = {1.0};
  CHECK_THROWS_WITH(make_finite_sum_system(spec), Catch::Contains("same length"));
}

TEST_CASE("expression systems validate names and shapes", "[expression]") {
  ExpressionSpec s;
  s.variables = {"x", "y"};
  s.drift = {"x"};
  CHECK_THROWS_WITH(make_expression_system(s), Catch::Contains("expected one per variable"));
  s.drift = {"x", "y"};
  s.loss = "x";
  CHECK_THROWS_WITH(make_expression_system(s), Catch::Contains("exactly one of"));
  s.loss.clear();
  s.variables = {"x", "exp"};
  CHECK_THROWS_WITH(make_expression_system(s), Catch::Contains("reserved"));
  s.variables = {"x", "y"};
  s.parameters = {{"x", 1}};
  CHECK_THROWS_WITH(make_expression_system(s), Catch::Contains("defined twice"));
}

TEST_CASE("state-dependent diffusion from expressions", "[expression]") {
  ExpressionSpec s;
  s.variables = {"x", "y"};
  s.drift = {"-x", "-y"};
  s.diffusion = {{"1 + 0.1*x^2", "0"}, {"0", "2"}};
  auto sys = make_expression_system(s);
  CHECK(sys->has_state_dependent_diffusion());
  const Vec x = (Vec(2) << 1.0, 0.0).finished();
  CHECK(sys->diffusion_at(x)(0, 0) == Approx(1.1));
  CHECK(sys->diffusion_matrix_at(x)(1, 1) == Approx(4));
  s.diffusion = {{"1", "0"}, {"0", "2"}};
  CHECK_FALSE(make_expression_system(s)->has_state_dependent_diffusion());
}

TEST_CASE("the expression language's limits are errors, never a crash or a silent wrong value", "[expression]") {
  auto error_of = [](const std::string& text) {
    try {
      eval1(text, 0.5);
    } catch (const Error& e) {
      CHECK(e.code() == ExitCode::kConfig);
      return std::string(e.what());
    }
    return std::string("no error");
  };
  // Nesting: 500 levels parse, 501 are refused (a stack overflow before).
  const auto nest = [](int n) { return std::string(static_cast<std::size_t>(n), '(') + "x" + std::string(static_cast<std::size_t>(n), ')'); };
  CHECK(eval1(nest(499), 0.5) == 0.5);
  CHECK_THAT(error_of(nest(501)), Catch::Contains("nested deeper than 500 levels"));
  CHECK_THAT(error_of(std::string(600, '-') + "x"), Catch::Contains("nested deeper than 500 levels"));
  // A 200,000-term sum (a generated loss) and a long product: balanced, so
  // the derivative's recursion stays shallow; the values are exact here.
  std::string sum = "x", product = "1";
  for (int k = 1; k < 200000; ++k) sum += k % 2 ? " + x" : " - 0.5*x";
  for (int k = 0; k < 1000; ++k) product += k % 2 ? " * x" : " / x";
  CHECK(eval1(sum, 2.0) == 2.0 + 100000 * 2.0 - 99999 * 1.0);  // 100,000 terms + x, 99,999 - 0.5 x
  CHECK(eval1(product, 3.0) == Approx(1.0).epsilon(1e-12));
  // Nested integer powers multiply their exponents exactly: (x^64)^64^...
  // was x^(2^36) read as x^0 = 1 after an int overflow.
  std::string tower = "x";
  for (int k = 0; k < 6; ++k) tower = "(" + tower + ")^64";  // x^(2^36)
  CHECK(eval1(tower, 1.0) == 1.0);
  CHECK(eval1(tower, 0.999) == 0.0);
  CHECK(std::isinf(eval1(tower, 1.001)));
  CHECK(eval1("((x^3)^5)^7", 1.01) == Approx(std::pow(1.01, 105)).epsilon(1e-13));
  CHECK(eval1("((x^-3)^5)^7", 1.01) == Approx(std::pow(1.01, -105)).epsilon(1e-13));
  // Constants that fold to inf or NaN, and numbers beyond a double.
  CHECK_THAT(error_of("x + 1/0"), Catch::Contains("not a finite number") && Catch::Contains("column 5"));
  CHECK_THAT(error_of("exp(1000) * x"), Catch::Contains("not a finite number"));
  CHECK_THAT(error_of("x - 10^400"), Catch::Contains("not a finite number"));
  CHECK_THAT(error_of("x + log(-1)"), Catch::Contains("not a finite number"));
  CHECK_THAT(error_of("x + 1e400"), Catch::Contains("beyond the range of a double"));
}

TEST_CASE("an empty sum's body is checked for syntax only, and sums and indices count towards the nesting limit", "[expression]") {
  expr::Graph g;
  const expr::Symbols sym{{"x", g.variable(0)}, {"w[1]", g.constant(2.0)}, {"w[2]", g.constant(4.0)}};
  auto value = [&](const std::string& text) {
    const int node = expr::parse(text, sym, g, "test");
    const auto tape = expr::Tape::compile(g, {node}, 1);
    const double in[1] = {0.5};
    double out = 0;
    tape.eval(in, &out);
    return out;
  };
  // Read once with entries as 0 and i = lo: 1/w[i] and 1/(i - 1) are not
  // divisions by zero there.
  CHECK(value("x + sum(i = 1:0, 1/w[i])") == 0.5);
  CHECK(value("x + sum(i = 1:0, 1/(i - 1))") == 0.5);
  CHECK(value("x + sum(i = 1:2, 1/w[i])") == 0.5 + 0.5 + 0.25);
  auto error_of = [&](const std::string& text) {
    try {
      expr::parse(text, sym, g, "test");
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  std::string sums = "x";
  for (int k = 0; k < 600; ++k) sums = "sum(i = 1:0, " + sums + ")";
  CHECK_THAT(error_of(sums), Catch::Contains("nested deeper than 500 levels"));
  CHECK_THAT(error_of("w[" + std::string(600, '(') + "1" + std::string(600, ')') + "]"), Catch::Contains("nested deeper"));
  CHECK_THAT(error_of("w[" + std::string(600, '-') + "1]"), Catch::Contains("nested deeper"));
}
