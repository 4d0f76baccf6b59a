// `fwkit train`: diffusion-model training by SGD / GD on a small data set,
// watched for memorization, with sweeps over the step size at a fixed budget.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <iostream>
#include <memory>

#include "commands.hpp"
#include "resources.hpp"
#include "fwkit/io/provenance.hpp"
#include "train/gap_io.hpp"
#include "train/train_io.hpp"
#include "train_data.hpp"

namespace fw::driver {
namespace {

train::Options read_options(const config::Table& t) {
  train::Options o;
  o.width = static_cast<int>(t.integer("width", o.width, config::at_least(1)));
  o.random_features = t.boolean("random_features", false);
  o.levels = static_cast<int>(t.integer("levels", o.levels, config::at_least(2)));
  if (t.choice("spacing", "geometric", {"geometric", "edm"}) == "edm") {
    o.spacing = train::Spacing::kEdm;
    o.sigma_min = t.number("sigma_min", o.sigma_min, config::positive());
    o.sigma_max = t.number("sigma_max", o.sigma_max, config::positive());
    if (!(o.sigma_max > o.sigma_min)) t.fail("sigma_max", fmt::format("must be > sigma_min = {:g}", o.sigma_min));
    o.rho = t.number("rho", o.rho, config::positive());
  } else {
    o.t_min = t.number("t_min", o.t_min, config::positive());
    o.t_max = t.number("t_max", o.t_max, config::positive());
    if (!(o.t_max >= o.t_min))  // blame the bound the user wrote (both: the upper one)
      t.fail(t.has("t_max") ? "t_max" : "t_min", fmt::format("the noise levels need t_min <= t_max (t_min = {:g}, t_max = {:g})",
                                                             o.t_min, o.t_max));
  }
  o.gap_draws = static_cast<int>(t.table("gap").integer("draws", o.gap_draws, config::at_least(1)));
  o.inference_stops = t.table("inference").numbers("stop", std::vector<double>{}, config::positive());
  o.optimizer = t.choice("optimizer", "sgd", {"sgd", "gd"}) == "sgd" ? train::Optimizer::kSgd : train::Optimizer::kGd;
  const std::string g = t.choice("gradient", "backprop", {"backprop", "spsa", "one_point"});
  o.gradient = g == "backprop" ? train::Gradient::kBackprop : g == "spsa" ? train::Gradient::kSpsa : train::Gradient::kOnePoint;
  o.delta = t.number("delta", o.delta, config::positive());
  o.step.eta = t.number("step", config::positive());
  const config::Table sched = t.table("schedule");
  o.step.gamma = sched.number("gamma", 0.0, config::between(0, 1));
  o.step.n0 = sched.number("n0", 1.0, config::positive());
  if (t.has("budget") == t.has("steps")) t.fail("steps", "give exactly one of steps or budget (= step * steps)");
  if (t.has("budget")) {
    if (o.step.gamma != 0) t.fail("budget", "needs a constant step (schedule.gamma = 0)");
    o.steps = std::max<std::int64_t>(1, std::llround(t.number("budget", config::positive()) / o.step.eta));
  } else {
    o.steps = t.integer("steps", config::at_least(1));
  }
  o.batch = static_cast<int>(t.integer("batch", o.batch, config::at_least(1)));
  o.self_consuming = t.number("self_consuming", 0.0, config::Range{0.0, 1.0, false, true});
  o.design_draws = static_cast<int>(t.integer("design_draws", o.design_draws, config::at_least(1)));
  const config::Table m = t.table("monitor");
  const auto count = m.integer("count", 20, config::at_least(1));
  o.stride = m.has("every") ? m.integer("every", config::at_least(1)) : std::max<std::int64_t>(1, o.steps / count);
  o.samples = static_cast<int>(m.integer("samples", o.samples, config::at_least(1)));
  o.sampler = train::parse_sampler(m.choice("sampler", "ancestral", {"ancestral", "euler_maruyama", "probability_flow"}));
  o.radius = m.number("radius", o.radius, config::positive());
  o.clip = m.number("clip", o.clip, config::positive());
  o.sharpness = m.boolean("sharpness", false);
  o.power_iterations = static_cast<int>(m.integer("power_iterations", o.power_iterations, config::at_least(1)));
  o.window = m.number("window", o.window, config::Range{0.0, 1.0, true, false});
  o.members = t.integer("members", o.members, config::at_least(1));
  o.seed = static_cast<std::uint64_t>(t.integer("seed", 1, config::non_negative()));
  o.threads = static_cast<int>(t.integer("threads", 0, config::between(0, 1024)));  // 0: all cores; a cap, since OpenMP aborts on absurd counts
  o.validate();
  return o;
}

/// A closed-form denoiser's evaluation: the gap grid, the sampler, the stops.
train::ClosedFormOptions read_closed_form(const config::Table& t, train::DenoiserKind kind) {
  train::ClosedFormOptions o;
  o.kind = kind;
  if (kind == train::DenoiserKind::kBlurred) o.blur = t.number("blur", config::positive());
  const config::Table g = t.table("gap");
  o.gap_sigma_min = g.number("sigma_min", o.gap_sigma_min, config::positive());
  o.gap_sigma_max = g.number("sigma_max", o.gap_sigma_max, config::positive());
  if (!(o.gap_sigma_max >= o.gap_sigma_min)) g.fail("sigma_max", fmt::format("must be >= sigma_min = {:g}", o.gap_sigma_min));
  o.gap_levels = static_cast<int>(g.integer("levels", o.gap_levels, config::at_least(1)));
  o.draws = static_cast<int>(g.integer("draws", o.draws, config::at_least(1)));
  const config::Table i = t.table("inference");
  o.samples = static_cast<int>(i.integer("samples", o.samples, config::at_least(2)));
  o.steps = static_cast<int>(i.integer("steps", o.steps, config::at_least(2)));
  o.sigma_min = i.number("sigma_min", o.sigma_min, config::positive());
  o.sigma_max = i.number("sigma_max", o.sigma_max, config::positive());
  if (!(o.sigma_max > o.sigma_min)) i.fail("sigma_max", fmt::format("must be > sigma_min = {:g}", o.sigma_min));
  o.rho = i.number("rho", o.rho, config::positive());
  o.method = train::parse_flow_method(i.choice("method", "heun", {"euler", "heun"}));
  o.stops = i.numbers("stop", std::vector<double>{}, config::positive());
  o.radius = t.table("monitor").number("radius", o.radius, config::positive());
  o.seed = static_cast<std::uint64_t>(t.integer("seed", 1, config::non_negative()));
  o.validate();
  return o;
}

train::DenoiserKind denoiser_kind(const config::Table& t) {
  return train::parse_denoiser_kind(t.choice("denoiser", "network", {"network", "optimal", "blurred"}));
}

/// The sigma range the sampler walks, in data units: stops outside it
/// would be moved to its end without a word.
void check_stops(const config::Table& t, const std::vector<double>& stops, double lo, double hi) {
  for (double s : stops)
    if (s < lo * (1 - 1e-12) || s > hi * (1 + 1e-12))
      t.table("inference").fail("stop", fmt::format("{:g} lies outside the sampler's levels [{:.4g}, {:.4g}]", s, lo, hi));
}

/// Reads every option of the point (each kind its own keys) and checks them
/// against each other: the gap needs a validation split, stops lie on the levels.
void check_point(const config::Table& root) {
  const train::Split split = read_train_split(root.table("data"));
  const config::Table t = root.table("train");
  const train::DenoiserKind kind = denoiser_kind(t);
  if (split.validation.cols() == 0)
    for (const char* k : {"gap", "inference"})
      if (t.table(k).present())
        t.fail(k, "needs a validation split ([data.validation]): the gap and the inference distances compare the splits");
  if (kind == train::DenoiserKind::kNetwork) {
    const train::Options o = read_options(t);
    // EDM levels are given in data units; geometric OU times have no data unit.
    const double scale = t.number("data_scale", 1.0, config::positive());
    if (scale != 1 && o.spacing != train::Spacing::kEdm)
      t.fail("data_scale", "needs spacing = \"edm\" (its sigma_min, sigma_max are in data units; geometric OU times t are not)");
    const std::vector<double> ve = o.schedule().ve_sigma();
    check_stops(t, o.inference_stops, ve.front(), ve.back());
  } else {
    const train::ClosedFormOptions o = read_closed_form(t, kind);
    check_stops(t, o.stops, o.sigma_min, o.sigma_max);
  }
}


void run_closed_form(const train::ClosedFormOptions& o, const train::Split& split, const io::Group& g) {
  const train::ClosedFormResult r = train::evaluate_closed_form(o, split);
  std::cout << fmt::format("{} denoiser: {:.3g} of {} samples memorized (within {:g})", to_string(o.kind), r.memorization,
                           r.samples.cols(), o.radius);
  const int p = r.gap.peak();
  const std::size_t infinite = static_cast<std::size_t>(std::count_if(r.gap.gap.begin(), r.gap.gap.end(), [](double g) { return std::isinf(g); }));
  if (infinite > 0)
    std::cout << fmt::format("; L_train = 0 at {} of {} sigma levels, up to sigma = {:.4g}: G is infinite there (the "
                             "denoiser returns the training points exactly)",
                             infinite, r.gap.sigma.size(), r.gap.sigma[infinite - 1]);
  else if (p >= 0) {
    const auto k = static_cast<std::size_t>(p);
    const bool edge = k == 0 || k + 1 == r.gap.sigma.size();
    std::cout << fmt::format("; gap peak G = {:.4g} +- {:.2g} at sigma = {:.4g}{}", r.gap.gap[k], r.gap.gap_se[k], r.gap.sigma[k],
                             edge ? " (the edge of the sigma grid: widen gap.sigma_min .. sigma_max)" : "");
  }
  std::cout << "\n";
  train::write_closed_form(g, o, split, r);
}

/// The records every member keeps (one value per monitor for each curve,
/// each point's share and each sample's label), the design's noise and the
/// final samples; no time estimate (a network's cost per step is not
/// measured ahead).
Estimate estimate_training(const config::Table& root) {
  Estimate e;
  if (denoiser_kind(root.table("train")) != train::DenoiserKind::kNetwork) return e;
  const train::Options o = read_options(root.table("train"));
  const Mat data = read_train_data(root.table("data"));
  const double n = static_cast<double>(data.cols()), d = static_cast<double>(data.rows());
  const double monitors = static_cast<double>(o.monitors()), members = static_cast<double>(o.members);
  const double per_member = monitors * (5 + n + o.samples / 2.0 + 8.0 * o.levels) + d * o.samples;
  e.bytes = 8 * (members * per_member + n * o.levels * o.design_draws * d);
  e.sizes = "train.members, train.steps / train.stride or train.samples";
  e.detail = fmt::format("{} members x {:.3g} monitors x {} samples", o.members, monitors, o.samples);
  return e;
}

void run_point(const CommonOptions& opts, const config::Table& root, const std::string& label, const io::Group& g) {
  const train::Split split = read_train_split(root.table("data"));
  const train::DenoiserKind kind = denoiser_kind(root.table("train"));
  if (kind != train::DenoiserKind::kNetwork) return run_closed_form(read_closed_form(root.table("train"), kind), split, g);
  const train::Options o = read_options(root.table("train"));
  std::unique_ptr<Progress> progress;
  if (!opts.quiet) progress = std::make_unique<Progress>("train " + label, static_cast<std::uint64_t>(o.members));
  const double scale = root.table("train").number("data_scale", 1.0, config::positive());
  const train::Result r = train::train_scaled(o, split, scale, progress.get());
  g.set_attribute("data_scale", scale);
  if (progress) progress->finish();
  std::cout << r.summary.brief_report();
  train::write_training(g, o, split, r);
}

}  // namespace

void register_train(CLI::App& app, std::function<int()>& action, CommonOptions& opts, const std::string& cmdline) {
  auto* sub = app.add_subcommand("train", "train a small diffusion model by SGD / GD and watch it for memorization");
  add_common_options(*sub, opts);
  action = [&opts, cmdline] {
    config::Config cfg = load_config(opts);
    const config::Table root = cfg.root();
    check_point(root);
    const Sweep sweep = read_sweep(root.table("train").table("sweep"));
    check_sweep_key(cfg, root.table("train").table("sweep"), sweep.key);
    check_sweep_points([&] { return load_config(opts); }, sweep, [](const config::Table& point) { check_point(point); });
    const std::string out = output_path(opts, root, "train.h5");
    if (finish_config(cfg, opts)) return 0;
    report_and_check(opts, "train", estimate_training(root));
    const auto file = open_output(opts, out);
    if (!file) return 0;  // --dry-run
    const io::Group top = file->root();
    io::write_provenance(top, "train", "fwkit diffusion-model training",
                         io::Provenance{cmdline, cfg.resolved_toml(),
                                        static_cast<std::uint64_t>(root.table("train").integer("seed", 1))});
    run_sweep(cfg, top, sweep,
              [&](const std::string& name, const io::Group& g) { run_point(opts, cfg.root(), name, g); });
    file->commit();
    std::cout << "wrote " << out << "\n";
    return 0;
  };
}

}  // namespace fw::driver
