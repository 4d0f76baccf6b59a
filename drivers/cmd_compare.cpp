// `fwkit compare`: the theory's predictions against an earlier simulation,
// written as a comparison file with a predicted-against-observed summary.
#include <fmt/format.h>

#include <algorithm>
#include <memory>
#include <filesystem>
#include <iostream>

#include "commands.hpp"
#include "fwkit/config/model_fingerprint.hpp"
#include "compare/collapse_compare.hpp"
#include "compare/covariance_compare.hpp"
#include "compare/episode_compare.hpp"
#include "compare/exit_compare.hpp"
#include "compare/generalization_compare.hpp"
#include "compare/occupation_compare.hpp"
#include "compare/paths_compare.hpp"
#include "compare/potential_compare.hpp"
#include "compare/training_compare.hpp"
#include "fwkit/io/provenance.hpp"
#include "fwkit/io/reader.hpp"

namespace fw::driver {
namespace {

namespace fs = std::filesystem;

/// A path in the config: relative ones are taken from the config file's folder.
/// The input file `key` names (relative to the config's folder); refused
/// (66) when it does not exist, unless it is one `pending` (still to be
/// written by an earlier stage of fwkit run).
fs::path input_path(const CommonOptions& opts, const std::vector<std::string>& pending, const config::Table& t,
                    const std::string& key) {
  const fs::path given = t.string(key);
  const fs::path p = given.is_absolute() || opts.config_path.empty() ? given : fs::path(opts.config_path).parent_path() / given;
  std::error_code ec;
  const bool later = std::find(pending.begin(), pending.end(), p.string()) != pending.end() ||
                     std::find(pending.begin(), pending.end(), given.string()) != pending.end();
  if (!later && !fs::is_regular_file(p, ec))
    throw Error(ExitCode::kNoInput, t.describe(key) + ": " + (fs::exists(p, ec) ? "is not a file" : "no such file") +
                                        " (" + p.string() + ")");
  return p;
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

compare::CollapseCompareOptions read_collapse_options(const config::Table& t) {
  compare::CollapseCompareOptions o;
  o.generations = t.numbers("generations", std::vector<double>{}, config::at_least(1));
  o.standard_errors = t.number("standard_errors", o.standard_errors, config::positive());
  o.validate();
  return o;
}

compare::OccupationCompareOptions read_occupation_options(const config::Table& t) {
  compare::OccupationCompareOptions o;
  o.exponent_tolerance = t.number("exponent_tolerance", o.exponent_tolerance, config::positive());
  o.prefactor_tolerance = t.number("prefactor_tolerance", o.prefactor_tolerance, config::positive());
  o.validate();
  return o;
}

compare::PotentialCompareOptions read_potential_options(const config::Table& t) {
  compare::PotentialCompareOptions o;
  o.hamiltonian = t.choice("hamiltonian", o.hamiltonian, {"discrete", "langevin"});
  o.tolerance = t.number("tolerance", o.tolerance, config::positive());
  o.slope_tolerance = t.number("slope_tolerance", o.slope_tolerance, config::positive());
  o.min_count = t.number("min_count", o.min_count, config::at_least(1));
  o.quadrature = static_cast<int>(t.integer("quadrature", o.quadrature, config::between(1, 16)));
  o.validate();
  return o;
}

/// The inputs' [model] sections (from their /provenance) must agree: a
/// data error naming the files and the differing keys, unless allowed.
void refuse_different_models(const std::vector<fs::path>& inputs, bool allowed, const std::vector<std::string>& pending) {
  std::string first_text;
  fs::path first;
  for (const fs::path& p : inputs) {
    if (p.empty()) continue;
    if (std::find(pending.begin(), pending.end(), p.string()) != pending.end() && !fs::exists(p)) continue;
    const io::Reader r(p);
    if (!r.exists("/provenance")) continue;
    const std::string text = r.string_attribute("/provenance", "config");
    if (first.empty()) {
      first = p, first_text = text;
      continue;
    }
    const std::vector<std::string> diff = config::model_differences(first_text, text);
    if (diff.empty()) continue;
    std::string keys;
    for (const auto& d : diff) keys += (keys.empty() ? "" : "; ") + d;
    const std::string what = fmt::format("compare: {} and {} were computed for different models ({})", first.string(),
                                         p.string(), keys);
    if (!allowed) throw data_error(what + "; set compare.allow_model_mismatch = true to compare them anyway");
    std::cerr << "fwkit compare: warning: " << what << " (allow_model_mismatch = true)\n";
  }
}

}  // namespace

void register_compare(CLI::App& app, std::function<int()>& action, CommonOptions& opts, const std::string& cmdline) {
  auto* sub = app.add_subcommand("compare", "the theory's predictions against an earlier simulation, with a summary");
  add_common_options(*sub, opts);
  // `fwkit run` checks a compare stage before the stages it reads have run:
  // these inputs are still to come (a dry run does not open them).
  auto pending = std::make_shared<std::vector<std::string>>();
  sub->add_option("--pending-input", *pending, "an input an earlier stage will write (for fwkit run)")->group("");
  action = [&opts, cmdline, pending] {
    config::Config cfg = load_config(opts);
    const config::Table root = cfg.root();
    const config::Table t = root.table("compare");
    const std::string kind = t.choice("kind", {"episodes", "collapse", "occupation", "exits", "training", "potential", "paths", "sgd_covariance", "generalization"});
    // The inputs: a simulate file, or (training) a train file and optionally an episodes comparison.
    const bool gap = kind == "generalization";
    const fs::path simulation = kind == "training" || gap ? fs::path() : input_path(opts, *pending, t, "simulation");
    auto optional_input = [&](const std::string& key) { return gap && t.has(key) ? input_path(opts, *pending, t, key) : fs::path(); };
    if (gap && !t.has("analytic") && !t.has("network"))
      t.fail("analytic", "give the analytic model's train file (analytic), a network's (network), or both");
    const fs::path analytic = optional_input("analytic");
    const fs::path counts = optional_input("points"), network = optional_input("network"), matched = optional_input("matched");
    const fs::path transitions =
        kind == "occupation" || kind == "exits" || kind == "paths" ? input_path(opts, *pending, t, "transitions") : fs::path();
    const fs::path training = kind == "training" ? input_path(opts, *pending, t, "training") : fs::path();
    const fs::path potential = kind == "potential" ? input_path(opts, *pending, t, "quasipotential") : fs::path();
    const fs::path beside = kind == "training" && t.has("episodes") ? input_path(opts, *pending, t, "episodes") : fs::path();
    // Each kind reads its own keys: another kind's key is an unknown key.
    compare::EpisodeCompareOptions episodes;
    compare::CollapseCompareOptions collapse;
    compare::OccupationCompareOptions occupation;
    compare::TrainingCompareOptions trained;
    compare::ExitCompareOptions exits;
    compare::PotentialCompareOptions potentials;
    compare::PathsCompareOptions paths;
    compare::CovarianceCompareOptions covariance;
    compare::GeneralizationCompareOptions generalization;
    if (gap) {
      generalization.standard_errors = t.number("standard_errors", generalization.standard_errors, config::non_negative());
      generalization.location_factor = t.number("location_factor", generalization.location_factor, config::Range{1.0, std::nullopt, true, false});
    } else if (kind == "sgd_covariance") {
      covariance.standard_errors = t.number("standard_errors", covariance.standard_errors, config::positive());
      covariance.zero_fraction = t.number("zero_fraction", covariance.zero_fraction, config::positive());
    } else if (kind == "episodes") episodes = read_episode_options(t);
    else if (kind == "collapse") collapse = read_collapse_options(t);
    else if (kind == "occupation") occupation = read_occupation_options(t);
    else if (kind == "exits") {
      exits.exponent_tolerance = t.number("exponent_tolerance", exits.exponent_tolerance, config::positive());
      exits.prefactor_tolerance = t.number("prefactor_tolerance", exits.prefactor_tolerance, config::positive());
    }
    else if (kind == "potential") potentials = read_potential_options(t);
    else if (kind == "paths") {
      paths.exponent_tolerance = t.number("exponent_tolerance", paths.exponent_tolerance, config::positive());
      paths.bins = static_cast<int>(t.integer("bins", paths.bins, config::between(2, 10000)));
    }
    else trained.standard_errors = t.number("standard_errors", trained.standard_errors, config::non_negative());
    const bool mismatch_allowed = t.boolean("allow_model_mismatch", false);
    const std::string out = output_path(opts, root, "compare.h5");
    if (finish_config(cfg, opts)) return 0;
    std::vector<std::string> inputs;
    for (const fs::path& in : {simulation, transitions, training, potential, beside, analytic, counts, network, matched})
      if (!in.empty()) inputs.push_back(in.string());
    refuse_output_path(out, "the output " + out, inputs);
    if (!opts.dry_run) pending->clear();
    refuse_different_models({simulation, transitions, training, potential, beside}, mismatch_allowed, *pending);
    auto file = open_output(opts, out);
    if (!file) {  // --dry-run
      if (!pending->empty()) return 0;  // fwkit run's check: the inputs are still to be written
      // The inputs exist: compare into memory, so that an input of the wrong
      // kind or shape is refused now, as the run would refuse it.
      file = io::ResultFile::in_memory(out);
    }
    std::vector<compare::SummaryRow> rows;
    const io::Group top = file->root();
    const io::Provenance provenance{cmdline, cfg.resolved_toml(), std::nullopt, 1, ""};
    if (gap) {
      const compare::GeneralizationComparison c = [&] {
        try {
          return compare::compare_generalization(analytic, counts, network, matched, generalization);
        } catch (const Error& e) {  // a message about an input names it (compare.<key> = ...): add its line
          const std::string m = e.what();
          for (const char* key : {"analytic", "points", "network", "matched"})
            if (m.rfind(std::string("compare.") + key, 0) == 0) throw Error(e.code(), m + t.where(key));
          throw;
        }
      }();
      io::write_provenance(top, "compare", "fwkit comparison: the denoising generalization gap against the analytic model",
                           provenance);
      compare::write_generalization_comparison(top, c);
      rows = c.rows;
    } else if (kind == "episodes") {
      const compare::EpisodeComparison c = compare::compare_episodes(simulation, episodes);
      io::write_provenance(top, "compare", "fwkit comparison: memorization episodes, predicted and simulated", provenance);
      compare::write_episode_comparison(top, c);
      rows = c.rows;
    } else if (kind == "exits") {
      const compare::ExitComparison c = compare::compare_exits(simulation, transitions, exits);
      io::write_provenance(top, "compare", "fwkit comparison: mean transition times, Eyring-Kramers and fitted exponents",
                           provenance);
      compare::write_exit_comparison(top, c);
      rows = c.rows;
    } else if (kind == "sgd_covariance") {
      const compare::CovarianceComparison c = compare::compare_covariance(simulation, covariance);
      io::write_provenance(top, "compare", "fwkit comparison: SGD's stationary covariance, discrete Lyapunov and simulated",
                           provenance);
      compare::write_covariance_comparison(top, c);
      rows = c.rows;
    } else if (kind == "paths") {
      const compare::PathsComparison c = compare::compare_paths(simulation, transitions, paths);
      io::write_provenance(top, "compare", "fwkit comparison: transition paths against the instanton", provenance);
      compare::write_paths_comparison(top, c);
      rows = c.rows;
    } else if (kind == "potential") {
      const compare::PotentialComparison c = compare::compare_potential(simulation, potential, potentials);
      io::write_provenance(top, "compare", "fwkit comparison: the quasi-potential against the simulated density",
                           provenance);
      compare::write_potential_comparison(top, c);
      rows = c.rows;
    } else if (kind == "training") {
      const compare::TrainingComparison c = compare::compare_training(training, beside, trained);
      io::write_provenance(top, "compare", "fwkit comparison: memorization of a diffusion model against the step size",
                           provenance);
      compare::write_training_comparison(top, c);
      rows = c.rows;
    } else if (kind == "occupation") {
      const compare::OccupationComparison c = compare::compare_occupation(simulation, transitions, occupation);
      io::write_provenance(top, "compare", "fwkit comparison: occupation of the attractors, W-graph and Hwang against simulation",
                           provenance);
      compare::write_occupation_comparison(top, c);
      rows = c.rows;
    } else {
      const compare::CollapseComparison c = compare::compare_collapse(simulation, collapse);
      io::write_provenance(top, "compare", "fwkit comparison: collapse chains against their exact expectations", provenance);
      compare::write_collapse_comparison(top, c);
      rows = c.rows;
    }
    top.set_attribute("comparison", kind);
    if (opts.dry_run) return 0;
    file->commit();
    std::cout << compare::markdown_table(rows);
    const auto judged = std::count_if(rows.begin(), rows.end(), [](const auto& r) { return r.judged(); });
    const auto failed = std::count_if(rows.begin(), rows.end(), [](const auto& r) { return !r.pass(); });
    std::cout << fmt::format("{} of {} judged rows within tolerance\nwrote {}\n", judged - failed, judged, out);
    // The file is written either way; the status says whether the theory held.
    return failed == 0 ? 0 : kOutsideTolerance;
  };
}

}  // namespace fw::driver
