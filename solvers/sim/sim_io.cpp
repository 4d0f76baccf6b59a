#include "sim_io.hpp"

#include <cmath>
#include <limits>

#include "fwkit/core/checksum.hpp"
#include "fwkit/core/error.hpp"
#include "fwkit/io/grid_dimensions.hpp"
#include "fwkit/io/reader.hpp"

namespace fw::sim {
namespace {

using I64 = std::int64_t;

std::string join(const std::vector<std::string>& v, const char* sep) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : sep) + x;
  return s;
}

void write_summary(const io::Group& parent, const Options& o, const Summary& s,
                   const std::vector<std::string>& vars) {
  const io::Group g = parent.group("summary");
  g.set_attribute("scheme", to_string(o.scheme));
  g.set_attribute("gradient", to_string(o.gradient));
  g.set_attribute("step", o.step.eta);
  g.set_attribute("schedule_gamma", o.step.gamma);
  g.set_attribute("schedule_n0", o.step.n0);
  g.set_attribute("eps", o.eps);
  g.set_attribute("temperature", o.temperature);
  g.set_attribute("timescale", o.timescale);
  g.set_attribute("members", s.members);
  g.set_attribute("blown_members", s.blown);
  g.set_attribute("steps", o.steps);
  g.set_attribute("burn_in", o.burn_in);
  g.set_attribute("stride", o.stride);
  g.set_attribute("batches", static_cast<I64>(o.batches));
  g.set_attribute("samples", s.samples);
  g.set_attribute("seed", std::to_string(o.seed));
  g.set_attribute("noise_scale", noise_scale(o));
  g.add_index_dimension("component", vars.size(), "state coordinate (" + join(vars, ", ") + ")");
  write_estimates(g, "mean", "mean_se", {"component"}, s.mean, {"1", "mean over members and recorded steps"},
                  "standard error of mean (units: the error_units attribute)");
  g.set_attribute("error_units", s.error_units);
  write_estimates(g, "variance", "variance_se", {"component"}, s.variance,
                  {"1", "variance over members and recorded steps"}, "standard error of variance");
}

void write_occupation(const io::Group& parent, const Options& o, const Summary& s) {
  const io::Group g = parent.group("occupation");
  const std::size_t R = s.region_names.size();
  g.add_index_dimension("region", R, "region (" + join(s.region_names, ", ") + ")");
  g.set_attribute("region_names", join(s.region_names, " "));
  write_estimates(g, "fraction", "standard_error", {"region"}, s.occupation,
                  {"1", "fraction of recorded time in the region (first match)"}, "standard error of fraction");
  g.add_index_dimension("region_b", R, "region (as region)");
  g.write("covariance", {"region", "region_b"}, std::span<const double>(s.occupation_covariance),
          {"1", "covariance of the fraction estimates (from the same units as the errors)"});
  g.set_attribute("error_units", s.error_units);
}

void write_transitions(const io::Group& parent, const Options& o, const EnsembleState& st, const Summary& s,
                       const std::vector<std::string>& vars) {
  const io::Group g = parent.group("transitions");
  const std::size_t R = o.regions.size(), n = st.transitions.size(), d = vars.size();
  g.add_index_dimension("transition", n, "passage from one region into another, by member then time");
  g.add_index_dimension("component", d, "state coordinate (" + join(vars, ", ") + ")");
  g.add_index_dimension("region_from", R, "region left");
  g.add_index_dimension("region_to", R, "region reached");
  std::vector<I64> member, from, to, start, end;
  std::vector<double> t0, t1, x0, x1;
  for (const auto& t : st.transitions) {
    member.push_back(t.member);
    from.push_back(t.from);
    to.push_back(t.to);
    start.push_back(t.start_step);
    end.push_back(t.end_step);
    t0.push_back(t.start_step < 0 ? std::numeric_limits<double>::quiet_NaN()
                                  : o.step.clock(static_cast<std::uint64_t>(t.start_step)));
    t1.push_back(o.step.clock(static_cast<std::uint64_t>(t.end_step)));
    x0.insert(x0.end(), t.start_state.begin(), t.start_state.end());
    x1.insert(x1.end(), t.end_state.begin(), t.end_state.end());
  }
  std::vector<I64> flags;
  for (std::size_t r = 0; r < R; ++r) flags.push_back(static_cast<I64>(r));
  std::vector<std::string> names(s.region_names.begin(), s.region_names.end() - 1);
  const std::string meanings = join(names, " ");
  g.write("member", {"transition"}, std::span<const I64>(member), {"1", "ensemble member"});
  g.write("from", {"transition"}, std::span<const I64>(from), {"1", "region left", flags, meanings});
  g.write("to", {"transition"}, std::span<const I64>(to), {"1", "region reached", flags, meanings});
  g.write("start_step", {"transition"}, std::span<const I64>(start),
          {"1", "step the member entered the region left (negative: already inside when recording began)"});
  g.write("end_step", {"transition"}, std::span<const I64>(end), {"1", "step the member reached the new region"});
  g.write("start_time", {"transition"}, std::span<const double>(t0), {"1", "clock time sum of steps at start_step"});
  g.write("end_time", {"transition"}, std::span<const double>(t1), {"1", "clock time sum of steps at end_step"});
  g.write("start_state", {"transition", "component"}, std::span<const double>(x0), {"1", "state on entering the region left"});
  g.write("end_state", {"transition", "component"}, std::span<const double>(x1), {"1", "state on reaching the new region"});
  g.write("count", {"region_from", "region_to"}, std::span<const I64>(s.transition_count), {"1", "number of transitions"});
  write_estimates(g, "mean_dwell_steps", "mean_dwell_steps_se", {"region_from", "region_to"}, s.mean_dwell_steps,
                  {"1", "mean steps spent in `from` before reaching `to`"}, "standard error of mean_dwell_steps");
  write_estimates(g, "mean_exit_steps", "mean_exit_steps_se", {"region_from"}, s.mean_exit_steps,
                  {"1", "mean steps in the region before reaching another, over exits after an entry (exit_count)"},
                  "standard error of mean_exit_steps");
  write_estimates(g, "mean_first_passage_steps", "mean_first_passage_steps_se", {"region_from"}, s.mean_first_passage_steps,
                  {"1", "without burn-in: mean steps from the start to the first exit of members that began inside"},
                  "standard error of mean_first_passage_steps");
  g.write("exit_count", {"region_from"}, std::span<const I64>(s.exit_count), {"1", "exits after an entry (averaged in mean_exit_steps)"});
  g.write("first_passage_count", {"region_from"}, std::span<const I64>(s.first_passage_count),
          {"1", "first exits of members that began inside (no burn-in; in mean_first_passage_steps)"});
  g.write("left_censored_count", {"region_from"}, std::span<const I64>(s.left_censored_count),
          {"1", "exits whose entry preceded recording (burn-in): in neither mean"});
  g.write("right_censored_count", {"region_from"}, std::span<const I64>(s.right_censored_count),
          {"1", "members inside the region at the end: sojourns cut off by the end of the run"});
}

void write_histogram(const io::Group& parent, const Options& o, const EnsembleState& st,
                     const std::vector<std::string>& vars) {
  const grid::Grid& grid = *o.histogram;
  const io::Group g = parent.group("histogram");
  const std::vector<std::string> dims = io::add_grid_dimensions(g, grid, vars);
  const std::size_t cells = grid.size(), groups = static_cast<std::size_t>(o.histogram_groups);
  std::vector<I64> count(cells, 0);
  for (std::size_t k = 0; k < groups; ++k)
    for (std::size_t i = 0; i < cells; ++i) count[i] += st.histogram[k * cells + i];
  double total = static_cast<double>(st.histogram_outside);
  for (I64 c : count) total += static_cast<double>(c);
  std::vector<double> density(cells), potential(cells);
  double peak = 0;
  for (std::size_t i = 0; i < density.size(); ++i) {
    density[i] = total > 0 ? static_cast<double>(count[i]) / (total * grid.cell_volume(static_cast<I64>(i))) : 0;
    peak = std::max(peak, density[i]);
  }
  const double scale = noise_scale(o);
  for (std::size_t i = 0; i < density.size(); ++i)
    potential[i] = density[i] > 0 ? -scale * std::log(density[i] / peak) : std::numeric_limits<double>::infinity();
  g.set_attribute("outside", st.histogram_outside);
  g.set_attribute("noise_scale", scale);
  g.write("count", dims, std::span<const I64>(count), {"1", "recorded samples in the dual cell of each node"});
  if (groups > 1) {
    g.add_index_dimension("group", groups, "member group (member index modulo the number of groups)");
    std::vector<std::string> gdims{"group"};
    gdims.insert(gdims.end(), dims.begin(), dims.end());
    g.write("group_count", gdims, std::span<const I64>(st.histogram),
            {"1", "count of each group of members: independent replicates for error bars"});
  }
  g.write("density", dims, std::span<const double>(density), {"1", "empirical density (all recorded samples, inside or not)"});
  g.write("potential", dims, std::span<const double>(potential),
          {"1", "-noise_scale log(density / max density): the simulated quasi-potential"});
}

void write_trajectory(const io::Group& parent, const Options& o, const EnsembleState& st,
                      const std::vector<std::string>& vars) {
  const io::Group g = parent.group("trajectory");
  const I64 samples = EnsembleState::trajectory_samples(o);
  std::vector<double> t;
  for (I64 i = 0; i < samples; ++i) t.push_back(o.step.clock(static_cast<std::uint64_t>(i * o.trajectory_stride)));
  g.add_index_dimension("member", static_cast<std::size_t>(o.trajectory_members), "ensemble member");
  g.add_dimension("time", t, {"1", "clock time (sum of steps)"});
  g.add_index_dimension("component", vars.size(), "state coordinate (" + join(vars, ", ") + ")");
  g.set_attribute("stride", o.trajectory_stride);
  g.write("state", {"member", "time", "component"}, std::span<const double>(st.trajectory),
          {"1", "decimated paths (NaN after a member was flagged)"});
}

}  // namespace

void write_estimates(const io::Group& g, const std::string& name, const std::string& se_name,
                     const std::vector<std::string>& dims, const std::vector<Estimate>& estimates,
                     const io::VarInfo& info, const std::string& se_long_name) {
  std::vector<double> value, se;
  for (const auto& e : estimates) {
    value.push_back(e.value);
    se.push_back(e.standard_error);
  }
  g.write(name, dims, std::span<const double>(value), info);
  g.write(se_name, dims, std::span<const double>(se), {info.units, se_long_name});
}

double noise_scale(const Options& o) {
  switch (o.scheme) {
    case Scheme::kSgd: return o.step.eta;
    case Scheme::kLangevin: return o.eps;
    case Scheme::kUla: return o.temperature;
  }
  return 1;
}

void write_ensemble(const io::Group& parent, const Options& o, const EnsembleState& st, const Summary& s,
                    const std::vector<std::string>& vars) {
  write_summary(parent, o, s, vars);
  if (!o.regions.empty()) {
    write_occupation(parent, o, s);
    write_transitions(parent, o, st, s, vars);
  }
  if (o.histogram) write_histogram(parent, o, st, vars);
  if (o.trajectory_members > 0) write_trajectory(parent, o, st, vars);
  const io::Group g = parent.group("members");
  g.add_index_dimension("member", static_cast<std::size_t>(st.members), "ensemble member");
  g.write("blown_step", {"member"}, std::span<const I64>(st.blown),
          {"1", "step at which the member left the bound or became non-finite (-1: never)"});
  std::vector<double> final_state(st.x);
  g.add_index_dimension("component", vars.size(), "state coordinate (" + join(vars, ", ") + ")");
  g.write("final_state", {"member", "component"}, std::span<const double>(final_state), {"1", "state after the last step"});
}

// --- checkpoints -------------------------------------------------------------

namespace {

/// Each array goes into the checkpoint's checksum with its name, as written
/// and as read back, so that an edited or damaged checkpoint is not resumed.
template <class T>
void put(const io::Group& g, const std::string& name, const std::vector<T>& v, Checksum& sum) {
  g.write_plain(name, std::span<const T>(v));
  sum.add(name).add(v.data(), v.size() * sizeof(T));
}

template <class T>
void get(const io::Reader& r, const std::string& name, std::vector<T>& v, std::size_t expected, Checksum& sum) {
  const io::Array a = r.read("/" + name);
  if (a.size() != expected)
    throw Error(ExitCode::kData, "checkpoint: " + name + " has " + std::to_string(a.size()) + " values, expected " +
                                     std::to_string(expected) + " (written by a different configuration)");
  v.resize(a.size());
  for (std::size_t i = 0; i < a.size(); ++i) v[i] = static_cast<T>(a.data[i]);
  sum.add(name).add(v.data(), v.size() * sizeof(T));
}

}  // namespace

void save_checkpoint(const std::filesystem::path& path, const EnsembleState& s, const std::string& fingerprint) {
  io::ResultFile file(path, io::Compression::kNone);  // written often, read once
  const io::Group g = file.root();
  g.set_attribute("fingerprint", fingerprint);
  g.set_attribute("step", s.step);
  g.set_attribute("histogram_outside", s.histogram_outside);
  Checksum sum;
  sum.add(&s.step, sizeof s.step).add(&s.histogram_outside, sizeof s.histogram_outside);
  put(g, "x", s.x, sum);
  put(g, "chain", std::vector<I64>(s.chain.begin(), s.chain.end()), sum);
  put(g, "blown", s.blown, sum);
  put(g, "occupation", s.occupation, sum);
  put(g, "moment_count", s.moment_count, sum);
  put(g, "moment_mean", s.moment_mean, sum);
  put(g, "moment_m2", s.moment_m2, sum);
  put(g, "region", s.region, sum);
  put(g, "region_step", s.region_step, sum);
  put(g, "region_state", s.region_state, sum);
  put(g, "histogram", s.histogram, sum);
  put(g, "trajectory", s.trajectory, sum);
  std::vector<I64> ti;
  std::vector<double> tx;
  for (const auto& t : s.transitions) {
    ti.insert(ti.end(), {t.member, t.from, t.to, t.start_step, t.end_step});
    tx.insert(tx.end(), t.start_state.begin(), t.start_state.end());
    tx.insert(tx.end(), t.end_state.begin(), t.end_state.end());
  }
  put(g, "transition_index", ti, sum);
  put(g, "transition_state", tx, sum);
  g.set_attribute("checksum", sum.hex());
  file.commit();
}

EnsembleState load_checkpoint(const std::filesystem::path& path, const Options& o, int dim,
                              const std::string& fingerprint) {
  const io::Reader r(path);
  if (r.string_attribute("/", "fingerprint") != fingerprint)
    throw Error(ExitCode::kData, "checkpoint " + path.string() +
                                     ": written for a different configuration; remove it or restore that configuration");
  EnsembleState s = EnsembleState::start(o, Vec::Zero(dim));
  s.step = static_cast<I64>(r.number_attribute("/", "step"));
  s.histogram_outside = static_cast<I64>(r.number_attribute("/", "histogram_outside"));
  Checksum sum;
  sum.add(&s.step, sizeof s.step).add(&s.histogram_outside, sizeof s.histogram_outside);
  get(r, "x", s.x, s.x.size(), sum);
  std::vector<I64> chain;
  get(r, "chain", chain, s.chain.size(), sum);
  s.chain.assign(chain.begin(), chain.end());
  get(r, "blown", s.blown, s.blown.size(), sum);
  get(r, "occupation", s.occupation, s.occupation.size(), sum);
  get(r, "moment_count", s.moment_count, s.moment_count.size(), sum);
  get(r, "moment_mean", s.moment_mean, s.moment_mean.size(), sum);
  get(r, "moment_m2", s.moment_m2, s.moment_m2.size(), sum);
  get(r, "region", s.region, s.region.size(), sum);
  get(r, "region_step", s.region_step, s.region_step.size(), sum);
  get(r, "region_state", s.region_state, s.region_state.size(), sum);
  get(r, "histogram", s.histogram, s.histogram.size(), sum);
  get(r, "trajectory", s.trajectory, s.trajectory.size(), sum);
  std::vector<I64> ti;
  std::vector<double> tx;
  get(r, "transition_index", ti, r.read("/transition_index").size(), sum);
  get(r, "transition_state", tx, r.read("/transition_state").size(), sum);
  std::string recorded;
  try {
    recorded = r.string_attribute("/", "checksum");
  } catch (const Error&) {  // a checkpoint written before checksums were
  }
  if (recorded != sum.hex())
    throw Error(ExitCode::kData, "checkpoint " + path.string() +
                                     ": its contents do not match the checksum written with it (edited or damaged); "
                                     "remove the checkpoint folder to start the run again");
  const std::size_t n = ti.size() / 5;
  if (ti.size() != 5 * n || tx.size() != 2 * static_cast<std::size_t>(dim) * n)
    throw Error(ExitCode::kData, "checkpoint: malformed transitions");
  for (std::size_t i = 0; i < n; ++i) {
    Transition t{ti[5 * i], ti[5 * i + 1], ti[5 * i + 2], ti[5 * i + 3], ti[5 * i + 4], {}, {}};
    const double* p = tx.data() + 2 * dim * i;
    t.start_state.assign(p, p + dim);
    t.end_state.assign(p + dim, p + 2 * dim);
    s.transitions.push_back(std::move(t));
  }
  return s;
}

}  // namespace fw::sim
