#include "ode_io.hpp"

namespace fw::ode {
namespace {

std::string join(const std::vector<std::string>& v, const char* sep) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : sep) + x;
  return s;
}

}  // namespace

void write_trajectory(const io::Group& parent, const Result& r, const std::vector<std::string>& vars,
                      const std::vector<std::string>& event_names) {
  const io::Group g = parent.group("trajectory");
  const std::size_t d = vars.size(), n = r.t.size();
  g.add_dimension("time", r.t, {"time", "time"});
  g.add_index_dimension("component", d, "state coordinate (" + join(vars, ", ") + ")");
  std::vector<double> state(n * d);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t k = 0; k < d; ++k) state[i * d + k] = r.x(static_cast<Eigen::Index>(k), static_cast<Eigen::Index>(i));
  g.write("state", {"time", "component"}, std::span<const double>(state), {"1", "state of the ODE limit"});
  g.set_attribute("method", to_string(r.method));
  g.set_attribute("method_reason", r.method_reason);
  g.set_attribute("status", r.message);
  g.set_attribute("steps", static_cast<std::int64_t>(r.steps));
  g.set_attribute("rhs_evaluations", static_cast<std::int64_t>(r.rhs_evals));
  g.set_attribute("jacobian_evaluations", static_cast<std::int64_t>(r.jacobian_evals));

  const io::Group e = parent.group("events");
  const std::size_t m = r.events.size();
  e.add_index_dimension("event", m, "event occurrence, in time order");
  e.add_index_dimension("component", d, "state coordinate (" + join(vars, ", ") + ")");
  std::vector<double> t, x;
  std::vector<std::int64_t> which, dir, flags;
  for (const auto& h : r.events) {
    t.push_back(h.t);
    for (std::size_t k = 0; k < d; ++k) x.push_back(h.x[static_cast<Eigen::Index>(k)]);
    which.push_back(h.event);
    dir.push_back(h.direction);
  }
  for (std::size_t k = 0; k < event_names.size(); ++k) flags.push_back(static_cast<std::int64_t>(k));
  e.write("time", {"event"}, std::span<const double>(t), {"time", "time of the event"});
  e.write("state", {"event", "component"}, std::span<const double>(x), {"1", "state at the event"});
  e.write("which", {"event"}, std::span<const std::int64_t>(which),
          {"1", "which event", flags, join(event_names, " ")});
  e.write("direction", {"event"}, std::span<const std::int64_t>(dir), {"1", "+1 upward, -1 downward crossing"});
}

void write_slow_fast(const io::Group& parent, const SlowFastResult& r) {
  const io::Group g = parent.group("slow_fast");
  g.add_dimension("fast", r.x, {"1", "fast variable along the critical manifold"});
  g.write("critical_slow", {"fast"}, std::span<const double>(r.y), {"1", "slow variable on the critical manifold, y = Y(x)"});
  std::vector<std::int64_t> attracting(r.attracting.begin(), r.attracting.end());
  g.write("attracting", {"fast"}, std::span<const std::int64_t>(attracting),
          {"1", "attracting part of the critical manifold", {0, 1}, "repelling attracting"});
  std::vector<double> fx, fy, land;
  for (const auto& f : r.folds) {
    fx.push_back(f.x);
    fy.push_back(f.y);
    land.push_back(f.has_landing ? f.x_landing : std::nan(""));
  }
  g.add_index_dimension("fold", r.folds.size(), "fold point");
  g.write("fold_fast", {"fold"}, std::span<const double>(fx), {"1", "fast variable at the fold"});
  g.write("fold_slow", {"fold"}, std::span<const double>(fy), {"1", "slow variable at the fold"});
  g.write("jump_landing", {"fold"}, std::span<const double>(land), {"1", "fast variable where the jump from the fold lands (NaN: outside the range)"});
  std::vector<double> a, b, t;
  for (const auto& s : r.cycle) a.push_back(s.x_start), b.push_back(s.x_end), t.push_back(s.time);
  g.add_index_dimension("segment", r.cycle.size(), "slow segment of the relaxation cycle");
  g.write("segment_start", {"segment"}, std::span<const double>(a), {"1", "fast variable at the landing point"});
  g.write("segment_end", {"segment"}, std::span<const double>(b), {"1", "fast variable at the fold reached"});
  g.write("segment_time", {"segment"}, std::span<const double>(t), {"time", "slow time of the segment"});
  g.set_attribute("has_cycle", static_cast<std::int64_t>(r.has_cycle));
  g.set_attribute("period", r.period);
  g.set_attribute("message", r.message);
}

void write_tracking(const io::Group& parent, const TrackingResult& r) {
  const io::Group g = parent.group("tracking");
  std::vector<double> eta, mean, se;
  std::vector<std::int64_t> steps;
  for (const auto& p : r.points) eta.push_back(p.eta), mean.push_back(p.mean_distance), se.push_back(p.standard_error), steps.push_back(p.steps);
  g.add_dimension("step_size", eta, {"1", "constant step size eta"});
  g.write("mean_distance", {"step_size"}, std::span<const double>(mean),
          {"1", "mean over members of sup |x_n - phi(n eta)| over the horizon"});
  g.write("standard_error", {"step_size"}, std::span<const double>(se), {"1", "standard error of mean_distance"});
  g.write("steps", {"step_size"}, std::span<const std::int64_t>(steps), {"1", "steps per sample path"});
  g.set_attribute("slope", r.slope);
}

}  // namespace fw::ode
