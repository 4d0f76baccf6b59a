// solvers/compare/episode_compare.cpp — reading a two-time-scale simulate
// file and setting its episodes beside the predictions (episode_compare.hpp).
#include "episode_compare.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "fwkit/config/model_config.hpp"
#include "fwkit/core/error.hpp"
#include "option_checks.hpp"
#include "simulation_file.hpp"

namespace fw::compare {

void EpisodeCompareOptions::validate() const {
  prediction.validate();
  if (tolerance.empty()) throw config_error("compare.tolerance: needs at least one value");
  for (double t : tolerance) require_positive("compare.tolerance", t);
  require_positive("compare.ratio_tolerance", ratio_tolerance);
  if (!(bound_se >= 0)) throw config_error(fmt::format("compare.bound_se = {}: must be >= 0", bound_se));
}

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::vector<std::int64_t> integers(const io::Array& a) {
  std::vector<std::int64_t> v(a.data.size());
  std::transform(a.data.begin(), a.data.end(), v.begin(), [](double d) { return static_cast<std::int64_t>(d); });
  return v;
}

/// The run's parameters at one point, from the resolved configuration.
struct PointSetup {
  model::Model model;
  double step = 0, timescale = 0;
  int fast = 0, slow = 1;
  std::vector<std::string> region_names;  // in the order simulate numbers them
  std::vector<std::pair<Vec, Vec>> boxes;
};

PointSetup read_setup(const config::Config& cfg) {
  const config::Table root = cfg.root();
  const config::Table t = root.table("simulate");
  PointSetup s{config::build_model(root.table("model")), 0, 0, 0, 1, {}, {}};
  if (const std::string scheme = t.string("scheme", "sgd"); scheme != "sgd")
    t.fail("scheme", fmt::format("is \"{}\"; episode predictions are for the SGD recursion (scheme = \"sgd\")", scheme));
  if (s.model.dim() != 2) t.fail("x0", fmt::format("the model has {} variables; episode predictions need 2 (one fast, one slow)", s.model.dim()));
  s.step = t.number("step");
  s.timescale = t.number("timescale", 1.0);
  if (!(s.timescale < 1)) t.fail("timescale", "is 1 (one time scale); episodes need a slow variable with timescale < 1");
  const auto vars = s.model.system->variable_names();
  const auto slow = t.has("slow") ? t.strings("slow") : std::vector<std::string>{};
  if (slow.size() != 1) t.fail("slow", "must name exactly one slow variable");
  s.slow = slow[0] == vars[0] ? 0 : 1;
  s.fast = 1 - s.slow;
  if (s.model.noise->depends_on_state())
    root.table("model").table("noise").fail("kind", "noise whose covariance depends on the state; the episode predictions need a constant fast-noise variance");
  const config::Table regions = t.table("regions");
  for (const auto& name : regions.keys()) {
    const config::Table r = regions.table(name);
    if (!r.has("lower") || !r.has("upper")) r.fail("lower", "episode thresholds need box regions (lower, upper), not balls");
    const auto lo = r.numbers("lower"), up = r.numbers("upper");
    if (lo.size() != 2 || up.size() != 2) r.fail("lower", "needs 2 entries");
    s.region_names.push_back(name);
    s.boxes.emplace_back(Eigen::Map<const Vec>(lo.data(), 2), Eigen::Map<const Vec>(up.data(), 2));
  }
  if (s.boxes.size() != 2 || t.table("attractors").present())
    t.fail("regions", fmt::format("has {} regions; episodes need exactly two, one per branch of the fast variable", s.boxes.size()));
  return s;
}

EpisodePoint compare_point(const SimulationFile& sim, std::size_t i, const EpisodeCompareOptions& o) {
  const io::Reader& file = sim.reader();
  PointSetup s = read_setup(sim.point_config(i));
  EpisodePoint p;
  p.group = sim.points()[i].group;
  p.value = sim.points()[i].value;
  p.step = s.step;
  p.timescale = s.timescale;
  p.noise_variance = s.model.noise->covariance(Vec::Zero(2))(s.fast, s.fast);
  // The upper branch is the box lying higher in the fast variable.
  const int up = s.boxes[1].first(s.fast) > s.boxes[0].first(s.fast) ? 1 : 0, lo = 1 - up;
  p.upper = s.boxes[up].first(s.fast);
  p.lower = s.boxes[lo].second(s.fast);
  const std::string where = sim.where(i);
  if (!(p.lower < p.upper))
    throw config_error(fmt::format("{}: simulate.regions: the branch regions overlap in {} ({} >= {})", where,
                                   "the fast variable", p.lower, p.upper));
  const std::string tr = sim.dataset(i, "transitions/");
  if (!file.exists(tr + "member")) throw data_error(where + ": no transitions recorded");
  const auto member = integers(file.read(tr + "member")), from = integers(file.read(tr + "from")),
             to = integers(file.read(tr + "to")), start = integers(file.read(tr + "start_step")),
             end = integers(file.read(tr + "end_step"));
  // simulate numbers regions in the order of their names in the config.
  const TransitionColumns cols{member, from, to, start, end};
  p.upper_branch = episode_sample(cols, up, lo, o.drop_first);
  p.lower_branch = episode_sample(cols, lo, up, o.drop_first);
  if (p.upper_branch.steps.empty() || p.lower_branch.steps.empty())
    throw data_error(fmt::format("{}: no complete episode on the {} branch (after each member's first); "
                                 "simulate more steps", where, p.upper_branch.steps.empty() ? "upper" : "lower"));
  p.simulated_mean = 0.5 * (p.upper_branch.mean_steps + p.lower_branch.mean_steps);
  p.simulated_se = 0.5 * std::hypot(p.upper_branch.standard_error, p.lower_branch.standard_error);
  // Start the predicted cycle where the simulated upper episodes start.
  const io::Array state = file.read(tr + "start_state");
  double ysum = 0;
  int ycount = 0;
  for (std::size_t i = 0; i < member.size(); ++i)
    if (from[i] == up && to[i] == lo && start[i] >= 0) {
      ysum += state.at({i, static_cast<std::size_t>(s.slow)});
      ++ycount;
    }
  p.y_start = ycount ? ysum / ycount : 0.0;
  const EpisodeProblem problem{s.model.system.get(), s.fast, s.slow, p.timescale, p.step, p.noise_variance,
                               p.lower, p.upper};
  p.deterministic = deterministic_episodes(problem, p.y_start, o.prediction);
  if (p.noise_variance > 0) p.hazard = hazard_episodes(problem, p.y_start, o.prediction);
  return p;
}

}  // namespace

EpisodeComparison compare_episodes(const std::filesystem::path& simulation, const EpisodeCompareOptions& o) {
  o.validate();
  const SimulationFile sim(simulation, "the episode comparison");
  EpisodeComparison c;
  c.simulation = simulation;
  c.sweep_key = sim.sweep_key();
  const std::size_t n = sim.points().size();
  if (o.tolerance.size() != 1 && o.tolerance.size() != n)
    throw config_error(fmt::format("compare.tolerance: has {} values; give one, or one per sweep point ({})",
                                   o.tolerance.size(), n));
  for (std::size_t i = 0; i < n; ++i) c.points.push_back(compare_point(sim, i, o));
  {
    const PointSetup s = read_setup(sim.point_config(0));
    const auto vars = s.model.system->variable_names();
    c.fast_name = vars[static_cast<std::size_t>(s.fast)];
    c.slow_name = vars[static_cast<std::size_t>(s.slow)];
  }
  for (std::size_t i = 0; i < c.points.size(); ++i) {
    const EpisodePoint& p = c.points[i];
    const std::string cond = c.sweep_key.empty() ? fmt::format("a = {:g}, eps = {:g}", p.step, p.timescale)
                                                 : fmt::format("{} = {:g}", c.sweep_key, p.value);
    if (p.noise_variance > 0)
      c.rows.push_back({"mean episode length (adiabatic hazard)", cond, "steps", p.hazard.mean_steps, p.simulated_mean,
                        p.simulated_se, Rule::kRelative, o.tolerance.size() == 1 ? o.tolerance[0] : o.tolerance[i]});
    c.rows.push_back({"mean episode length (relaxation cycle, noise-free bound)", cond, "steps",
                      p.deterministic.mean_steps, p.simulated_mean, p.simulated_se, Rule::kUpperBound, o.bound_se});
  }
  // The paper's claim in one number: a bigger step (more noise) ends
  // memorization earlier in clock time, not only in steps.
  if (c.sweep_key == "simulate.step" && c.points.size() >= 2 && c.points[0].noise_variance > 0) {
    const auto [lo, hi] = std::minmax_element(c.points.begin(), c.points.end(),
                                              [](const EpisodePoint& a, const EpisodePoint& b) { return a.step < b.step; });
    const double m_lo = lo->simulated_mean * lo->step, m_hi = hi->simulated_mean * hi->step;
    const double ratio = m_hi / m_lo;
    const double se = ratio * std::hypot(lo->simulated_se / lo->simulated_mean, hi->simulated_se / hi->simulated_mean);
    c.rows.push_back({"episode length in clock time, largest / smallest step (hazard)",
                      fmt::format("a = {:g} / {:g}", hi->step, lo->step), "1", hi->hazard.mean_time / lo->hazard.mean_time,
                      ratio, se, Rule::kRelative, o.ratio_tolerance});
  }
  return c;
}

void write_episode_comparison(const io::Group& root, const EpisodeComparison& c) {
  const io::Group g = root.group("episodes");
  const std::size_t n = c.points.size();
  std::vector<double> coord;
  for (std::size_t i = 0; i < n; ++i) coord.push_back(c.sweep_key.empty() ? static_cast<double>(i) : c.points[i].value);
  g.add_dimension("point", coord, {"1", c.sweep_key.empty() ? "run" : "swept value of " + c.sweep_key});
  g.set_attribute("simulation", c.simulation.string());
  g.set_attribute("sweep_key", c.sweep_key);
  g.set_attribute("fast_variable", c.fast_name);
  g.set_attribute("slow_variable", c.slow_name);
  g.set_attribute("convention",
                  "lengths in SGD steps; an episode on a branch lasts from the step the fast variable enters its "
                  "region until it enters the other one; each member's first episode per branch is left out");
  auto put = [&](const std::string& name, auto field, const io::VarInfo& info) {
    std::vector<double> v;
    for (const auto& p : c.points) v.push_back(field(p));
    g.write(name, {"point"}, std::span<const double>(v), info);
  };
  put("step", [](const EpisodePoint& p) { return p.step; }, {"1", "SGD step a"});
  put("timescale", [](const EpisodePoint& p) { return p.timescale; }, {"1", "time-scale ratio eps (slow step a eps)"});
  put("noise_variance", [](const EpisodePoint& p) { return p.noise_variance; }, {"1", "variance of the fast variable's noise per step"});
  put("lower_threshold", [](const EpisodePoint& p) { return p.lower; }, {"1", "lower branch: fast variable <= this"});
  put("upper_threshold", [](const EpisodePoint& p) { return p.upper; }, {"1", "upper branch: fast variable >= this"});
  put("simulated_mean", [](const EpisodePoint& p) { return p.simulated_mean; }, {"steps", "simulated mean episode length, both branches averaged"});
  put("simulated_se", [](const EpisodePoint& p) { return p.simulated_se; }, {"steps", "standard error of simulated_mean (members as clusters)"});
  put("simulated_upper", [](const EpisodePoint& p) { return p.upper_branch.mean_steps; }, {"steps", "simulated mean episode on the upper branch"});
  put("simulated_lower", [](const EpisodePoint& p) { return p.lower_branch.mean_steps; }, {"steps", "simulated mean episode on the lower branch"});
  put("episode_count", [](const EpisodePoint& p) { return static_cast<double>(p.upper_branch.steps.size() + p.lower_branch.steps.size()); },
      {"1", "episodes kept"});
  put("y_start", [](const EpisodePoint& p) { return p.y_start; }, {"1", "mean slow variable where simulated upper-branch episodes start"});
  put("deterministic", [](const EpisodePoint& p) { return p.deterministic.mean_steps; },
      {"steps", "relaxation cycle of the ODE limit at this eps (no noise)"});
  put("hazard", [](const EpisodePoint& p) { return p.noise_variance > 0 ? p.hazard.mean_steps : kNaN; },
      {"steps", "adiabatic hazard prediction (escape at rate 1 / mean first-passage time along the path)"});
  put("hazard_upper", [](const EpisodePoint& p) { return p.noise_variance > 0 ? p.hazard.upper.mean_time / p.step : kNaN; },
      {"steps", "hazard prediction on the upper branch"});
  put("hazard_lower", [](const EpisodePoint& p) { return p.noise_variance > 0 ? p.hazard.lower.mean_time / p.step : kNaN; },
      {"steps", "hazard prediction on the lower branch"});
  std::vector<double> lengths, index;
  for (std::size_t i = 0; i < n; ++i)
    for (const EpisodeSample* s : {&c.points[i].upper_branch, &c.points[i].lower_branch})
      for (double l : s->steps) {
        lengths.push_back(l);
        index.push_back(static_cast<double>(i));
      }
  const io::Group d = root.group("episode_lengths");
  d.add_index_dimension("episode", lengths.size(), "a simulated episode (upper branch, then lower, per point)");
  d.write("length", {"episode"}, std::span<const double>(lengths), {"steps", "episode length"});
  d.write("point", {"episode"}, std::span<const double>(index), {"1", "index of the sweep point"});
  write_summary(root, c.rows);
}

}  // namespace fw::compare
