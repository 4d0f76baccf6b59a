// Where an error's key is written, the misspelling behind a missing key,
// whole-number arrays, finite matrices, a model undefined at its start, and
// exceptions carried out of a parallel region.
#include <catch2/catch.hpp>

#include <stdexcept>

#include "fwkit/config/config.hpp"
#include "fwkit/config/model_config.hpp"
#include "fwkit/core/error.hpp"
#include "helpers.hpp"
#include "fwkit/core/parallel_errors.hpp"

using namespace fw;
using fw::config::Config;

using fw::test::error_of;

TEST_CASE("a key named in a message is located in the file, in --set or in its written table", "[config]") {
  Config c = Config::from_string("[analyze]\nlower = [0.0]\nupper = [-1.0]\n[simulate.regions.left]\nradius = 1.0\n", "c.toml");
  CHECK(c.locate("analyze.upper = -1 in dimension 0: must exceed analyze.lower (0)") == "analyze.upper: c.toml line 3");
  // A key that is not written: its nearest written table.
  CHECK(c.locate("simulate.regions.left.center: is required") == "simulate.regions.left: c.toml line 4");
  CHECK(c.locate("out.h5: cannot write") == "");  // a file name is no key of this configuration
  CHECK(c.locate("no key here") == "");
  c.set("analyze.starts=3");
  CHECK(c.locate("analyze.starts = 3: must be even") == "from --set");
  c.set("stages.simm.step=0.1");  // makes [stages.simm] by itself
  CHECK(c.locate("stages.simm.command: is required") == "from --set");
  c.set("analyze.tolerance=1e-3", "from analyze.sweep.values, c.toml line 9");
  CHECK(c.locate("analyze.tolerance = 0.001: too small") == "analyze.tolerance: from analyze.sweep.values, c.toml line 9");
}

TEST_CASE("a key not read and two edits from a key asked for in vain is the misspelling behind the error", "[config]") {
  Config c = Config::from_string("[data]\npointz = [[1.0]]\n[train]\nstep = 0.1\nsteps = 10\n", "c.toml");
  const auto data = c.root().table("data");
  CHECK_FALSE(data.has("points"));
  c.root().table("train").number("step");
  CHECK(c.misspelt_key() == "unknown key 'data.pointz' (c.toml line 2); did you mean 'points'?");
  // "steps" is two edits from the "step" read, but "step" is written: no misspelling.
  Config d = Config::from_string("[train]\nstep = 0.1\nsteps = 10\n", "d.toml");
  d.root().table("train").number("step");
  CHECK(d.misspelt_key() == "");
  // A misspelt table: [dta] for [data].
  Config e = Config::from_string("[dta]\npoints = [[1.0]]\n", "e.toml");
  CHECK_FALSE(e.root().table("data").present());
  CHECK(e.root().has("data") == false);
  CHECK(e.misspelt_key() == "unknown key 'dta' (e.toml line 1); did you mean 'data'?");
}

TEST_CASE("whole-number arrays refuse fractions, and number matrices refuse non-finite entries", "[config]") {
  Config c = Config::from_string("a = [21, 31]\nb = [21.5, 3]\nc = [21.0]\nm = [[1.0, nan]]\nn = [[1.0, 2.0]]\n", "c.toml");
  const auto root = c.root();
  CHECK(root.integers("a", config::at_least(3)) == std::vector<int>{21, 31});
  auto [code, msg] = error_of([&] { root.integers("b"); });
  CHECK(code == 78);
  CHECK_THAT(msg, Catch::Contains("b = [ 21.5, 3 ] (c.toml line 2)") && Catch::Contains("whole numbers"));
  CHECK(error_of([&] { root.integers("c"); }).first == 78);
  CHECK(error_of([&] { root.integers("a", config::at_least(25)); }).first == 78);
  auto [mcode, mmsg] = error_of([&] { root.number_matrix("m"); });
  CHECK(mcode == 78);
  CHECK_THAT(mmsg, Catch::Contains("c.toml line 4") && Catch::Contains("row 0 entry 1 is nan"));
  CHECK(root.number_matrix("n").size() == 1);
}

TEST_CASE("a model undefined where a run starts is refused, naming the expression and the start", "[config]") {
  Config c = Config::from_string(
      "[model.system]\nkind = \"expression\"\nvariables = [\"x\", \"y\"]\ndrift = [\"-x\", \"-y + log(y)\"]\n", "c.toml");
  const auto model = c.root().table("model");
  const model::Model m = config::build_model(model);
  Vec good(2), bad(2);
  good << 0.5, 0.5;
  bad << 0.5, -1.0;
  CHECK_NOTHROW(config::check_defined_at(m, model, good, "simulate.x0"));
  auto [code, msg] = error_of([&] { config::check_defined_at(m, model, bad, "simulate.x0"); });
  CHECK(code == 65);
  CHECK_THAT(msg, Catch::Contains("model.system.drift[1] is") && Catch::Contains("simulate.x0 = (0.5, -1)"));
  // A noise covariance undefined there names the noise's key.
  Config g = Config::from_string("[model.system]\nkind = \"expression\"\nvariables = [\"x\"]\ndrift = [\"-x\"]\n"
                                 "[model.noise]\nkind = \"gaussian\"\nsigma = [[\"sqrt(x)\"]]\n", "g.toml");
  const model::Model mg = config::build_model(g.root().table("model"));
  Vec neg(1);
  neg << -1.0;
  auto [gcode, gmsg] = error_of([&] { config::check_defined_at(mg, g.root().table("model"), neg, "ode.x0"); });
  CHECK(gcode == 65);
  CHECK_THAT(gmsg, Catch::Contains("model.noise.sigma") && Catch::Contains("ode.x0 = (-1)"));
}

TEST_CASE("a constant Markov kernel that is not stochastic is refused where it is written", "[config]") {
  Config c = Config::from_string("[model.noise]\nkind = \"markov\"\nvariables = [\"x\"]\n"
                                 "kernel = [[\"0.9\", \"0.1\"], [\"0.2\", \"0.9\"]]\nincrements = [[\"-1 - x\"], [\"1 - x\"]]\n",
                                 "c.toml");
  auto [code, msg] = error_of([&] { config::build_model(c.root().table("model")); });
  CHECK(code == 78);
  CHECK_THAT(msg, Catch::Contains("model.noise.kernel") && Catch::Contains("c.toml line 4") && Catch::Contains("row 1"));
}

TEST_CASE("the first exception of a parallel loop reaches the caller and later work is skipped", "[config]") {
  ParallelErrors errors;
  int ran = 0;
#pragma omp parallel for num_threads(4) schedule(static, 1)
  for (int i = 0; i < 64; ++i)
    errors.run([&] {
      if (i == 0) throw data_error("bad value at member 0");
#pragma omp atomic
      ++ran;
    });
  CHECK(errors.failed());
  auto [code, msg] = error_of([&] { errors.rethrow(); });
  CHECK(code == 65);
  CHECK(msg == "bad value at member 0");
  CHECK(ran < 64);
  ParallelErrors none;
  none.run([] {});
  CHECK_NOTHROW(none.rethrow());
}
