// The built-in model families against the same losses written in the model
// language (symbolic derivatives, an independent route): loss, gradient,
// Hessian and Hessian-vector products agree at random parameters, and bad
// targets are refused with the point named.
#include <catch2/catch.hpp>

#include <random>

#include <fmt/format.h>

#include "fwkit/config/config.hpp"
#include "fwkit/config/model_config.hpp"
#include "fwkit/core/error.hpp"
#include "fwkit/model/expression.hpp"
#include "fwkit/model/families.hpp"

using namespace fw;

namespace {

struct Data {
  Mat x;  // p x n
  Vec y;
};

Data family_data(int p, int n, int classes, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal;
  Data d{Mat(p, n), Vec(n)};
  for (int i = 0; i < n; ++i) {
    for (int q = 0; q < p; ++q) d.x(q, i) = normal(rng);
    d.y[i] = classes > 0 ? static_cast<double>(rng() % static_cast<unsigned>(classes)) : normal(rng);
  }
  return d;
}

/// The same loss as an expression finite sum over columns x[1..p], y and
/// (for softmax) one-hot columns h[1..K].
std::unique_ptr<model::System> expression_twin(const Data& d, const std::vector<std::string>& variables,
                                               const std::string& component, int classes = 0) {
  model::FiniteSumSpec spec;
  spec.variables = variables;
  spec.component = component;
  for (Eigen::Index q = 0; q < d.x.rows(); ++q) {
    const Vec row = d.x.row(q).transpose();
    spec.data[fmt::format("x[{}]", q + 1)] = std::vector<double>(row.data(), row.data() + row.size());
  }
  spec.data["y"] = std::vector<double>(d.y.data(), d.y.data() + d.y.size());
  for (int k = 0; k < classes; ++k) {
    std::vector<double> e(static_cast<std::size_t>(d.y.size()));
    for (Eigen::Index i = 0; i < d.y.size(); ++i) e[static_cast<std::size_t>(i)] = d.y[i] == k ? 1 : 0;
    spec.data[fmt::format("h[{}]", k + 1)] = e;
  }
  return model::make_finite_sum_system(spec);
}

void check_twins(const model::System& family, const model::System& twin, unsigned seed) {
  REQUIRE(family.dim() == twin.dim());
  CHECK(family.variable_names() == twin.variable_names());
  const int d = family.dim();
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal(0, 0.7);
  for (int trial = 0; trial < 3; ++trial) {
    Vec t(d), v(d);
    for (int k = 0; k < d; ++k) t[k] = normal(rng), v[k] = normal(rng);
    CHECK(family.loss(t.data()) == Approx(twin.loss(t.data())).epsilon(1e-13));
    const Vec bf = family.drift_at(t), bt = twin.drift_at(t);
    CHECK((bf - bt).norm() <= 1e-13 * (1 + bt.norm()));
    const Mat jf = family.jacobian_at(t), jt = twin.jacobian_at(t);
    CHECK((jf - jt).norm() <= 1e-12 * (1 + jt.norm()));
    Vec hv(d);
    family.loss_hessian_times(t.data(), v.data(), hv.data());
    CHECK((hv + jt * v).norm() <= 1e-12 * (1 + (jt * v).norm()));
    // The per-sample gradients (the minibatch noise's source) agree too.
    Vec gf(d), gt(d);
    family.finite_sum()->component_gradient(3, t.data(), gf.data());
    twin.finite_sum()->component_gradient(3, t.data(), gt.data());
    CHECK((gf - gt).norm() <= 1e-13 * (1 + gt.norm()));
  }
}

const std::string kDecay3 = " + 0.025*(sum(q = 1:3, w[q]^2) + b^2)";  // weight decay 0.05

}  // namespace

TEST_CASE("families: least squares and logistic regression equal their expressions", "[model][families]") {
  model::FamilySpec s;
  const Data d = family_data(3, 25, 0, 1);
  s.inputs = d.x;
  s.targets = d.y;
  s.weight_decay = 0.05;
  s.family = "least_squares";
  const auto ls = model::make_family_system(s);
  const std::string z = "(sum(q = 1:3, w[q]*x[q]) + b)";
  auto twin = expression_twin(d, {"w[3]", "b"}, fmt::format("0.5*({} - y)^2", z) + kDecay3);
  check_twins(*ls, *twin, 2);

  Data binary = family_data(3, 25, 2, 3);
  s.inputs = binary.x;
  s.targets = binary.y;
  s.family = "logistic";
  const auto lr = model::make_family_system(s);
  twin = expression_twin(binary, {"w[3]", "b"},
                         fmt::format("log(1 + exp({0})) - y*{0}", z) + kDecay3);
  check_twins(*lr, *twin, 4);
}

TEST_CASE("families: softmax regression equals its expression", "[model][families]") {
  const Data d = family_data(2, 30, 3, 5);
  model::FamilySpec s;
  s.family = "softmax";
  s.inputs = d.x;
  s.targets = d.y;
  const auto sm = model::make_family_system(s);
  const std::string zk = "(sum(q = 1:2, W[k,q]*x[q]) + b[k])";
  auto twin = expression_twin(d, {"W[3,2]", "b[3]"},
                              fmt::format("log(sum(k = 1:3, exp({0}))) - sum(k = 1:3, h[k]*{0})", zk), 3);
  check_twins(*sm, *twin, 6);
}

TEST_CASE("families: two-layer networks (tanh, relu, softplus; squared and logistic) equal their expressions",
          "[model][families]") {
  const Data d = family_data(2, 20, 0, 7);
  Data binary = family_data(2, 20, 2, 8);
  model::FamilySpec s;
  s.family = "two_layer";
  s.width = 3;
  s.weight_decay = 0.01;
  const std::vector<std::string> vars = {"W[3,2]", "b[3]", "v[3]", "c"};
  const std::string decay = " + 0.005*(sum(j = 1:3, W[j,1]^2 + W[j,2]^2 + b[j]^2 + v[j]^2) + c^2)";
  auto output = [](const std::string& act) {
    return fmt::format("(sum(j = 1:3, v[j]*{}) + c)", fmt::format(fmt::runtime(act), "(W[j,1]*x[1] + W[j,2]*x[2] + b[j])"));
  };
  struct Case {
    const char* activation;
    const char* loss;
    std::string act;
  };
  for (const Case& c : {Case{"tanh", "squared", "tanh({})"}, Case{"relu", "squared", "0.5*({0} + abs({0}))"},
                        Case{"softplus", "logistic", "log(1 + exp({}))"}}) {
    INFO(c.activation << " with the " << c.loss << " loss");
    const bool logistic = std::string(c.loss) == "logistic";
    const Data& data = logistic ? binary : d;
    s.inputs = data.x;
    s.targets = data.y;
    s.activation = c.activation;
    s.loss = c.loss;
    const auto net = model::make_family_system(s);
    const std::string o = output(c.act);
    const std::string f = logistic ? fmt::format("log(1 + exp({0})) - y*{0}", o) : fmt::format("0.5*({} - y)^2", o);
    check_twins(*net, *expression_twin(data, vars, f + decay), 9);
  }
}

TEST_CASE("families: bad targets and options are refused, naming the point or the key", "[model][families]") {
  model::FamilySpec s;
  const Data d = family_data(2, 10, 0, 11);
  s.inputs = d.x;
  s.targets = d.y;
  s.family = "softmax";
  CHECK_THROWS_WITH(model::make_family_system(s), Catch::Contains("target: data point 1 has") && Catch::Contains("class indices"));
  s.family = "logistic";
  CHECK_THROWS_WITH(model::make_family_system(s), Catch::Contains("needs targets in [0, 1]"));
  s.family = "two_layer";
  s.width = 0;
  CHECK_THROWS_WITH(model::make_family_system(s), Catch::Contains("width = 0"));
  s.family = "perceptron";
  CHECK_THROWS_WITH(model::make_family_system(s), Catch::Contains("not a model family"));
  // From a config: inputs by a vector column's name.
  const auto cfg = config::Config::from_string(R"(
[model.system]
kind = "least_squares"
inputs = ["x"]
[model.system.data]
"x[1]" = [0.0, 1.0, 2.0]
"x[2]" = [1.0, 0.0, 1.0]
y = [1.0, 2.0, 4.0]
)", "family");
  const auto m = config::build_model(cfg.root().table("model"));
  CHECK(m.system->variable_names() == std::vector<std::string>{"w[1]", "w[2]", "b"});
  const auto bad = config::Config::from_string("[model.system]\nkind = \"two_layer\"\nwidth = 2\ninputs = [\"u\"]\n"
                                               "[model.system.data]\nx = [1.0]\ny = [1.0]\n", "family");
  CHECK_THROWS_WITH(config::build_model(bad.root().table("model")), Catch::Contains("model.system.inputs") &&
                                                                         Catch::Contains("no data column \"u\""));
}
