// `fwkit train`: diffusion-model training by SGD / GD on a small data set,
// watched for memorization, with sweeps over the step size at a fixed budget.
#include <fmt/format.h>

#include <cmath>
#include <iostream>
#include <memory>

#include "commands.hpp"
#include "fwkit/io/points.hpp"
#include "fwkit/io/provenance.hpp"
#include "train/train_io.hpp"

namespace fw::driver {
namespace {

/// The training set: given points, generated from a law, or read from a
/// file (a relative path is taken from the config file's folder).
Mat read_data(const config::Table& t, const std::filesystem::path& config_dir) {
  const int sources = t.has("points") + t.has("generate") + t.has("file");
  if (sources != 1) t.fail("points", "give exactly one of points, generate or file");
  if (t.has("points")) {
    const auto rows = t.number_matrix("points");
    if (rows.empty() || rows[0].empty()) t.fail("points", "needs at least one point");
    Mat data(static_cast<Eigen::Index>(rows[0].size()), static_cast<Eigen::Index>(rows.size()));
    for (std::size_t j = 0; j < rows.size(); ++j) {
      if (rows[j].size() != rows[0].size()) t.fail("points", fmt::format("row {} has {} entries, the first has {}", j, rows[j].size(), rows[0].size()));
      for (std::size_t k = 0; k < rows[j].size(); ++k) data(static_cast<Eigen::Index>(k), static_cast<Eigen::Index>(j)) = rows[j][k];
    }
    return data;
  }
  if (t.has("file")) {
    const std::filesystem::path file = t.string("file");
    return io::read_points(file.is_relative() ? config_dir / file : file, t.string("dataset", ""));
  }
  // generate = "gaussian" (mean, sd) or "mixture" (centers, sd): n points.
  const std::string law = t.choice("generate", {"gaussian", "mixture"});
  const auto n = t.integer("n", config::at_least(1));
  const double sd = t.number("sd", config::positive());
  std::vector<std::vector<double>> centers;
  if (law == "gaussian") centers.push_back(t.numbers("mean"));
  else centers = t.number_matrix("centers");
  if (centers.empty() || centers[0].empty()) t.fail(law == "gaussian" ? "mean" : "centers", "needs at least one coordinate");
  for (const auto& c : centers)
    if (c.size() != centers[0].size()) t.fail("centers", "every center needs the same number of coordinates");
  rng::Stream rng(static_cast<std::uint64_t>(t.integer("seed", 1, config::non_negative())), 0);
  const auto d = static_cast<Eigen::Index>(centers[0].size());
  Mat data(d, n);
  for (Eigen::Index j = 0; j < n; ++j) {
    const auto& c = centers[rng.below(centers.size())];
    for (Eigen::Index k = 0; k < d; ++k) data(k, j) = c[static_cast<std::size_t>(k)] + sd * rng.normal();
  }
  return data;
}

train::Options read_options(const config::Table& t) {
  train::Options o;
  o.width = static_cast<int>(t.integer("width", o.width, config::at_least(1)));
  o.random_features = t.boolean("random_features", false);
  o.levels = static_cast<int>(t.integer("levels", o.levels, config::at_least(2)));
  o.t_min = t.number("t_min", o.t_min, config::positive());
  o.t_max = t.number("t_max", o.t_max, config::positive());
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
  o.sampler = train::parse_sampler(m.choice("sampler", "ancestral", {"ancestral", "euler_maruyama"}));
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

std::filesystem::path config_dir(const CommonOptions& opts) {
  return opts.config_path.empty() ? std::filesystem::path(".") : std::filesystem::path(opts.config_path).parent_path();
}

void run_point(const CommonOptions& opts, const config::Table& root, const std::string& label, const io::Group& g) {
  const Mat data = read_data(root.table("data"), config_dir(opts));
  const train::Options o = read_options(root.table("train"));
  std::unique_ptr<Progress> progress;
  if (!opts.quiet) progress = std::make_unique<Progress>("train " + label, static_cast<std::uint64_t>(o.members));
  const train::Result r = train::train(o, data, progress.get());
  if (progress) progress->finish();
  std::cout << r.summary.brief_report();
  train::write_training(g, o, data, r);
}

}  // namespace

void register_train(CLI::App& app, std::function<int()>& action, CommonOptions& opts, const std::string& cmdline) {
  auto* sub = app.add_subcommand("train", "train a small diffusion model by SGD / GD and watch it for memorization");
  add_common_options(*sub, opts);
  action = [&opts, cmdline] {
    config::Config cfg = load_config(opts);
    const config::Table root = cfg.root();
    read_data(root.table("data"), config_dir(opts));
    read_options(root.table("train"));
    const config::Table sweep = root.table("train").table("sweep");
    const std::string sweep_key = sweep.present() ? sweep.string("key") : "";
    const std::vector<double> values = sweep.present() ? sweep.numbers("values") : std::vector<double>{};
    if (sweep.present() && values.empty()) sweep.fail("values", "needs at least one value");
    check_sweep_key(cfg, sweep, sweep_key);
    const std::string out = output_path(opts, root, "train.h5");
    if (finish_config(cfg, opts)) return 0;
    const auto file = open_output(opts, out);
    if (!file) return 0;  // --dry-run
    const io::Group top = file->root();
    io::write_provenance(top, "train", "fwkit diffusion-model training",
                         io::Provenance{cmdline, cfg.resolved_toml(),
                                        static_cast<std::uint64_t>(root.table("train").integer("seed", 1))});
    run_sweep(cfg, top, sweep_key, values,
              [&](const std::string& name, const io::Group& g) { run_point(opts, cfg.root(), name, g); });
    file->commit();
    std::cout << "wrote " << out << "\n";
    return 0;
  };
}

}  // namespace fw::driver
