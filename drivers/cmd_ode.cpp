// `fwkit ode`: the ODE limit of a model, with events, slow-fast analysis,
// tracking of constant-step SA paths, and sweeps over any config value.
#include <fmt/format.h>

#include <algorithm>
#include <iostream>
#include <optional>

#include "commands.hpp"
#include "fwkit/config/model_config.hpp"
#include "fwkit/io/provenance.hpp"
#include "fwkit/model/expression.hpp"
#include "ode/ode.hpp"
#include "ode/ode_io.hpp"

namespace fw::driver {
namespace {

struct EventSpec {
  std::string name, expression;
  int direction = 0;
  bool terminal = false;
};

struct SlowFastSpec {
  std::string fast, slow;
  ode::SlowFastOptions options;
};

struct OdeJob {
  double t0 = 0, t1 = 1;
  Vec x0;
  ode::Options options;
  std::vector<std::string> implicit;
  std::vector<EventSpec> events;
  std::optional<SlowFastSpec> slow_fast;
  std::optional<ode::TrackingOptions> tracking;
  Sweep sweep;
};

OdeJob read_job(const config::Table& t) {
  OdeJob j;
  j.t0 = t.number("t0", 0.0);
  j.t1 = t.number("t1");
  const auto x0 = t.numbers("x0");
  j.x0 = Eigen::Map<const Vec>(x0.data(), static_cast<Eigen::Index>(x0.size()));
  ode::Options& o = j.options;
  o.method = ode::parse_method(t.choice("method", "auto", {"auto", "rk4", "dopri5", "bdf", "imex", "radau"}));
  o.rtol = t.number("rtol", o.rtol, config::Range{0.0, 1.0, true, true});
  o.atol = t.number("atol", o.atol, config::positive());
  o.dt = t.number("dt", o.dt, config::positive());
  o.fixed_step = t.boolean("fixed_step", false);
  o.outputs = static_cast<int>(t.integer("outputs", o.outputs, config::at_least(2)));
  o.max_steps = t.integer("max_steps", o.max_steps, config::at_least(1));
  if (t.has("output_times")) o.output_times = t.numbers("output_times");
  if (t.has("implicit")) j.implicit = t.strings("implicit");
  const config::Table ev = t.table("events");
  for (const auto& name : ev.keys()) {
    const config::Table e = ev.table(name);
    j.events.push_back({name, e.string("expression"),
                        static_cast<int>(e.integer("direction", 0, config::between(-1, 1))),
                        e.boolean("terminal", false)});
  }
  if (t.has("slow_fast")) {
    const config::Table s = t.table("slow_fast");
    SlowFastSpec sf;
    sf.fast = s.string("fast");
    sf.slow = s.string("slow");
    sf.options.x_min = s.number("x_min", sf.options.x_min);
    sf.options.x_max = s.number("x_max", sf.options.x_max);
    sf.options.samples = static_cast<int>(s.integer("samples", sf.options.samples, config::at_least(10)));
    sf.options.tolerance = s.number("tolerance", sf.options.tolerance, config::positive());
    j.slow_fast = sf;
  }
  if (t.has("tracking")) {
    const config::Table s = t.table("tracking");
    ode::TrackingOptions tr;
    tr.step_sizes = s.numbers("step_sizes", config::positive());
    tr.horizon = s.number("horizon", tr.horizon, config::positive());
    tr.members = static_cast<int>(s.integer("members", tr.members, config::at_least(2)));
    tr.seed = static_cast<std::uint64_t>(s.integer("seed", 1, config::non_negative()));
    j.tracking = tr;
  }
  j.sweep = read_sweep(t.table("sweep"));
  return j;
}

int index_of(const std::vector<std::string>& names, const std::string& name, const std::string& key) {
  const auto it = std::find(names.begin(), names.end(), name);
  if (it == names.end()) {
    std::string all;
    for (const auto& n : names) all += (all.empty() ? "" : ", ") + n;
    throw config_error(key + " = \"" + name + "\": not a state variable (" + all + ")");
  }
  return static_cast<int>(it - names.begin());
}

/// Mean interval between successive hits of each event over the last half.
std::string event_summary(const ode::Result& r, const std::vector<EventSpec>& specs) {
  std::string s;
  for (std::size_t e = 0; e < specs.size(); ++e) {
    std::vector<double> t;
    for (const auto& h : r.events)
      if (h.event == static_cast<int>(e)) t.push_back(h.t);
    s += fmt::format("  event {}: {} hits", specs[e].name, t.size());
    if (t.size() >= 3) {
      const std::size_t first = t.size() / 2, intervals = t.size() - 1 - first;
      s += fmt::format(", mean interval over the last {}: {:.8g}", intervals,
                       (t.back() - t[first]) / static_cast<double>(intervals));
    }
    s += "\n";
  }
  return s;
}

/// The job's event functions, compiled from their expressions.
std::vector<ode::Event> make_events(const std::vector<std::string>& vars, const model::Parameters& params, const OdeJob& j) {
  std::vector<ode::Event> events;
  for (const auto& e : j.events) {
    auto field = model::make_expression_field({{e.expression}}, vars, params, "ode.events." + e.name + ".expression");
    events.push_back({e.name, [field](double, const double* x) { double v; field->eval(x, &v); return v; },
                      e.direction, e.terminal});
  }
  return events;
}

/// The indices of the implicit variables.
std::vector<int> implicit_indices(const std::vector<std::string>& vars, const OdeJob& j) {
  std::vector<int> stiff;
  for (const auto& v : j.implicit) stiff.push_back(index_of(vars, v, "ode.implicit"));
  return stiff;
}

/// Runs the job on one model and writes its groups under `g`.
void run_point(const model::Model& m, const model::Parameters& params, const OdeJob& j, const io::Group& g) {
  const auto vars = m.system->variable_names();
  const std::vector<int> stiff = implicit_indices(vars, j);
  const ode::Rhs rhs = stiff.empty() ? ode::from_system(*m.system) : ode::split_system(*m.system, stiff);
  const std::vector<ode::Event> events = make_events(vars, params, j);
  std::vector<std::string> names;
  for (const auto& e : j.events) names.push_back(e.name);
  const ode::Result r = ode::integrate(rhs, j.t0, j.t1, j.x0, j.options, events);
  std::cout << r.brief_report() << event_summary(r, j.events);
  ode::write_trajectory(g, r, vars, names);
  if (!r.ok()) throw Error(ExitCode::kData, "ode: " + r.message);
  if (j.slow_fast) {
    ode::SlowFastOptions so = j.slow_fast->options;
    so.fast = index_of(vars, j.slow_fast->fast, "ode.slow_fast.fast");
    so.slow = index_of(vars, j.slow_fast->slow, "ode.slow_fast.slow");
    const auto sf = ode::analyze_slow_fast(*m.system, so);
    std::cout << sf.brief_report();
    ode::write_slow_fast(g, sf);
  }
  if (j.tracking) {
    const auto tr = ode::track_limit(m, j.x0, *j.tracking);
    std::cout << tr.brief_report();
    ode::write_tracking(g, tr);
  }
}


/// Every option of one job checked (for a sweep, at each of its points).
void check_job(const config::Table& root) {
  const model::Model model = config::build_model(root.table("model"));
  const OdeJob job = read_job(root.table("ode"));
  job.options.validate(job.t0, job.t1);
  if (job.x0.size() != model.dim())
    root.table("ode").fail("x0", fmt::format("has {} entries, expected {}", job.x0.size(), model.dim()));
  config::check_defined_at(model, root.table("model"), job.x0, "ode.x0" + root.table("ode").where("x0"));
  const auto vars = model.system->variable_names();
  implicit_indices(vars, job);
  make_events(vars, config::read_parameters(root.table("model")), job);
  if (job.slow_fast) {
    index_of(vars, job.slow_fast->fast, "ode.slow_fast.fast");
    index_of(vars, job.slow_fast->slow, "ode.slow_fast.slow");
  }
  if (job.tracking) job.tracking->validate();
}

}  // namespace

void register_ode(CLI::App& app, std::function<int()>& action, CommonOptions& opts, const std::string& cmdline) {
  auto* sub = app.add_subcommand("ode", "integrate the ODE limit of a model (events, slow-fast analysis, tracking)");
  add_common_options(*sub, opts);
  action = [&opts, cmdline] {
    config::Config cfg = load_config(opts);
    const config::Table root = cfg.root();
    model::Model model = config::build_model(root.table("model"));
    const model::Parameters params = config::read_parameters(root.table("model"));
    const OdeJob job = read_job(root.table("ode"));
    check_sweep_key(cfg, root.table("ode").table("sweep"), job.sweep.key);
    const std::string out = output_path(opts, root, "ode.h5");
    if (finish_config(cfg, opts)) return 0;
    check_job(root);
    check_sweep_points([&] { return load_config(opts); }, job.sweep, check_job);
    const auto file = open_output(opts, out);
    if (!file) return 0;  // --dry-run
    const io::Group root_group = file->root();
    io::write_provenance(root_group, "ode", "fwkit ODE limit",
                         io::Provenance{cmdline, cfg.resolved_toml(),
                                        job.tracking ? std::optional<std::uint64_t>(job.tracking->seed) : std::nullopt});
    run_sweep(cfg, root_group, job.sweep, [&](const std::string&, const io::Group& g) {
      if (job.sweep.key.empty()) return run_point(model, params, job, g);
      model = config::build_model(root.table("model"));  // the swept key may be a model parameter
      run_point(model, config::read_parameters(root.table("model")), job, g);
    });
    file->commit();
    std::cout << "wrote " << out << "\n";
    return 0;
  };
}

}  // namespace fw::driver
