// `fwkit analyze`: equilibria of the model's drift in a box.
#include <iostream>

#include "analyze/equilibria.hpp"
#include "analyze/equilibria_io.hpp"
#include "analyze/sgd_covariance.hpp"
#include "commands.hpp"
#include "fwkit/config/model_config.hpp"
#include "fwkit/io/provenance.hpp"

namespace fw::driver {

namespace {

analyze::Options read_options(const config::Table& t) {
  analyze::Options o;
  o.lower = t.numbers("lower");
  o.upper = t.numbers("upper");
  o.starts = static_cast<int>(t.integer("starts", 0, config::non_negative()));
  o.tolerance = t.number("tolerance", o.tolerance, config::positive());
  o.max_iterations = static_cast<int>(t.integer("max_iterations", o.max_iterations, config::at_least(1)));
  o.merge_distance = t.number("merge_distance", o.merge_distance, config::Range{0.0, 1.0, true, true});
  o.zero_tolerance = t.number("zero_tolerance", o.zero_tolerance, config::non_negative());
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
    const analyze::Options options = read_options(root.table("analyze"));
    // The stationary covariance SGD with this step keeps at each stable equilibrium.
    const double sgd_step = root.table("analyze").number("sgd_step", 0.0, config::non_negative());
    const std::string out = output_path(opts, root, "analyze.h5");
    if (finish_config(cfg, opts)) return 0;
    options.validate(model.dim());
    const auto file = open_output(opts, out);
    if (!file) return 0;  // --dry-run
    Progress progress("analyze", static_cast<std::uint64_t>(options.starts > 0 ? options.starts : 256 * model.dim()),
                      opts.quiet ? nullptr : stderr);
    const analyze::Result result = analyze::find_equilibria(*model.system, options, &progress);
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
    return result.status == analyze::Status::kSuccess ? 0 : static_cast<int>(ExitCode::kData);
  };
}

}  // namespace fw::driver
