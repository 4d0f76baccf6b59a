// solvers/compare/training_compare.cpp — memorization against the step size
// (training_compare.hpp).
#include "training_compare.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "fwkit/core/error.hpp"
#include "fwkit/io/reader.hpp"
#include "least_squares.hpp"

namespace fw::compare {

void TrainingCompareOptions::validate() const {
  if (!(standard_errors >= 0))
    throw config_error(fmt::format("compare.standard_errors = {}: must be >= 0", standard_errors));
}

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

}  // namespace

TrainingComparison compare_training(const std::filesystem::path& training, const std::filesystem::path& episodes,
                                    const TrainingCompareOptions& o) {
  o.validate();
  TrainingComparison c;
  c.training = training;
  c.episodes = episodes;
  const io::Reader r(training);
  if (r.string_attribute("/", "fwkit_kind") != "train")
    throw data_error(fmt::format("{}: is a \"{}\" file; the training comparison reads a train file", training.string(),
                                 r.string_attribute("/", "fwkit_kind")));
  if (!r.exists("/sweep") || r.string_attribute("/sweep", "key") != "train.step")
    throw config_error(training.string() + ": the training comparison needs a sweep over train.step ([train.sweep] key = \"train.step\")");
  std::vector<std::string> points;
  for (const auto& name : r.members("/sweep"))
    if (name.rfind("point_", 0) == 0) points.push_back("/sweep/" + name + "/summary");
  std::sort(points.begin(), points.end());
  if (points.size() < 2) throw config_error(training.string() + ": the sweep over train.step needs at least two values");
  for (const auto& p : points) {
    const double step = r.number_attribute(p, "step");
    c.step.push_back(step);
    c.memorization.push_back(r.number_attribute(p, "memorization"));
    c.memorization_se.push_back(r.number_attribute(p, "memorization_se"));
    c.episode_time.push_back(step * r.number_attribute(p, "episode_steps"));
    c.episode_time_se.push_back(step * r.number_attribute(p, "episode_steps_se"));
  }
  for (std::size_t k = 0; k < c.step.size(); ++k) {
    if (!(c.memorization_se[k] > 0) || !(c.episode_time_se[k] > 0) || !std::isfinite(c.episode_time[k]))
      throw data_error(fmt::format("{}: step {:g}: no standard error (train more members) or no completed episode",
                                   training.string(), c.step[k]));
    const std::string cond = fmt::format("step = {:g}", c.step[k]);
    c.rows.push_back({"memorization fraction", cond, "1", kNaN, c.memorization[k], c.memorization_se[k], Rule::kReport, 0});
    c.rows.push_back({"mean episode length (clock time, steps x step)", cond, "1", kNaN, c.episode_time[k],
                      c.episode_time_se[k], Rule::kReport, 0});
  }
  std::vector<double> logs(c.step.size());
  std::transform(c.step.begin(), c.step.end(), logs.begin(), [](double s) { return std::log(s); });
  const Line m = fit_line(logs, c.memorization, c.memorization_se), e = fit_line(logs, c.episode_time, c.episode_time_se);
  c.memorization_slope = m.slope;
  c.memorization_slope_se = m.slope_se;
  c.episode_slope = e.slope;
  c.episode_slope_se = e.slope_se;
  const std::string all = fmt::format("steps {:g} .. {:g}", *std::min_element(c.step.begin(), c.step.end()),
                                      *std::max_element(c.step.begin(), c.step.end()));
  c.rows.push_back({"slope of memorization against log(step): bigger steps memorize less", all, "1", 0.0,
                    c.memorization_slope, c.memorization_slope_se, Rule::kBelowBy, o.standard_errors});
  c.rows.push_back({"slope of the clock-time episode length against log(step)", all, "1", 0.0, c.episode_slope,
                    c.episode_slope_se, Rule::kBelowBy, o.standard_errors});
  if (!episodes.empty()) {
    const io::Reader e(episodes);
    if (!e.exists("/episodes/step"))
      throw data_error(episodes.string() + ": not an episodes comparison file (fwkit compare, kind = \"episodes\")");
    c.tts_step = e.read("/episodes/step").data;
    const auto sim = e.read("/episodes/simulated_mean").data, se = e.read("/episodes/simulated_se").data,
               hz = e.read("/episodes/hazard").data;
    for (std::size_t k = 0; k < c.tts_step.size(); ++k) {
      c.tts_simulated.push_back(c.tts_step[k] * sim[k]);
      c.tts_simulated_se.push_back(c.tts_step[k] * se[k]);
      c.tts_hazard.push_back(c.tts_step[k] * hz[k]);
    }
    // Shortening over the two sweeps, largest step against smallest.
    auto ratio = [](const std::vector<double>& steps, const std::vector<double>& v) {
      const auto lo = std::min_element(steps.begin(), steps.end()) - steps.begin();
      const auto hi = std::max_element(steps.begin(), steps.end()) - steps.begin();
      return v[static_cast<std::size_t>(hi)] / v[static_cast<std::size_t>(lo)];
    };
    c.rows.push_back({"clock-time episode length, largest / smallest step: diffusion model (observed) beside the "
                      "two-time-scale hazard (predicted)",
                      fmt::format("steps x{:.3g} vs x{:.3g}", *std::max_element(c.step.begin(), c.step.end()) /
                                                                  *std::min_element(c.step.begin(), c.step.end()),
                                  *std::max_element(c.tts_step.begin(), c.tts_step.end()) /
                                      *std::min_element(c.tts_step.begin(), c.tts_step.end())),
                      "1", ratio(c.tts_step, c.tts_hazard), ratio(c.step, c.episode_time), kNaN, Rule::kReport, 0});
  }
  return c;
}

void write_training_comparison(const io::Group& root, const TrainingComparison& c) {
  const io::Group g = root.group("training");
  g.add_dimension("step", c.step, {"1", "SGD step of the diffusion model's training"});
  g.set_attribute("training", c.training.string());
  g.write("memorization", {"step"}, std::span<const double>(c.memorization), {"1", "memorization fraction"});
  g.write("memorization_se", {"step"}, std::span<const double>(c.memorization_se), {"1", "its standard error"});
  g.write("episode_time", {"step"}, std::span<const double>(c.episode_time), {"1", "mean episode length, clock time"});
  g.write("episode_time_se", {"step"}, std::span<const double>(c.episode_time_se), {"1", "its standard error"});
  g.set_attribute("memorization_slope", c.memorization_slope);
  g.set_attribute("memorization_slope_se", c.memorization_slope_se);
  g.set_attribute("episode_slope", c.episode_slope);
  g.set_attribute("episode_slope_se", c.episode_slope_se);
  if (!c.tts_step.empty()) {
    const io::Group t = root.group("two_time_scale");
    t.add_dimension("step", c.tts_step, {"1", "SGD step a of the two-time-scale model"});
    t.set_attribute("episodes", c.episodes.string());
    t.write("simulated", {"step"}, std::span<const double>(c.tts_simulated), {"1", "simulated mean episode, clock time"});
    t.write("simulated_se", {"step"}, std::span<const double>(c.tts_simulated_se), {"1", "its standard error"});
    t.write("hazard", {"step"}, std::span<const double>(c.tts_hazard), {"1", "adiabatic hazard prediction, clock time"});
  }
  write_summary(root, c.rows);
}

}  // namespace fw::compare
