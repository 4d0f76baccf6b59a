// solvers/compare/exit_compare.cpp — mean transition times against
// Eyring–Kramers and the fitted exponent (exit_compare.hpp).
#include "exit_compare.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "fwkit/core/error.hpp"
#include "option_checks.hpp"
#include "least_squares.hpp"
#include "simulation_file.hpp"
#include "transitions_file.hpp"

namespace fw::compare {

void ExitCompareOptions::validate() const {
  require_positive("compare.exponent_tolerance", exponent_tolerance);
  require_positive("compare.prefactor_tolerance", prefactor_tolerance);
}

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

}  // namespace

ExitComparison compare_exits(const std::filesystem::path& simulation, const std::filesystem::path& transitions,
                             const ExitCompareOptions& o) {
  o.validate();
  ExitComparison c;
  c.simulation = simulation;
  c.transitions = transitions;
  const TransitionsFile tf = TransitionsFile::read(transitions);
  const std::size_t m = tf.attractors.size();
  for (std::size_t i = 0; i < m; ++i) {
    double least = std::numeric_limits<double>::infinity(), rate = 0;
    for (const auto& l : tf.legs)
      if (l.from == static_cast<int>(i)) least = std::min(least, l.cost);
    // Eyring–Kramers for the legs of least cost (the others are exponentially slower).
    bool kramers = std::isfinite(least);
    for (const auto& l : tf.legs)
      if (l.from == static_cast<int>(i) && l.cost <= least + 1e-9 * (1 + least)) {
        kramers = kramers && std::isfinite(l.prefactor);
        rate += 1 / l.prefactor;
      }
    c.least_cost.push_back(least);
    c.kramers_prefactor.push_back(kramers ? 1 / rate : kNaN);
  }
  const SimulationFile sim(simulation, "the transition-time comparison");
  const std::size_t n = sim.points().size();
  c.scale_key = scale_sweep(sim, "the transition-time comparison");
  c.region = regions_holding(sim, tf.attractors);
  const config::Config first = sim.point_config(0);
  const config::Table regions = first.root().table("simulate").table("regions");
  for (std::size_t s = 0; s < tf.saddles.size(); ++s)
    if (const std::string r = region_holding(regions, tf.saddles[s]); !r.empty())
      throw config_error(fmt::format("{}: simulate.regions.{} holds saddle {}: every recrossing of it would count as an exit; "
                                     "leave the saddles outside the regions", simulation.string(), r, s));
  const io::Reader& r = sim.reader();
  for (std::size_t k = 0; k < n; ++k) {
    const config::Config cfg = sim.point_config(k);
    const double step = cfg.root().table("simulate").number("step");
    c.scale.push_back(sim.points()[k].value);
    const auto names = region_order(sim, k);
    const auto mean = r.read(sim.dataset(k, "transitions/mean_exit_steps")).data;
    const auto se = r.read(sim.dataset(k, "transitions/mean_exit_steps_se")).data;
    std::vector<double> t, tse;
    for (std::size_t i = 0; i < m; ++i) {
      const auto j = static_cast<std::size_t>(std::find(names.begin(), names.end(), c.region[i]) - names.begin());
      if (j >= mean.size() || !std::isfinite(mean[j]))
        throw data_error(fmt::format("{}: no completed exit from region {} at {} = {:g}; simulate longer", sim.where(k),
                                     c.region[i], c.scale_key, c.scale.back()));
      t.push_back(step * mean[j]);
      tse.push_back(step * se[j]);
    }
    c.mean_time.push_back(t);
    c.mean_time_se.push_back(tse);
  }
  c.fitted_exponent.assign(m, kNaN);
  c.fitted_exponent_se.assign(m, kNaN);
  c.fitted_prefactor.assign(m, kNaN);
  c.fitted_prefactor_se.assign(m, kNaN);
  for (std::size_t i = 0; i < m; ++i) {
    if (!std::isfinite(c.least_cost[i])) continue;
    std::vector<double> s, logt, logt_se, shifted;
    for (std::size_t k = 0; k < n; ++k) {
      const double predicted = c.kramers_prefactor[i] * std::exp(c.least_cost[i] / c.scale[k]);
      c.rows.push_back({fmt::format("mean exit time from {} (Eyring–Kramers)", c.region[i]),
                        fmt::format("{} = {:g}", c.scale_key, c.scale[k]), "clock time", predicted, c.mean_time[k][i],
                        c.mean_time_se[k][i], Rule::kReport, 0});
      s.push_back(c.scale[k]);
      logt.push_back(std::log(c.mean_time[k][i]));
      logt_se.push_back(c.mean_time_se[k][i] / c.mean_time[k][i]);
      shifted.push_back(std::log(c.mean_time[k][i]) - c.least_cost[i] / c.scale[k]);
    }
    const InverseFit exponent = fit_inverse(s, logt, logt_se);
    c.fitted_exponent[i] = exponent.slope;
    c.fitted_exponent_se[i] = exponent.slope_se;
    c.rows.push_back({fmt::format("barrier leaving {}: slope of log mean exit time in 1/{}", c.region[i], c.scale_key.substr(9)),
                      fmt::format("{} points, {}", n, exponent.form()), "1", c.least_cost[i], exponent.slope, exponent.slope_se, Rule::kRelative,
                      o.exponent_tolerance});
    const Line prefactor = fit_line(s, shifted, logt_se);
    c.fitted_prefactor[i] = std::exp(prefactor.intercept);
    c.fitted_prefactor_se[i] = c.fitted_prefactor[i] * prefactor.intercept_se;
    const bool kramers = std::isfinite(c.kramers_prefactor[i]);
    c.rows.push_back({fmt::format("prefactor leaving {} ({}), extrapolated to {} -> 0", c.region[i],
                                  kramers ? "Eyring–Kramers" : "fitted; Eyring–Kramers does not apply", c.scale_key.substr(9)),
                      fmt::format("{} points", n), "clock time", c.kramers_prefactor[i], c.fitted_prefactor[i],
                      c.fitted_prefactor_se[i], kramers ? Rule::kRelative : Rule::kReport, kramers ? o.prefactor_tolerance : 0});
  }
  return c;
}

void write_exit_comparison(const io::Group& root, const ExitComparison& c) {
  const io::Group g = root.group("exits");
  const std::size_t n = c.scale.size(), m = c.region.size();
  g.add_dimension("point", c.scale, {"1", "noise scale (" + c.scale_key + ")"});
  g.add_index_dimension("attractor", m, "attractor (as in the transitions file)");
  g.set_attribute("simulation", c.simulation.string());
  g.set_attribute("transitions", c.transitions.string());
  g.set_attribute("scale_key", c.scale_key);
  std::string names;
  for (const auto& r : c.region) names += (names.empty() ? "" : " ") + r;
  g.set_attribute("region_names", names);
  std::vector<double> t, se;
  for (std::size_t k = 0; k < n; ++k)
    for (std::size_t i = 0; i < m; ++i) t.push_back(c.mean_time[k][i]), se.push_back(c.mean_time_se[k][i]);
  g.write("mean_time", {"point", "attractor"}, std::span<const double>(t), {"1", "simulated mean exit time, clock time"});
  g.write("mean_time_se", {"point", "attractor"}, std::span<const double>(se), {"1", "its standard error"});
  g.write("least_cost", {"attractor"}, std::span<const double>(c.least_cost), {"1", "least leg cost from the attractor"});
  g.write("kramers_prefactor", {"attractor"}, std::span<const double>(c.kramers_prefactor),
          {"1", "Eyring-Kramers prefactor of the least-cost legs (NaN: does not apply)"});
  g.write("fitted_exponent", {"attractor"}, std::span<const double>(c.fitted_exponent), {"1", "slope of log time against 1/s"});
  g.write("fitted_exponent_se", {"attractor"}, std::span<const double>(c.fitted_exponent_se), {"1", "its standard error"});
  g.write("fitted_prefactor", {"attractor"}, std::span<const double>(c.fitted_prefactor),
          {"1", "exp(intercept) of log time - cost/s against s"});
  g.write("fitted_prefactor_se", {"attractor"}, std::span<const double>(c.fitted_prefactor_se), {"1", "its standard error"});
  write_summary(root, c.rows);
}

}  // namespace fw::compare
