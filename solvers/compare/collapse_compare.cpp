// solvers/compare/collapse_compare.cpp — collapse chains against their exact
// expectations (collapse_compare.hpp).
#include "collapse_compare.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "fwkit/core/error.hpp"
#include "option_checks.hpp"
#include "fwkit/core/types.hpp"
#include "simulation_file.hpp"

namespace fw::compare {

void CollapseCompareOptions::validate() const {
  for (double g : generations)
    if (!(g >= 1) || g != std::floor(g))
      throw config_error(fmt::format("compare.generations: {} is not a generation (a whole number >= 1)", g));
  require_positive("compare.standard_errors", standard_errors);
}

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::vector<double> column(const io::Reader& r, const std::string& path) {
  return r.exists(path) ? r.read(path).data : std::vector<double>{};
}

CollapsePoint read_point(const SimulationFile& sim, std::size_t i, std::string& scheme, int& generations) {
  const config::Config cfg = sim.point_config(i);
  const config::Table t = cfg.root().table("simulate");
  const std::string s = t.string("scheme", "sgd");
  if (s != "gaussian_refit" && s != "resample")
    t.fail("scheme", "the collapse comparison needs a collapse chain (gaussian_refit or resample)");
  scheme = s;
  const config::Table c = t.table("collapse");
  CollapsePoint p;
  p.group = sim.points()[i].group;
  p.value = sim.points()[i].value;
  p.chain.resample = s == "resample";
  p.chain.samples = static_cast<int>(c.integer("samples", 100));
  p.chain.alpha = c.number("alpha", 0.0);
  p.chain.binomial = c.string("fresh_count", "binomial") == "binomial";
  const auto mean = c.numbers("mean", std::vector<double>{0.0});
  p.chain.dim = static_cast<int>(mean.size());
  Mat cov = Mat::Identity(p.chain.dim, p.chain.dim);
  if (c.has("covariance")) {
    const auto rows = c.number_matrix("covariance");
    for (int a = 0; a < p.chain.dim; ++a)
      for (int b = 0; b < p.chain.dim; ++b) cov(a, b) = rows.at(static_cast<std::size_t>(a)).at(static_cast<std::size_t>(b));
  }
  p.chain.variance0 = cov.trace() / p.chain.dim;
  p.chain.log_det0 = std::log(cov.determinant());
  generations = static_cast<int>(c.integer("generations", 100));
  const io::Reader& r = sim.reader();
  if (!r.exists(sim.dataset(i, "collapse/variance"))) throw data_error(sim.where(i) + ": no /collapse group");
  p.variance = column(r, sim.dataset(i, "collapse/variance"));
  p.variance_se = column(r, sim.dataset(i, "collapse/variance_se"));
  p.log_det = column(r, sim.dataset(i, "collapse/log_det_covariance"));
  p.log_det_se = column(r, sim.dataset(i, "collapse/log_det_covariance_se"));
  p.homozygosity = column(r, sim.dataset(i, "collapse/homozygosity"));
  p.homozygosity_se = column(r, sim.dataset(i, "collapse/homozygosity_se"));
  p.expected = collapse_expectation(p.chain, generations);
  if (p.variance.size() != p.expected.variance.size())
    throw data_error(fmt::format("{}: /collapse has {} generations, the configuration {}", sim.where(i),
                                 p.variance.size(), p.expected.variance.size()));
  return p;
}

}  // namespace

CollapseComparison compare_collapse(const std::filesystem::path& simulation, const CollapseCompareOptions& o) {
  o.validate();
  const SimulationFile sim(simulation, "the collapse comparison");
  CollapseComparison c;
  c.simulation = simulation;
  c.sweep_key = sim.sweep_key();
  for (std::size_t i = 0; i < sim.points().size(); ++i) c.points.push_back(read_point(sim, i, c.scheme, c.generations));
  std::vector<int> gens;
  if (o.generations.empty()) {
    gens = {std::max(1, c.generations / 20), std::max(1, c.generations / 10), std::max(1, c.generations / 4)};
  } else {
    for (double g : o.generations) {
      if (g > c.generations)
        throw config_error(fmt::format("compare.generations: {} is beyond the simulation's {} generations", g, c.generations));
      gens.push_back(static_cast<int>(g));
    }
  }
  std::sort(gens.begin(), gens.end());
  gens.erase(std::unique(gens.begin(), gens.end()), gens.end());
  for (const auto& p : c.points) {
    const std::string base = c.sweep_key.empty() ? "" : fmt::format("{} = {:g}, ", c.sweep_key, p.value);
    auto add = [&](const std::string& what, const std::vector<double>& expected, const std::vector<double>& observed,
                   const std::vector<double>& se) {
      if (expected.empty() || observed.empty()) return;
      for (int t : gens) {
        const auto u = static_cast<std::size_t>(t);
        c.rows.push_back({what, fmt::format("{}generation {}", base, t), "1", expected[u], observed[u], se[u],
                          Rule::kWithinSe, o.standard_errors});
      }
    };
    add(fmt::format("{} variance (tr Sigma / d)", c.scheme), p.expected.variance, p.variance, p.variance_se);
    add("log det Sigma (Wishart drift)", p.expected.log_det, p.log_det, p.log_det_se);
    add("homozygosity", p.expected.homozygosity, p.homozygosity, p.homozygosity_se);
  }
  return c;
}

void write_collapse_comparison(const io::Group& root, const CollapseComparison& c) {
  const io::Group g = root.group("collapse");
  const std::size_t n = c.points.size(), T = static_cast<std::size_t>(c.generations) + 1;
  std::vector<double> coord, gen;
  for (std::size_t i = 0; i < n; ++i) coord.push_back(c.sweep_key.empty() ? static_cast<double>(i) : c.points[i].value);
  for (std::size_t t = 0; t < T; ++t) gen.push_back(static_cast<double>(t));
  g.add_dimension("point", coord, {"1", c.sweep_key.empty() ? "run" : "swept value of " + c.sweep_key});
  g.add_dimension("generation", gen, {"1", "generation"});
  g.set_attribute("simulation", c.simulation.string());
  g.set_attribute("sweep_key", c.sweep_key);
  g.set_attribute("scheme", c.scheme);
  auto put = [&](const std::string& name, auto field, const std::string& what) {
    std::vector<double> v;
    bool any = false;
    for (const auto& p : c.points) {
      const std::vector<double>& f = field(p);
      any = any || !f.empty();
      for (std::size_t t = 0; t < T; ++t) v.push_back(t < f.size() ? f[t] : kNaN);
    }
    if (any) g.write(name, {"point", "generation"}, std::span<const double>(v), {"1", what});
  };
  put("expected_variance", [](const CollapsePoint& p) -> const auto& { return p.expected.variance; },
      "exact E tr Sigma_t / d");
  put("variance", [](const CollapsePoint& p) -> const auto& { return p.variance; }, "simulated mean of tr Sigma_t / d");
  put("variance_se", [](const CollapsePoint& p) -> const auto& { return p.variance_se; }, "standard error of variance");
  put("expected_log_det", [](const CollapsePoint& p) -> const auto& { return p.expected.log_det; },
      "exact E log det Sigma_t (Gaussian refit without fresh data)");
  put("log_det", [](const CollapsePoint& p) -> const auto& { return p.log_det; }, "simulated mean of log det Sigma_t");
  put("log_det_se", [](const CollapsePoint& p) -> const auto& { return p.log_det_se; }, "standard error of log_det");
  put("expected_homozygosity", [](const CollapsePoint& p) -> const auto& { return p.expected.homozygosity; },
      "exact E homozygosity (resample)");
  put("homozygosity", [](const CollapsePoint& p) -> const auto& { return p.homozygosity; }, "simulated mean homozygosity");
  put("homozygosity_se", [](const CollapsePoint& p) -> const auto& { return p.homozygosity_se; },
      "standard error of homozygosity");
  write_summary(root, c.rows);
}

}  // namespace fw::compare
