#include "train_io.hpp"

#include "gap_io.hpp"

#include <string>

namespace fw::train {
namespace {

using I64 = std::int64_t;

void write_summary(const io::Group& parent, const Options& o, const Result& r) {
  const io::Group g = parent.group("summary");
  const Summary& s = r.summary;
  g.set_attribute("denoiser", "network");
  g.set_attribute("optimizer", to_string(o.optimizer));
  g.set_attribute("gradient", to_string(o.gradient));
  g.set_attribute("step", o.step.eta);
  g.set_attribute("two_over_step", 2 / o.step.eta);
  g.set_attribute("schedule_gamma", o.step.gamma);
  g.set_attribute("schedule_n0", o.step.n0);
  g.set_attribute("steps", o.steps);
  g.set_attribute("budget", o.step.clock(static_cast<std::uint64_t>(o.steps)));
  g.set_attribute("batch", static_cast<I64>(o.batch));
  g.set_attribute("self_consuming", o.self_consuming);
  g.set_attribute("width", static_cast<I64>(o.width));
  g.set_attribute("random_features", static_cast<I64>(o.random_features));
  g.set_attribute("parameters", static_cast<I64>(r.parameters));
  g.set_attribute("sampler", to_string(o.sampler));
  g.set_attribute("radius", o.radius);
  g.set_attribute("window", o.window);
  g.set_attribute("members", s.members);
  g.set_attribute("diverged_members", s.diverged);
  g.set_attribute("seed", std::to_string(o.seed));
  g.set_attribute("irreducible_loss", r.irreducible);
  auto put = [&](const std::string& name, const Estimate& e) {
    g.set_attribute(name, e.value);
    g.set_attribute(name + "_se", e.standard_error);
  };
  put("memorization", s.memorization);
  put("excess_risk", s.excess_risk);
  put("loss", s.loss);
  put("nearest_distance", s.nearest_distance);
  put("sharpness", s.sharpness);
  put("episode_steps", s.episode_steps);
  g.set_attribute("episodes", s.episodes);
  g.set_attribute("censored_episodes", s.censored);
}

void write_episodes(const io::Group& parent, const Options& o, const Episodes& e) {
  const io::Group g = parent.group("episodes");
  g.add_index_dimension("episode", e.length_steps.size(), "completed memorization episode, by member then sample");
  g.set_attribute("censored", e.censored);
  g.write("member", {"episode"}, std::span<const I64>(e.member), {"1", "training run"});
  g.write("sample", {"episode"}, std::span<const I64>(e.sample), {"1", "generated sample (fixed sampler noise)"});
  g.write("point", {"episode"}, std::span<const I64>(e.point), {"1", "training point it stayed near"});
  g.write("start_step", {"episode"}, std::span<const I64>(e.start_step), {"steps", "first monitor of the episode"});
  g.write("length_steps", {"episode"}, std::span<const I64>(e.length_steps), {"steps", "episode length"});
  std::vector<double> clock;
  for (std::size_t i = 0; i < e.length_steps.size(); ++i)
    clock.push_back(o.step.clock(static_cast<std::uint64_t>(e.start_step[i] + e.length_steps[i])) -
                    o.step.clock(static_cast<std::uint64_t>(e.start_step[i])));
  g.write("length_time", {"episode"}, std::span<const double>(clock), {"1", "episode length in clock time sum h_n"});
}

/// A (member, monitor[, extra]) series gathered from the member records.
template <class Get>
std::vector<double> gather(const Result& r, Get get) {
  std::vector<double> out;
  for (const auto& m : r.members) {
    const std::vector<double>& v = get(m);
    out.insert(out.end(), v.begin(), v.end());
  }
  return out;
}

}  // namespace

void write_training(const io::Group& g, const Options& o, const Mat& data, const Result& r) {
  const std::size_t members = r.members.size();
  const auto d = static_cast<std::size_t>(data.rows()), n = static_cast<std::size_t>(data.cols());
  g.add_index_dimension("member", members, "training run (seed stream)");
  std::vector<double> steps(r.monitor_steps.begin(), r.monitor_steps.end()), clock;
  for (auto s : r.monitor_steps) clock.push_back(o.step.clock(static_cast<std::uint64_t>(s)));
  g.add_dimension("monitor", steps, {"steps", "training step of the monitor"});
  g.write("clock", {"monitor"}, std::span<const double>(clock), {"1", "clock time sum of steps h_n"});
  g.add_index_dimension("point", n, "training point");
  g.add_index_dimension("component", d, "data coordinate");
  g.add_dimension("level", r.schedule.t, {"1", "noise level: forward OU time t"});
  g.add_index_dimension("sample", static_cast<std::size_t>(o.samples), "generated sample (fixed sampler noise)");
  g.add_index_dimension("parameter", static_cast<std::size_t>(r.parameters), "network parameter (flat theta)");
  g.write("alpha", {"level"}, std::span<const double>(r.schedule.alpha), {"1", "signal scale exp(-t)"});
  g.write("sigma", {"level"}, std::span<const double>(r.schedule.sigma), {"1", "noise scale sqrt(1 - exp(-2t))"});
  const Mat data_rows = data.transpose();  // point-major
  std::vector<double> flat(data_rows.size());
  Eigen::Map<Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(flat.data(), data_rows.rows(), data_rows.cols()) = data_rows;
  g.write("data", {"point", "component"}, std::span<const double>(flat), {"1", "training set"});
  const std::vector<std::string> mm{"member", "monitor"};
  g.write("loss", mm, gather(r, [](const MemberRecord& m) -> const auto& { return m.loss; }),
          {"1", "denoising score matching loss over the design"});
  g.write("excess_risk", mm, gather(r, [](const MemberRecord& m) -> const auto& { return m.excess_risk; }),
          {"1", "(1/2) mean |eps_hat - eps*|^2 over the design, eps* the empirical-optimal noise"});
  g.write("memorization", mm, gather(r, [](const MemberRecord& m) -> const auto& { return m.memorization; }),
          {"1", "fraction of generated samples within radius of a training point"});
  g.write("nearest_distance", mm, gather(r, [](const MemberRecord& m) -> const auto& { return m.nearest_distance; }),
          {"1", "mean distance of a generated sample to its nearest training point"});
  if (o.sharpness)
    g.write("sharpness", mm, gather(r, [](const MemberRecord& m) -> const auto& { return m.sharpness; }),
            {"1", "top Hessian eigenvalue of the design loss (power iteration)"});
  g.write("point_fraction", {"member", "monitor", "point"},
          gather(r, [](const MemberRecord& m) -> const auto& { return m.point_fraction; }),
          {"1", "fraction of generated samples within radius of each training point"});
  std::vector<double> samples, params;
  std::vector<I64> diverged;
  for (const auto& m : r.members) {
    const Mat rows = m.samples.transpose();
    for (Eigen::Index j = 0; j < rows.rows(); ++j)
      for (Eigen::Index c = 0; c < rows.cols(); ++c) samples.push_back(rows(j, c));
    params.insert(params.end(), m.parameters.data(), m.parameters.data() + m.parameters.size());
    diverged.push_back(m.diverged_at);
  }
  g.write("samples", {"member", "sample", "component"}, std::span<const double>(samples),
          {"1", "samples generated at the last monitor before the end (or divergence)"});
  g.write("parameters", {"member", "parameter"}, std::span<const double>(params), {"1", "final parameters theta"});
  g.write("diverged_at", {"member"}, std::span<const I64>(diverged), {"steps", "step at which divergence was flagged, -1 if never"});
  write_summary(g, o, r);
  write_episodes(g, o, r.episodes);
}



void write_training(const io::Group& g, const Options& o, const Split& split, const Result& r) {
  write_training(g, o, split.train, r);
  if (split.validation.cols() == 0) return;
  write_validation(g, split.validation);
  std::vector<std::vector<GapCurve>> curves;
  std::vector<std::vector<InferenceStop>> stops;
  std::vector<GapCurve> last;
  for (const auto& m : r.members) {
    curves.push_back(m.gap);
    stops.push_back(m.inference);
    last.push_back(m.gap.back());
  }
  const std::vector<double> steps(r.monitor_steps.begin(), r.monitor_steps.end());
  write_gap(g, curves, steps, "network");
  write_inference(g, stops, last);
}

}  // namespace fw::train
