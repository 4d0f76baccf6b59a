// Vectors and matrices in the model language: declarations expand to named
// entries, sums over an index, and errors that say which index is wrong.
#include <catch2/catch.hpp>

#include <cmath>

#include "fwkit/core/error.hpp"
#include "fwkit/model/expr/parser.hpp"
#include "fwkit/model/expression.hpp"
#include "helpers.hpp"

using namespace fw;
using namespace fw::model;

namespace {

/// The message of the config error that building a loss throws.
std::string error_of(const std::vector<std::string>& vars, const std::string& loss) {
  ExpressionSpec spec;
  spec.variables = vars;
  spec.loss = loss;
  try {
    make_expression_system(spec);
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

double loss_at(const std::vector<std::string>& vars, const std::string& loss, const Vec& x) {
  ExpressionSpec spec;
  spec.variables = vars;
  spec.loss = loss;
  return make_expression_system(spec)->loss(x.data());
}

}  // namespace

TEST_CASE("declarations expand to entries, the last index fastest", "[expression][vector]") {
  const auto names = expr::expand_declarations({"W[2,3]", "b[ 2 ]", "c"}, "model.system.variables");
  REQUIRE(names.size() == 9);
  CHECK(names[0] == "W[1,1]");
  CHECK(names[1] == "W[1,2]");
  CHECK(names[3] == "W[2,1]");
  CHECK(names[5] == "W[2,3]");
  CHECK(names[6] == "b[1]");
  CHECK(names[8] == "c");
  for (const char* bad : {"W[0]", "W[2,]", "W[-1]", "3w[2]", "W[1.5]", "W[2]x"})
    CHECK_THROWS_WITH(expr::expand_declarations({bad}, "model.system.variables"),
                      Catch::Contains("model.system.variables") && Catch::Contains("is not a declaration"));
  ExpressionSpec spec;
  spec.variables = {"w[3]", "s"};
  spec.loss = "sum(i = 1:3, w[i]^2) + s^2";
  const auto sys = make_expression_system(spec);
  REQUIRE(sys->dim() == 4);
  CHECK(sys->variable_names() == std::vector<std::string>{"w[1]", "w[2]", "w[3]", "s"});
}

TEST_CASE("sums over an index: values, nesting, index arithmetic, empty ranges", "[expression][vector]") {
  const Vec x = (Vec(1) << 0.7).finished();
  // sum_{i=1}^{3} i x^i
  CHECK(loss_at({"x"}, "sum(i = 1:3, i*x^i)", x) == Approx(0.7 + 2 * 0.49 + 3 * 0.343).epsilon(1e-15));
  // sum_{i=1}^{3} sum_{j=i}^{3} x^(i+j): pairs i <= j
  double expected = 0;
  for (int i = 1; i <= 3; ++i)
    for (int j = i; j <= 3; ++j) expected += std::pow(0.7, i + j);
  CHECK(loss_at({"x"}, "sum(i = 1:3, sum(j = i:3, x^(i + j)))", x) == Approx(expected).epsilon(1e-14));
  CHECK(loss_at({"x"}, "x + sum(i = 2:1, x^i)", x) == Approx(0.7).epsilon(1e-15));
  CHECK_THAT(error_of({"x"}, "sum(i = 3:1, x)"), Catch::Contains("runs backwards"));
  // Entries chosen by index arithmetic: a[2 i - 1] picks a[1], a[3].
  const Vec a = (Vec(4) << 1.0, 2.0, 3.0, 4.0).finished();
  CHECK(loss_at({"a[4]"}, "sum(k = 1:2, a[2*k - 1])", a) == Approx(4.0));
  CHECK(loss_at({"a[4]"}, "a[4] - a[(1 + 1)*2 - 1]", a) == Approx(1.0));
}

TEST_CASE("a two-layer network written with sums equals the same network written out", "[expression][vector]") {
  // f = (y - c - sum_i v_i tanh(W_i1 t1 + W_i2 t2 + b_i))^2 / 2 at one data point.
  const std::vector<std::string> vars{"W[4,2]", "b[4]", "v[4]", "c"};
  const std::string with_sums =
      "0.5*(0.3 - c - sum(i = 1:4, v[i]*tanh(W[i,1]*1.5 + W[i,2]*(-0.5) + b[i])))^2";
  std::string inner;
  for (int i = 1; i <= 4; ++i) {
    const std::string s = std::to_string(i);
    inner += (i > 1 ? " + " : "") + ("v[" + s + "]*tanh(W[" + s + ",1]*1.5 + W[" + s + ",2]*(-0.5) + b[" + s + "])");
  }
  const std::string written_out = "0.5*(0.3 - c - (" + inner + "))^2";
  ExpressionSpec a, b;
  a.variables = b.variables = vars;
  a.loss = with_sums;
  b.loss = written_out;
  const auto sa = make_expression_system(a), sb = make_expression_system(b);
  REQUIRE(sa->dim() == 17);
  Vec x(17);
  for (int k = 0; k < 17; ++k) x[k] = 0.3 * std::sin(1.0 + k);
  CHECK(sa->loss(x.data()) == Approx(sb->loss(x.data())).epsilon(1e-14));
  CHECK(test::rel_err(sa->drift_at(x), sb->drift_at(x)) < 1e-14);
  CHECK(test::rel_err(sa->jacobian_at(x), sb->jacobian_at(x)) < 1e-13);
  // And the exact gradient against finite differences.
  const Vec fd = -test::fd_gradient([&](const Vec& y) { return sa->loss(y.data()); }, x);
  CHECK(test::rel_err(sa->drift_at(x), fd) < 1e-8);
}

TEST_CASE("index errors name the entry, the shape and the column", "[expression][vector]") {
  CHECK_THAT(error_of({"W[4,2]"}, "W[5,1]^2"),
             Catch::Contains("no entry W[5,1]") && Catch::Contains("declared as W[4,2]") && Catch::Contains("column 1"));
  CHECK_THAT(error_of({"x"}, "x[1]"), Catch::Contains("'x' is not a declared vector"));
  CHECK_THAT(error_of({"w[3]"}, "w[k]"), Catch::Contains("'k' in an index is not the index of an enclosing sum"));
  CHECK_THAT(error_of({"w[3]"}, "w[1.5]"), Catch::Contains("an index must be a whole number"));
  CHECK_THAT(error_of({"w[3]"}, "sum(w = 1:3, w)"), Catch::Contains("hides a variable"));
  CHECK_THAT(error_of({"w[3]"}, "sum(i = 1:3, w[i]"), Catch::Contains("not closed"));
  CHECK_THAT(error_of({"w[3]"}, "sum(i = 1:4, w[i])"), Catch::Contains("no entry w[4]"));
  CHECK_THAT(error_of({"w[3]"}, "sum(1:3, w[1])"), Catch::Contains("sum needs an index name"));
  CHECK_THAT(error_of({"sum"}, "sum"), Catch::Contains("reserved"));
  CHECK_THAT(error_of({"x"}, "sum(pi = 1:2, x)"), Catch::Contains("reserved name"));
  // An empty range adds nothing but is still read for its syntax.
  CHECK_THAT(error_of({"x"}, "x + sum(i = 1:0, x +* 2)"), Catch::Contains("column"));
  CHECK_THAT(error_of({"w[2]"}, "sum(i = 1:2, w[i)"), Catch::Contains("not closed by ']'"));
  CHECK_THAT(error_of({"x"}, "sum(i = 1:200000, x)"), Catch::Contains("more than 100000 terms"));
  CHECK_THAT(error_of({"x"}, "sum(i = 1:400, sum(j = 1:400, x))"), Catch::Contains("more than 100000 terms"));
}

TEST_CASE("declarations keep their words, sums take whole-valued parameters, long sums stay shallow",
          "[expression][vector]") {
  CHECK(expr::expand_declarations({" W [4, 2] "}, "v").size() == 8);
  ExpressionSpec spec;
  spec.variables = {"my var"};
  spec.loss = "1";
  CHECK_THROWS_WITH(make_expression_system(spec), Catch::Contains("'my var' is not an identifier"));
  // A parameter sizes the sum: sum_{i=1}^{n} (x - i)^2 with n = 3.
  spec.variables = {"x"};
  spec.parameters = {{"n", 3.0}, {"h", 2.5}};
  spec.loss = "sum(i = 1:n, (x - i)^2)";
  const double half = 0.5;
  CHECK(make_expression_system(spec)->loss(&half) == Approx(0.25 + 2.25 + 6.25));
  spec.loss = "sum(i = 1:h, x)";
  CHECK_THROWS_WITH(make_expression_system(spec), Catch::Contains("is not a whole number"));
  // 50000 distinct terms: added as a balanced tree, so the symbolic
  // derivative (recursive) stays shallow. sum (x - i)^2 = N x^2 - N(N+1) x + sum i^2.
  spec.parameters = {};
  spec.loss = "sum(i = 1:50000, (x - i)^2)";
  const auto big = make_expression_system(spec);
  const double N = 50000, x = 0.5;
  const double expected = N * x * x - N * (N + 1) * x + N * (N + 1) * (2 * N + 1) / 6;
  CHECK(big->loss(&x) == Approx(expected).epsilon(1e-12));
  CHECK(big->drift_at(Vec::Constant(1, x))[0] == Approx(-(2 * N * x - N * (N + 1))).epsilon(1e-12));
}
