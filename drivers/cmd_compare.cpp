// `fwkit compare`: the theory's predictions against an earlier simulation,
// written as a comparison file with a predicted-against-observed summary.
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <iostream>

#include "commands.hpp"
#include "compare/episode_compare.hpp"
#include "fwkit/io/provenance.hpp"

namespace fw::driver {
namespace {

namespace fs = std::filesystem;

/// A path in the config: relative ones are taken from the config file's folder.
fs::path input_path(const CommonOptions& opts, const config::Table& t, const std::string& key) {
  const fs::path p = t.string(key);
  if (p.is_absolute() || opts.config_path.empty()) return p;
  return fs::path(opts.config_path).parent_path() / p;
}

compare::EpisodeCompareOptions read_episode_options(const config::Table& t) {
  compare::EpisodeCompareOptions o;
  o.tolerance = t.numbers("tolerance", {0.1}, config::positive());
  o.ratio_tolerance = t.number("ratio_tolerance", o.ratio_tolerance, config::positive());
  o.bound_se = t.number("bound_se", o.bound_se, config::non_negative());
  o.drop_first = t.boolean("drop_first", o.drop_first);
  compare::EpisodeOptions& p = o.prediction;
  p.dt = t.number("dt", p.dt, config::positive());
  p.x_span = t.number("x_span", p.x_span, config::positive());
  p.nodes = static_cast<int>(t.integer("nodes", p.nodes, config::between(16, 1000000)));
  p.cycles = static_cast<int>(t.integer("cycles", p.cycles, config::between(1, 1000)));
  o.validate();
  return o;
}

}  // namespace

void register_compare(CLI::App& app, std::function<int()>& action, CommonOptions& opts, const std::string& cmdline) {
  auto* sub = app.add_subcommand("compare", "the theory's predictions against an earlier simulation, with a summary");
  add_common_options(*sub, opts);
  action = [&opts, cmdline] {
    config::Config cfg = load_config(opts);
    const config::Table root = cfg.root();
    const config::Table t = root.table("compare");
    const std::string kind = t.choice("kind", {"episodes"});
    const fs::path simulation = input_path(opts, t, "simulation");
    const compare::EpisodeCompareOptions o = read_episode_options(t);
    const std::string out = output_path(opts, root, "compare.h5");
    if (finish_config(cfg, opts)) return 0;
    auto file = open_output(opts, out);
    if (!file) return 0;
    const compare::EpisodeComparison c = compare::compare_episodes(simulation, o);
    const io::Group top = file->root();
    io::write_provenance(top, "compare", "fwkit comparison: memorization episodes, predicted and simulated",
                         io::Provenance{cmdline, cfg.resolved_toml(), std::nullopt, 1, ""});
    top.set_attribute("comparison", kind);
    compare::write_episode_comparison(top, c);
    file->commit();
    std::cout << compare::markdown_table(c.rows);
    const auto judged = std::count_if(c.rows.begin(), c.rows.end(), [](const auto& r) { return r.judged(); });
    const auto failed = std::count_if(c.rows.begin(), c.rows.end(), [](const auto& r) { return !r.pass(); });
    std::cout << fmt::format("{} of {} judged rows within tolerance\nwrote {}\n", judged - failed, judged, out);
    // The file is written either way; the status says whether the theory held.
    return failed == 0 ? 0 : kOutsideTolerance;
  };
}

}  // namespace fw::driver
