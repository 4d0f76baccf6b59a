#include <catch2/catch.hpp>

#include "fwkit/config/config.hpp"
#include "fwkit/config/model_config.hpp"
#include "fwkit/core/error.hpp"
#include "helpers.hpp"

using namespace fw;
using fw::config::Config;

using fw::test::error_of;

TEST_CASE("values are read with defaults and rules", "[config]") {
  Config c = Config::from_string("a = 2\nb = 0.5\n[t]\nname = \"x\"\nlist = [1, 2.5]\n", "run.toml");
  const auto root = c.root();
  CHECK(root.integer("a", 1) == 2);
  CHECK(root.number("b", 1.0, config::positive()) == 0.5);
  CHECK(root.number("missing", 7.0) == 7.0);
  CHECK(root.table("t").choice("name", {"x", "y"}) == "x");
  CHECK(root.table("t").numbers("list") == std::vector<double>{1, 2.5});
  CHECK(root.boolean("flag", true));
  CHECK_NOTHROW(c.check_all_used());
  const std::string resolved = c.resolved_toml();
  CHECK_THAT(resolved, Catch::Contains("missing = 7") && Catch::Contains("flag = true"));
}

TEST_CASE("unknown keys are errors naming the key, the line and a suggestion", "[config]") {
  Config c = Config::from_string("[analyze]\ntolerance = 1e-8\ntolerence = 1\n", "run.toml");
  c.root().table("analyze").number("tolerance", 1e-10);
  auto [code, msg] = error_of([&] { c.check_all_used(); });
  CHECK(code == 78);
  CHECK_THAT(msg, Catch::Contains("unknown key 'analyze.tolerence'") && Catch::Contains("run.toml line 3") &&
                      Catch::Contains("did you mean 'tolerance'"));
  Config d = Config::from_string("[analyse]\nstarts = 3\n", "run.toml");
  d.root().table("analyze").integer("starts", 0);
  CHECK_THAT(error_of([&] { d.check_all_used(); }).second, Catch::Contains("unknown key 'analyse'"));
}

TEST_CASE("wrong types are errors naming the key, the value and the type", "[config]") {
  Config c = Config::from_string("[analyze]\nstarts = \"many\"\nlower = [1, \"a\"]\n", "run.toml");
  auto [code, msg] = error_of([&] { c.root().table("analyze").integer("starts", 0); });
  CHECK(code == 78);
  CHECK_THAT(msg, Catch::Contains("analyze.starts = 'many' (run.toml line 2): expected an integer, got a string"));
  CHECK_THAT(error_of([&] { c.root().table("analyze").numbers("lower"); }).second,
             Catch::Contains("analyze.lower") && Catch::Contains("expected an array of numbers"));
  CHECK_THAT(error_of([&] { c.root().table("analyze").table("starts"); }).second,
             Catch::Contains("expected a table"));
}

TEST_CASE("out-of-range values are errors naming the rule", "[config]") {
  Config c = Config::from_string("tol = -1\nn = 0\nkind = \"fast\"\n", "run.toml");
  const auto root = c.root();
  auto [code, msg] = error_of([&] { root.number("tol", config::positive()); });
  CHECK(code == 78);
  CHECK_THAT(msg, Catch::Contains("tol = -1 (run.toml line 1): must be > 0"));
  CHECK_THAT(error_of([&] { root.integer("n", config::at_least(1)); }).second, Catch::Contains("must be >= 1"));
  CHECK_THAT(error_of([&] { root.choice("kind", {"slow", "exact"}); }).second,
             Catch::Contains("must be one of \"slow\", \"exact\""));
  CHECK_THAT(error_of([&] { root.number("absent"); }).second, Catch::Contains("absent: is required"));
}

TEST_CASE("malformed TOML and missing files have their exit codes", "[config]") {
  auto [code, msg] = error_of([] { Config::from_string("a = [1, 2\n", "bad.toml"); });
  CHECK(code == 78);
  CHECK_THAT(msg, Catch::Contains("bad.toml line") && Catch::Contains("not valid TOML"));
  CHECK(error_of([] { Config::from_file("/nonexistent/run.toml"); }).first == 66);
}

TEST_CASE("command-line overrides (--set) replace and add values", "[config]") {
  Config c = Config::from_string("[analyze]\nstarts = 3\n", "run.toml");
  c.set("analyze.starts=10");
  c.set("model.system.kind=maier_stein");  // not TOML: taken as a string
  c.set("model.system.parameters.beta=2.5");
  const auto root = c.root();
  CHECK(root.table("analyze").integer("starts", 0) == 10);
  CHECK(root.table("model").table("system").string("kind") == "maier_stein");
  CHECK(root.table("model").table("system").table("parameters").number("beta") == 2.5);
  c.set("analyze.starts=-4");
  CHECK_THAT(error_of([&] { root.table("analyze").integer("starts", 0, config::non_negative()); }).second,
             Catch::Contains("(from --set)"));
  CHECK(error_of([&] { c.set("noequals"); }).first == 64);
}

TEST_CASE("bad expressions in a model config are config errors with a position", "[config]") {
  Config c = Config::from_string(
      "[model.system]\nkind = \"expression\"\nvariables = [\"x\"]\ndrift = [\"-x^^2\"]\n", "run.toml");
  auto [code, msg] = error_of([&] { config::build_model(c.root().table("model")); });
  CHECK(code == 78);
  CHECK_THAT(msg, Catch::Contains("model.system.drift[0]") && Catch::Contains("column 4"));
}

TEST_CASE("models build from config: catalog, expression, noise kinds", "[config]") {
  const char* text = R"(
[model.parameters]
s = 0.5
[model.system]
kind = "finite_sum"
variables = ["x"]
component = "0.5*(x - u)^2"
data = { u = [-1.0, 0.0, 2.0] }
[model.noise]
kind = "minibatch"
batch = 2
replacement = false
)";
  Config c = Config::from_string(text, "run.toml");
  const auto m = config::build_model(c.root().table("model"));
  c.check_all_used();
  CHECK(m.noise->kind() == "minibatch");
  CHECK(m.dim() == 1);
  Config k = Config::from_string("[model.system]\nkind = \"maier_stein\"\nparameters = { beta = 3 }\n", "r");
  const auto ms = config::build_model(k.root().table("model"));
  CHECK(ms.noise->kind() == "gaussian");
  CHECK(ms.system->name() == "maier_stein");
  Config mk = Config::from_string(R"(
[model.noise]
kind = "markov"
variables = ["x"]
kernel = [["0.9", "0.1"], ["0.2", "0.8"]]
increments = [["1 - x"], ["-1 - x"]]
)", "r");
  const auto mm = config::build_model(mk.root().table("model"));
  mk.check_all_used();
  CHECK(mm.noise->chain_states() == 2);
  // b(x) = pi . h = (2/3)(1 - x) + (1/3)(-1 - x) = 1/3 - x.
  CHECK(mm.system->drift_at(Vec::Constant(1, 0.0))[0] == Approx(1.0 / 3));
}

TEST_CASE("every noise kind builds from TOML and is validated", "[config]") {
  const std::string system = "[model.system]\nkind = \"double_well_2d\"\n";
  auto build = [&](const std::string& noise) {
    Config c = Config::from_string(system + "[model.noise]\n" + noise, "run.toml");
    const auto m = config::build_model(c.root().table("model"));
    c.check_all_used();
    return m;
  };
  const Vec x = (Vec(2) << 0.3, -0.2).finished();
  auto m = build("kind = \"rademacher\"\nscales = [0.5, 2.0]\n");
  CHECK(m.noise->covariance(x)(1, 1) == Approx(4.0));
  m = build("kind = \"discrete\"\natoms = [[1.0, 0.0], [-1.0, 0.0]]\nprobabilities = [0.5, 0.5]\nscale = \"1 + x^2\"\n");
  CHECK(m.noise->covariance(x)(0, 0) == Approx(1.09 * 1.09));
  m = build(
      "kind = \"mixture\"\nmeans = [[0.0, 0.0], [1.0, 0.0]]\nlogits = [\"0\", \"x\"]\n"
      "[model.noise.covariances]\nc0 = [[1.0, 0.0], [0.0, 1.0]]\nc1 = [[0.5, 0.0], [0.0, 0.5]]\n");
  CHECK(m.noise->kind() == "mixture");
  m = build("kind = \"gaussian\"\nsigma = [[\"1 + 0.5*x\", \"0\"], [\"0\", \"1\"]]\n");
  CHECK(m.noise->covariance(x)(0, 0) == Approx(1.15 * 1.15));
  m = build("kind = \"gaussian\"\ncovariance = [[2.0, 0.5], [0.5, 1.0]]\n");
  CHECK(m.noise->covariance(x)(0, 1) == Approx(0.5));
  // Rules: shapes, positivity, kinds.
  CHECK_THAT(error_of([&] { build("kind = \"gaussian\"\ncovariance = [[1.0, 2.0], [2.0, 1.0]]\n"); }).second,
             Catch::Contains("model.noise.covariance") && Catch::Contains("positive semi-definite"));
  CHECK_THAT(error_of([&] { build("kind = \"rademacher\"\nscales = [0.5]\n"); }).second,
             Catch::Contains("model.noise.scales") && Catch::Contains("one scale per state variable"));
  CHECK_THAT(error_of([&] { build("kind = \"rademacher\"\nscales = [0.5, -1.0]\n"); }).second,
             Catch::Contains("must be >= 0"));
  CHECK_THAT(error_of([&] { build("kind = \"levy\"\n"); }).second,
             Catch::Contains("model.noise.kind") && Catch::Contains("must be one of"));
  CHECK_THAT(error_of([&] { build("kind = \"minibatch\"\n"); }).second,
             Catch::Contains("finite sum"));
  CHECK_THAT(error_of([&] { build("kind = \"discrete\"\natoms = [[1.0, 0.0]]\nprobabilities = [0.7]\n"); }).second,
             Catch::Contains("sum to 1"));
}
