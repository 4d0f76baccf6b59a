// `fwkit analyze`: equilibria of the model's drift in a box.
#include <iostream>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "analyze/equilibria.hpp"
#include "analyze/equilibria_io.hpp"
#include "analyze/sgd_covariance.hpp"
#include "commands.hpp"
#include "fwkit/config/model_config.hpp"
#include "fwkit/io/points.hpp"
#include "fwkit/io/provenance.hpp"

namespace fw::driver {

namespace {

/// `lower` / `upper`: one number for every coordinate, or one per coordinate.
std::vector<double> read_corner(const config::Table& t, const std::string& key, int dim) {
  if (t.value_type(key) == "an array") return t.numbers(key);
  return std::vector<double>(static_cast<std::size_t>(dim), t.number(key));
}

/// `starts_from`: explicit points, or a file of fwkit simulate end states
/// (/members/final_state) or an ODE trajectory (its last state).
std::vector<Vec> read_start_points(const config::Table& t) {
  std::vector<Vec> points;
  if (!t.has("starts_from")) return points;
  if (t.value_type("starts_from") != "a string") {
    for (const auto& row : t.number_matrix("starts_from")) points.push_back(Eigen::Map<const Vec>(row.data(), static_cast<Eigen::Index>(row.size())));
    return points;
  }
  std::size_t skipped = 0;
  try {
    points = io::read_end_states(t.file("starts_from"), &skipped);
  } catch (const Error& e) {
    throw Error(e.code(), t.describe("starts_from") + ": " + e.what());
  }
  if (skipped > 0)
    std::cerr << fmt::format("analyze: starts_from: {} end states, {} left out (not finite: members that blew up)\n",
                             points.size(), skipped);
  if (points.empty()) t.fail("starts_from", "holds no end states (simulate's /members/final_state or ode's /trajectory/state)");
  return points;
}

analyze::Options read_options(const config::Table& t, int dim) {
  analyze::Options o;
  o.lower = read_corner(t, "lower", dim);
  o.upper = read_corner(t, "upper", dim);
  o.starts = static_cast<int>(t.integer("starts", 0, config::non_negative()));
  o.tolerance = t.number("tolerance", o.tolerance, config::positive());
  o.max_iterations = static_cast<int>(t.integer("max_iterations", o.max_iterations, config::at_least(1)));
  o.merge_distance = t.number("merge_distance", o.merge_distance, config::Range{0.0, 1.0, true, true});
  o.zero_tolerance = t.number("zero_tolerance", o.zero_tolerance, config::non_negative());
  o.minimize = t.boolean("minimize", o.minimize);
  o.newton = t.boolean("newton", o.newton);
  o.minimize_iterations =
      static_cast<int>(t.integer("minimize_iterations", o.minimize_iterations, config::at_least(1)));
  o.dense_max_dim = static_cast<int>(t.integer("dense_max_dim", o.dense_max_dim, config::at_least(1)));
  o.lanczos_steps = static_cast<int>(t.integer("lanczos_steps", o.lanczos_steps, config::at_least(2)));
  o.start_points = read_start_points(t);
  return o;
}

}  // namespace

void register_analyze(CLI::App& app, std::function<int()>& action, CommonOptions& opts,
                      const std::string& cmdline) {
  auto* sub = app.add_subcommand("analyze", "find and classify the equilibria of a model in a box");
  add_common_options(*sub, opts);
  action = [&opts, cmdline] {
    config::Config cfg = load_config(opts);
    const config::Table root = cfg.root();
    const model::Model model = config::build_model(root.table("model"));
    const analyze::Options options = read_options(root.table("analyze"), model.dim());
    // The stationary covariance SGD with this step keeps at each stable equilibrium.
    const double sgd_step = root.table("analyze").number("sgd_step", 0.0, config::non_negative());
    const std::string out = output_path(opts, root, "analyze.h5");
    if (finish_config(cfg, opts)) return 0;
    options.validate(model.dim());
    const auto file = open_output(opts, out);
    if (!file) return 0;  // --dry-run
    Progress progress("analyze", static_cast<std::uint64_t>(analyze::start_count(options, model.dim())), opts.quiet ? nullptr : stderr);
    const analyze::Result result = analyze::find_equilibria(*model.system, options, &progress);
    if (result.starts > 0 && result.undefined_starts == result.starts)  // names the expression at fault
      config::check_defined_at(model, root.table("model"), result.first_undefined,
                               fmt::format("every one of the {} starts of the search (analyze.lower/upper), e.g. the start", result.starts));
    const io::Group root_group = file->root();
    io::write_provenance(root_group, "analyze", "fwkit equilibrium analysis",
                         io::Provenance{cmdline, cfg.resolved_toml(), std::nullopt});
    const io::Group mg = root_group.group("model");
    mg.set_attribute("system", model.system->name());
    mg.set_attribute("noise", model.noise->kind());
    mg.set_attribute("dimension", static_cast<std::int64_t>(model.dim()));
    std::string vars;
    for (const auto& v : model.system->variable_names()) vars += (vars.empty() ? "" : " ") + v;
    mg.set_attribute("variables", vars);
    analyze::write_equilibria(root_group, result, options, model.system->variable_names());
    std::string sgd_report;
    if (sgd_step > 0)
      sgd_report = analyze::write_sgd_covariance(root_group,
                                                 analyze::predict_sgd_covariance(model, result, sgd_step), sgd_step,
                                                 model.system->variable_names());
    file->commit();
    std::cout << result.brief_report() << sgd_report << "wrote " << out << "\n";
    if (result.undefined_starts > 0)
      std::cerr << fmt::format("fwkit analyze: warning: the model is undefined at {} of the {} starts (e.g. x = ({})); the "
                               "search covers only the part of the box where it is defined\n",
                               result.undefined_starts, result.starts, fmt::join(result.first_undefined, ", "));
    if (result.status == analyze::Status::kSuccess) return 0;
    std::cerr << "fwkit analyze: no equilibrium found in the box from " << result.starts
              << " starts (widen analyze.lower/upper, or add starts or starts_from); the search is written to " << out << "\n";
    return static_cast<int>(ExitCode::kData);
  };
}

}  // namespace fw::driver
