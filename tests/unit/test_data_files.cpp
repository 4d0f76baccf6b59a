// Finite-sum data read from files: CSV columns by header name, HDF5 datasets
// by path, mixed with inline columns, and every bad input named precisely.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "fwkit/config/config.hpp"
#include "fwkit/config/model_config.hpp"
#include "fwkit/core/error.hpp"
#include "fwkit/io/result_file.hpp"

using namespace fw;
using fw::config::Config;
namespace fs = std::filesystem;

namespace {

struct Folder {
  fs::path path = fs::temp_directory_path() / ("fwkit_data_" + std::to_string(::getpid()));
  Folder() { fs::create_directories(path); }
  ~Folder() { fs::remove_all(path); }
  void write(const std::string& name, const std::string& text) const { std::ofstream(path / name) << text; }
};

const char* kModel = R"(
[model.system]
kind = "finite_sum"
variables = ["x", "y"]
component = "0.5*a*(x - u)^2 + 0.5*(y - v)^2"
[model.noise]
kind = "minibatch"
)";

/// Builds the model of `data_table` (the [model.system.data] lines), with
/// the config file in `folder`; returns the exit code and message of an error.
std::pair<int, std::string> build(const Folder& folder, const std::string& data_table, model::Model* out = nullptr) {
  folder.write("run.toml", std::string(kModel) + "[model.system.data]\n" + data_table);
  try {
    Config c = Config::from_file(folder.path / "run.toml");
    model::Model m = config::build_model(c.root().table("model"));
    c.check_all_used();
    if (out) *out = m;
  } catch (const Error& e) {
    return {static_cast<int>(e.code()), e.what()};
  }
  return {0, ""};
}

}  // namespace

TEST_CASE("finite-sum data from a CSV file equals the same data inline", "[config][data]") {
  Folder f;
  f.write("train.csv", "# a comment line\nu, v ,\"a\",unused\n1.0,0.5,2,9\n-1,0.25,1,9\n\n3e-1,-0.5,0.5,9\n");
  model::Model from_file, inline_data, mixed;
  REQUIRE(build(f, "file = \"train.csv\"\ncolumns = [\"u\", \"v\", \"a\"]\n", &from_file).first == 0);
  REQUIRE(build(f, "u = [1.0, -1.0, 0.3]\nv = [0.5, 0.25, -0.5]\na = [2.0, 1.0, 0.5]\n", &inline_data).first == 0);
  f.write("uv.csv", "u\tv\n1.0\t0.5\n-1\t0.25\n0.3\t-0.5\n");  // tab-separated, the rest inline
  REQUIRE(build(f, "file = \"uv.csv\"\na = [2.0, 1.0, 0.5]\n", &mixed).first == 0);
  REQUIRE(from_file.system->finite_sum()->size() == 3);
  const Vec x = (Vec(2) << 0.2, -0.7).finished();
  // f = (1/3) sum_i [a_i (x - u_i)^2 + (y - v_i)^2] / 2, by hand.
  const double a[3] = {2, 1, 0.5}, u[3] = {1, -1, 0.3}, v[3] = {0.5, 0.25, -0.5};
  double expected = 0;
  for (int i = 0; i < 3; ++i) expected += 0.5 * a[i] * (x[0] - u[i]) * (x[0] - u[i]) + 0.5 * (x[1] - v[i]) * (x[1] - v[i]);
  expected /= 3;
  CHECK(from_file.system->loss(x.data()) == Approx(expected).epsilon(1e-14));
  CHECK(inline_data.system->loss(x.data()) == Approx(expected).epsilon(1e-14));
  CHECK(mixed.system->loss(x.data()) == Approx(expected).epsilon(1e-14));
  CHECK(from_file.noise->covariance(x).isApprox(inline_data.noise->covariance(x), 1e-14));
}

TEST_CASE("finite-sum data from HDF5 datasets by path", "[config][data]") {
  Folder f;
  {
    io::ResultFile out(f.path / "train.h5");
    const io::Group g = out.root().group("train");
    const std::vector<double> u{1.0, -1.0, 0.3}, v{0.5, 0.25, -0.5};
    g.add_index_dimension("point", 3, "data point");
    g.write("u", {"point"}, u, {"1", "u"});
    g.write("v", {"point"}, v, {"1", "v"});
    out.commit();
  }
  model::Model m;
  const auto [code, msg] = build(f, "file = \"train.h5\"\na = [2.0, 1.0, 0.5]\n[model.system.data.datasets]\nu = \"/train/u\"\nv = \"/train/v\"\n", &m);
  REQUIRE(msg == "");
  CHECK(m.system->finite_sum()->size() == 3);
  CHECK(build(f, "file = \"train.h5\"\na = [1.0, 1.0, 1.0]\n[model.system.data.datasets]\nu = \"/train/u\"\nv = \"/train/w\"\n").second
            .find("has no dataset /train/w") != std::string::npos);
  CHECK_THAT(build(f, "file = \"train.h5\"\n").second, Catch::Contains("needs [model.system.data.datasets]"));
  CHECK_THAT(build(f, "file = \"train.h5\"\ncolumns = [\"u\"]\n[model.system.data.datasets]\nu = \"/train/u\"\n").second,
             Catch::Contains("model.system.data.columns") && Catch::Contains("selects CSV columns"));
}

TEST_CASE("bad data files are named with the file, the line, the column and the rule", "[config][data]") {
  Folder f;
  const std::string three = "columns = [\"u\", \"v\", \"a\"]\n";
  auto error = [&](const std::string& csv) {
    f.write("bad.csv", csv);
    return build(f, "file = \"bad.csv\"\n" + three);
  };
  auto [code, msg] = build(f, "file = \"missing.csv\"\n");
  CHECK(code == 66);
  CHECK_THAT(msg, Catch::Contains("model.system.data.file = 'missing.csv'") && Catch::Contains("run.toml line") &&
                      Catch::Contains("cannot open the data file"));
  std::tie(code, msg) = error("u,v\n1,2\n");
  CHECK(code == 65);
  CHECK_THAT(msg, Catch::Contains("has no column \"a\"") && Catch::Contains("u, v"));
  std::tie(code, msg) = error("u,v,a\n1,2,3\n4,5\n");
  CHECK(code == 65);
  CHECK_THAT(msg, Catch::Contains("bad.csv:3") && Catch::Contains("has 2 fields") && Catch::Contains("3 columns"));
  std::tie(code, msg) = error("u,v,a\n1,2,3\n4,five,6\n");
  CHECK_THAT(msg, Catch::Contains("bad.csv:3, column \"v\"") && Catch::Contains("\"five\" is not a number"));
  std::tie(code, msg) = error("u,v,a\n1,nan,3\n");
  CHECK_THAT(msg, Catch::Contains("bad.csv:2, column \"v\"") && Catch::Contains("must be finite"));
  std::tie(code, msg) = error("u,v,a\n1,,3\n");
  CHECK_THAT(msg, Catch::Contains("bad.csv:2, column \"v\"") && Catch::Contains("is empty"));
  std::tie(code, msg) = error("u,v,a\n");
  CHECK_THAT(msg, Catch::Contains("no rows of data"));
  std::tie(code, msg) = error("u,u,a\n1,2,3\n");
  CHECK_THAT(msg, Catch::Contains("\"u\" is named twice"));
  f.write("ok.csv", "u,v,a\n1,2,3\n");
  std::tie(code, msg) = build(f, "file = \"ok.csv\"\nu = [1.0]\n");
  CHECK(code == 78);
  CHECK_THAT(msg, Catch::Contains("model.system.data.u") && Catch::Contains("is also a column"));
  std::tie(code, msg) = build(f, "file = \"ok.xlsx\"\n");
  CHECK(code == 78);
  CHECK_THAT(msg, Catch::Contains("must end in .csv"));
  std::tie(code, msg) = build(f, "columns = [\"u\"]\nu = [1.0]\nv = [1.0]\na = [1.0]\n");
  CHECK_THAT(msg, Catch::Contains("give file too"));
  // A vector's name selects its entries.
  f.write("vec.csv", "w[1],u,w[2],v,a\n1,2,3,4,5\n");
  model::Model vec;
  REQUIRE(build(f, "file = \"vec.csv\"\ncolumns = [\"u\", \"v\", \"a\", \"w\"]\n", &vec).first == 0);
  CHECK(vec.system->finite_sum()->size() == 1);
  // Quoted cells, and a batch larger than the data without replacement.
  f.write("quoted.csv", "u,v,a\n\"1\",'2',+3\n");
  CHECK(build(f, "file = \"quoted.csv\"\n").first == 0);
  {
    f.write("run.toml", std::string(kModel) + "batch = 2\nreplacement = false\n[model.system.data]\nfile = \"quoted.csv\"\n");
    const auto [c2, m2] = [&]() -> std::pair<int, std::string> {
      try {
        Config c = Config::from_file(f.path / "run.toml");
        config::build_model(c.root().table("model"));
      } catch (const Error& e) {
        return {static_cast<int>(e.code()), e.what()};
      }
      return {0, ""};
    }();
    CHECK(c2 == 78);
    CHECK_THAT(m2, Catch::Contains("model.noise.batch = 2") && Catch::Contains("run.toml line") &&
                       Catch::Contains("at most the n = 1 data points"));
  }
  // A header name that is not an identifier is refused by the model language.
  f.write("names.csv", "u,v,a b\n1,2,3\n");
  std::tie(code, msg) = build(f, "file = \"names.csv\"\n");
  CHECK(code == 78);
  CHECK_THAT(msg, Catch::Contains("'a b' is not an identifier"));
}
