// `fwkit simulate`: ensembles of SGD / SA / Langevin paths, or collapse
// chains, reduced on the fly, with checkpoints, --resume and sweeps.
#include <fmt/format.h>

#include <omp.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <memory>

#include "analyze/equilibria.hpp"
#include "commands.hpp"
#include "fwkit/config/model_config.hpp"
#include "fwkit/io/provenance.hpp"
#include "resources.hpp"
#include "sim/collapse.hpp"
#include "sim/ensemble.hpp"
#include "sim/sim_io.hpp"

namespace fw::driver {
namespace {

namespace fs = std::filesystem;

Vec to_vec(const std::vector<double>& v) { return Eigen::Map<const Vec>(v.data(), static_cast<Eigen::Index>(v.size())); }

bool is_collapse(const std::string& scheme) { return scheme == "gaussian_refit" || scheme == "resample"; }

int coordinate(const std::vector<std::string>& vars, const std::string& name, const config::Table& t) {
  for (std::size_t k = 0; k < vars.size(); ++k)
    if (vars[k] == name) return static_cast<int>(k);
  t.fail("slow", "\"" + name + "\" is not a state variable");
}

/// Regions: user-given balls and boxes, then (optionally) a ball around
/// every attractor that analyze finds in a box.
std::vector<sim::Region> read_regions(const config::Table& t, const model::System& system) {
  std::vector<sim::Region> regions;
  const config::Table user = t.table("regions");
  for (const auto& name : user.keys()) {
    const config::Table r = user.table(name);
    sim::Region region{name, {}, 0, {}, {}};
    const int d = system.dim();
    if (r.has("center")) {
      region.center = to_vec(r.numbers("center"));
      region.radius = r.number("radius", config::positive());
      if (region.center.size() != d) r.fail("center", fmt::format("needs {} coordinates (one per state variable)", d));
    } else if (r.has("lower") || r.has("upper")) {
      region.lower = to_vec(r.numbers("lower"));
      region.upper = to_vec(r.numbers("upper"));
      if (region.lower.size() != d) r.fail("lower", fmt::format("needs {} coordinates (one per state variable)", d));
      if (region.upper.size() != d) r.fail("upper", fmt::format("needs {} coordinates (one per state variable)", d));
      for (int k = 0; k < d; ++k)
        if (!(region.lower[k] < region.upper[k]))
          r.fail("upper", fmt::format("must exceed lower in every coordinate ({} <= {} in coordinate {})",
                                      region.upper[k], region.lower[k], k));
    } else {
      r.fail("center", "is required for a ball (with radius), or lower and upper for a box" + r.near_miss("center") +
                           r.near_miss("radius") + r.near_miss("lower") + r.near_miss("upper"));
    }
    regions.push_back(region);
  }
  const config::Table att = t.table("attractors");
  if (att.present()) {
    analyze::Options ao;
    ao.lower = att.numbers("lower");
    ao.upper = att.numbers("upper");
    const double radius = att.number("radius", config::positive());
    ao.validate(system.dim());
    const analyze::Result found = analyze::find_equilibria(system, ao);
    int i = 0;
    for (const auto& e : found.equilibria)
      if (e.stability == analyze::Stability::kStable) regions.push_back({fmt::format("attractor_{}", i++), e.x, radius, {}, {}});
    if (i == 0) att.fail("lower", "no attractor found in this box");
  }
  return regions;
}

sim::Options read_options(const config::Table& t, const model::System& system, const std::string& scheme) {
  sim::Options o;
  o.scheme = scheme == "sgd" ? sim::Scheme::kSgd : scheme == "langevin" ? sim::Scheme::kLangevin : sim::Scheme::kUla;
  o.step.eta = t.number("step", config::positive());
  const config::Table sched = t.table("schedule");
  o.step.gamma = sched.number("gamma", 0.0, config::between(0, 1));
  o.step.n0 = sched.number("n0", 1.0, config::positive());
  o.eps = t.number("eps", o.eps, config::positive());
  o.temperature = t.number("temperature", o.temperature, config::positive());
  const std::string g = t.choice("gradient", "exact", {"exact", "kiefer_wolfowitz", "spsa", "spsa_single", "one_point"});
  o.gradient = g == "exact" ? sim::Gradient::kExact
               : g == "kiefer_wolfowitz" ? sim::Gradient::kKieferWolfowitz
               : g == "spsa" ? sim::Gradient::kSpsa
               : g == "spsa_single" ? sim::Gradient::kSpsaSingle : sim::Gradient::kOnePoint;
  o.delta = t.number("delta", o.delta, config::positive());
  if (t.has("slow")) {
    const auto vars = system.variable_names();
    for (const auto& name : t.strings("slow")) o.slow.push_back(coordinate(vars, name, t));
  }
  o.timescale = t.number("timescale", o.timescale, config::Range{0.0, 1.0, true, false});
  o.members = t.integer("members", o.members, config::at_least(1));
  o.steps = t.integer("steps", config::at_least(1));
  o.burn_in = t.integer("burn_in", o.burn_in, config::non_negative());
  o.stride = t.integer("stride", o.stride, config::at_least(1));
  o.seed = static_cast<std::uint64_t>(t.integer("seed", 1, config::non_negative()));
  o.threads = static_cast<int>(t.integer("threads", 0, config::between(0, 1024)));  // 0: all cores; a cap, since OpenMP aborts on absurd counts
  o.block = static_cast<int>(t.integer("block", o.block, config::between(1, 4096)));
  o.bound = t.number("bound", o.bound, config::positive());
  o.batches = static_cast<int>(t.integer("batches", o.batches, config::at_least(1)));
  o.segment = t.table("checkpoint").integer("every", std::max<std::int64_t>(1, (o.steps + 19) / 20), config::at_least(1));
  o.regions = read_regions(t, system);
  const config::Table h = t.table("histogram");
  if (h.present()) {
    grid::Grid grid{h.numbers("lower"), h.numbers("upper"), {}};
    grid.nodes = h.integers("nodes", config::at_least(2));
    o.histogram = grid;
    o.histogram_groups = static_cast<int>(h.integer("groups", 1, config::at_least(1)));
  }
  const config::Table tr = t.table("trajectory");
  o.trajectory_members = tr.integer("members", 0, config::non_negative());
  o.trajectory_stride = tr.integer("stride", o.trajectory_stride, config::at_least(1));
  return o;
}

sim::CollapseOptions read_collapse(const config::Table& t, const std::string& scheme) {
  sim::CollapseOptions o;
  o.kind = scheme == "gaussian_refit" ? sim::CollapseKind::kGaussianRefit : sim::CollapseKind::kResample;
  o.members = t.integer("members", o.members, config::at_least(1));
  o.seed = static_cast<std::uint64_t>(t.integer("seed", 1, config::non_negative()));
  o.threads = static_cast<int>(t.integer("threads", 0, config::between(0, 1024)));  // 0: all cores; a cap, since OpenMP aborts on absurd counts
  const config::Table c = t.table("collapse");
  o.samples = static_cast<int>(c.integer("samples", o.samples, config::at_least(2)));
  o.generations = static_cast<int>(c.integer("generations", o.generations, config::at_least(1)));
  o.alpha = c.number("alpha", 0.0, config::between(0, 1));
  o.exact_fresh = c.choice("fresh_count", "binomial", {"binomial", "exact"}) == "exact";
  o.collapse_variance = c.number("collapse_variance", o.collapse_variance, config::between(1e-300, 1));
  o.mean = to_vec(c.numbers("mean", std::vector<double>{0.0}));
  const auto rows = c.has("covariance") ? c.number_matrix("covariance") : std::vector<std::vector<double>>{};
  o.covariance = Mat::Identity(o.mean.size(), o.mean.size());
  if (!rows.empty()) {
    o.covariance.resize(static_cast<Eigen::Index>(rows.size()), static_cast<Eigen::Index>(rows[0].size()));
    for (std::size_t i = 0; i < rows.size(); ++i)
      for (std::size_t j = 0; j < rows[i].size(); ++j) o.covariance(i, j) = rows[i][j];
  }
  return o;
}

/// How the processes of an MPI run share the work: every process steps its
/// share of the members of every point, or each process runs whole sweep
/// points on its own (checkpointing them) and the root then writes them all.
enum class Split { kMembers, kPoints };

struct RunContext {
  const CommonOptions& opts;
  bool resume;
  fs::path checkpoint_dir;
  std::string config_text;
  par::Comm comm;
  Split split = Split::kMembers;
  bool collecting = false;  // the root writing points other processes ran
};

/// Points split when each process gets at least one point and the points
/// divide evenly (or there are many of them); members otherwise.
Split choose_split(const std::string& asked, const par::Comm& comm, std::size_t points, bool collapse) {
  if (!comm.parallel() || collapse || points == 0) return Split::kMembers;
  if (asked == "members") return Split::kMembers;
  const auto size = static_cast<std::size_t>(comm.size());
  if (asked == "points") return Split::kPoints;
  return points >= size && (points % size == 0 || points >= 4 * size) ? Split::kPoints : Split::kMembers;
}

/// One ensemble run (one sweep point): resumes from its checkpoint if asked,
/// checkpoints every segment, writes its groups under `g` (null: only run
/// and checkpoint it, for the root to write later).
void run_ensemble(const RunContext& ctx, const config::Table& root, const std::string& point, const io::Group* g) {
  const config::Table t = root.table("simulate");
  const model::Model model = config::build_model(root.table("model"));
  const std::string scheme = t.string("scheme", "sgd");
  sim::Options o = read_options(t, *model.system, scheme);
  const Vec x0 = to_vec(t.numbers("x0"));
  if (x0.size() != model.dim()) t.fail("x0", fmt::format("has {} entries, expected {}", x0.size(), model.dim()));
  o.validate(model.dim());
  const fs::path ckpt = ctx.checkpoint_dir / (point + ".h5");
  // The streams' version: a checkpoint of an engine that drew its noise
  // otherwise (before the lane-parallel block samplers) is not resumed.
  const std::string print = fingerprint(ctx.config_text + "\n#point " + point + "\n#streams 2");
  sim::EnsembleState state = ctx.resume && fs::exists(ckpt) ? sim::load_checkpoint(ckpt, o, model.dim(), print)
                                                            : sim::EnsembleState::start(o, x0);
  if (state.step > 0 && !ctx.collecting)
    std::cout << fmt::format("resuming {} at step {} of {}\n", point, state.step, o.steps);
  // Members split: every process steps its share and the root checkpoints
  // the joined state. Points split: this process runs the point alone.
  const bool alone = ctx.split == Split::kPoints;
  const bool speaks = alone || ctx.comm.is_root();
  std::unique_ptr<Progress> progress;
  if (!ctx.opts.quiet && speaks && state.step < o.steps)
    progress = std::make_unique<Progress>(fmt::format("simulate {}{}", point, alone && ctx.comm.parallel()
                                                                                  ? fmt::format(" (rank {})", ctx.comm.rank())
                                                                                  : ""),
                                          static_cast<std::uint64_t>(o.steps));
  sim::advance(
      model, o, state, o.steps, progress.get(),
      [&](const sim::EnsembleState& s) {
        if (!speaks) return;
        fs::create_directories(ctx.checkpoint_dir);
        sim::save_checkpoint(ckpt, s, print);
      },
      alone ? nullptr : &ctx.comm);
  if (progress) progress->finish();
  if (g == nullptr || !ctx.comm.is_root()) return;
  const sim::Summary summary = sim::summarize(o, state);
  std::cout << summary.brief_report(model.system->variable_names());
  sim::write_ensemble(*g, o, state, summary, model.system->variable_names());
}

void run_collapse_point(const RunContext& ctx, const config::Table& root, const io::Group& g) {
  const config::Table t = root.table("simulate");
  const sim::CollapseOptions o = read_collapse(t, t.string("scheme"));
  o.validate();
  std::unique_ptr<Progress> progress;
  if (!ctx.opts.quiet && ctx.comm.is_root())
    progress = std::make_unique<Progress>("collapse", static_cast<std::uint64_t>(o.members));
  const sim::CollapseResult r = sim::run_collapse(o, progress.get(), &ctx.comm);
  if (progress) progress->finish();
  if (!ctx.comm.is_root()) return;
  std::cout << r.brief_report();
  sim::write_collapse(g, o, r);
}

/// The memory of the ensemble's state and its time: a trial of one block
/// of members over at most 200 steps on one thread, scaled to the run (all
/// sweep points) on the threads it will use.
Estimate estimate_ensemble(const config::Table& root, std::size_t points) {
  const config::Table t = root.table("simulate");
  const model::Model model = config::build_model(root.table("model"));
  const sim::Options o = read_options(t, *model.system, t.string("scheme", "sgd"));
  const Vec x0 = to_vec(t.numbers("x0"));
  Estimate e;
  e.bytes = sim::EnsembleState::bytes(o, model.dim());
  e.sizes = "simulate.members (or batches, histogram.nodes, trajectory.members)";
  e.detail = fmt::format("{} members, {} batches{}{}", o.members, o.batches,
                         o.histogram ? fmt::format(", {} histogram cells", o.histogram->size()) : "",
                         o.trajectory_members ? fmt::format(", {} kept paths", o.trajectory_members) : "");
  sim::Options trial = o;
  trial.members = std::min<std::int64_t>(o.members, o.block);
  trial.steps = std::min<std::int64_t>(o.steps, 200);
  trial.burn_in = 0;
  trial.stride = 1;
  trial.batches = std::min<int>(o.batches, 10);
  trial.trajectory_members = 0;
  trial.segment = 0;
  trial.threads = 1;
  try {
    sim::EnsembleState s = sim::EnsembleState::start(trial, x0);
    const auto t0 = std::chrono::steady_clock::now();
    sim::advance(model, trial, s, trial.steps, nullptr, {}, nullptr);
    const double per = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() /
                       static_cast<double>(trial.members * trial.steps);
    const double blocks = std::ceil(static_cast<double>(o.members) / o.block);
    const double threads = std::min<double>(o.threads > 0 ? o.threads : omp_get_max_threads(), blocks);
    e.seconds = per * static_cast<double>(o.members) * static_cast<double>(o.steps) * static_cast<double>(points) / threads;
    const std::int64_t checkpoints = (o.steps + o.segment - 1) / o.segment;
    e.time_note = fmt::format("the steps; then writing {} checkpoint{} and the result, each about {}", checkpoints,
                              checkpoints > 1 ? "s" : "", show_bytes(e.bytes));
  } catch (const Error&) {  // the trial's options are not valid on their own: no time estimate
  }
  return e;
}

/// Reads every key once (for unknown-key checks, --print-config, --dry-run)
/// without running anything.
void read_all(const config::Table& root) {
  const config::Table t = root.table("simulate");
  const std::string scheme = t.choice("scheme", "sgd", {"sgd", "langevin", "ula", "gaussian_refit", "resample"});
  if (is_collapse(scheme)) {
    read_collapse(t, scheme).validate();
    return;
  }
  const model::Model model = config::build_model(root.table("model"));
  const sim::Options o = read_options(t, *model.system, scheme);
  o.validate(model.dim());
  sim::check_model(model, o);
  const auto x0 = t.numbers("x0");
  if (static_cast<int>(x0.size()) != model.dim())
    t.fail("x0", fmt::format("has {} entries, expected {}", x0.size(), model.dim()));
  config::check_defined_at(model, root.table("model"), to_vec(x0), "simulate.x0" + t.where("x0"));
}

}  // namespace

void register_simulate(CLI::App& app, std::function<int()>& action, CommonOptions& opts, const std::string& cmdline,
                       const par::Comm& comm) {
  auto* sub = app.add_subcommand("simulate", "ensembles of SGD / Langevin paths or collapse chains, reduced on the fly");
  add_common_options(*sub, opts);
  auto resume = std::make_shared<bool>(false);
  sub->add_flag("--resume", *resume, "continue from the checkpoints of an interrupted run of the same config");
  auto split = std::make_shared<std::string>("auto");
  sub->add_option("--split", *split,
                  "under mpirun: share the members of every point (members), run whole sweep points per process "
                  "(points), or choose (auto: points when they divide evenly among the processes)")
      ->check(CLI::IsMember({"auto", "members", "points"}));
  action = [&opts, cmdline, resume, split, comm] {
    config::Config cfg = load_config(opts);
    const config::Table root = cfg.root();
    read_all(root);
    const Sweep sweep = read_sweep(root.table("simulate").table("sweep"));
    check_sweep_key(cfg, root.table("simulate").table("sweep"), sweep.key);
    check_sweep_points([&] { return load_config(opts); }, sweep, [](const config::Table& point) { read_all(point); });
    const std::string out = output_path(opts, root, "simulate.h5");
    if (finish_config(cfg, opts)) return 0;
    const std::string scheme = root.table("simulate").string("scheme", "sgd");
    if (!is_collapse(scheme)) report_and_check(opts, "simulate", estimate_ensemble(root, std::max<std::size_t>(1, sweep.values.size())));
    RunContext ctx{opts, *resume, fs::path(out + ".checkpoint"), cfg.resolved_toml(), comm,
                   choose_split(*split, comm, sweep.values.size(), is_collapse(scheme))};
    // Only the root writes the result; the others compute into memory. The
    // output is locked first: checkpoints a live run is writing are its own.
    std::unique_ptr<io::ResultFile> file;
    if (comm.is_root()) file = open_output(opts, out);
    else if (!opts.dry_run) file = io::ResultFile::in_memory(out + ".rank" + std::to_string(comm.rank()));
    if (!ctx.resume && fs::exists(ctx.checkpoint_dir))
      throw Error(ExitCode::kUsage, ctx.checkpoint_dir.string() +
                                        ": checkpoints of an interrupted run exist; pass --resume to continue it or remove them");
    if (comm.parallel()) comm.barrier();  // every process has checked before any checkpoint appears
    if (!file) return 0;                  // --dry-run
    const io::Group top = file->root();
    io::write_provenance(top, "simulate", "fwkit ensemble simulation",
                         io::Provenance{cmdline, cfg.resolved_toml(),
                                        static_cast<std::uint64_t>(root.table("simulate").integer("seed", 1)),
                                        comm.size(), ctx.split == Split::kPoints ? "points" : "members"});
    if (ctx.split == Split::kPoints) {
      // Each process runs its points to the end (checkpointed); the root then
      // writes every point from its final checkpoint, as a resumed run would.
      for_each_point(cfg, sweep, [&](std::size_t i, const std::string& name) {
        if (static_cast<int>(i % static_cast<std::size_t>(comm.size())) == comm.rank()) run_ensemble(ctx, root, name, nullptr);
      });
      comm.barrier();
      ctx.resume = true;
      ctx.collecting = true;
      ctx.comm = par::Comm::serial();
      if (!comm.is_root()) return 0;
    }
    auto run_point = [&](const std::string& point, const io::Group& g) {
      if (is_collapse(scheme)) run_collapse_point(ctx, root, g);
      else run_ensemble(ctx, root, point, &g);
    };
    run_sweep(cfg, top, sweep, run_point);
    if (!comm.is_root()) return 0;
    file->commit();
    fs::remove_all(ctx.checkpoint_dir);
    std::cout << "wrote " << out << "\n";
    return 0;
  };
}

}  // namespace fw::driver
