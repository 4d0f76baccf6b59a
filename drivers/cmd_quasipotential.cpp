// `fwkit quasipotential`: the quasi-potential of a 2-D or 3-D model on a
// grid (ordered line integral method), for the Langevin and/or the
// discrete-time SGD Hamiltonian, with paths traced back from given points.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <iostream>
#include <memory>
#include <optional>

#include "analyze/equilibria.hpp"
#include "commands.hpp"
#include "fwkit/config/model_config.hpp"
#include "fwkit/io/provenance.hpp"
#include "hj/hj_io.hpp"

namespace fw::driver {
namespace {

struct QpJob {
  grid::Grid grid;
  std::optional<Vec> attractor;
  std::vector<std::string> hamiltonians;
  hj::Options options;
  std::vector<Vec> paths;
};

QpJob read_job(const config::Table& t, int dim) {
  QpJob j;
  j.grid.lower = t.numbers("lower");
  j.grid.upper = t.numbers("upper");
  for (double n : t.numbers("nodes", config::at_least(3))) j.grid.nodes.push_back(static_cast<int>(n));
  if (dim != 2 && dim != 3) t.fail("lower", fmt::format("the grid solver needs a 2-D or 3-D model (this one is {}-D)", dim));
  const std::string why = j.grid.check(dim);
  if (!why.empty()) t.fail("nodes", why);
  if (t.has("attractor")) {
    const auto a = t.numbers("attractor");
    if (static_cast<int>(a.size()) != dim) t.fail("attractor", fmt::format("needs {} entries", dim));
    j.attractor = Eigen::Map<const Vec>(a.data(), dim);
  }
  j.hamiltonians = t.has("hamiltonians") ? t.strings("hamiltonians") : std::vector<std::string>{"discrete"};
  for (const auto& name : j.hamiltonians)
    if (name != "langevin" && name != "discrete") t.fail("hamiltonians", "entries must be \"langevin\" or \"discrete\"");
  j.options.radius = static_cast<int>(t.integer("radius", 0, config::between(0, 200)));
  j.options.seed_radius = t.number("seed_radius", j.options.seed_radius, config::between(1, 50));
  j.options.stop_at_boundary = t.boolean("stop_at_boundary", false);
  j.options.simpson = t.choice("quadrature", "midpoint", {"midpoint", "simpson"}) == "simpson";
  if (t.has("paths"))
    for (const auto& p : t.number_matrix("paths")) {
      if (static_cast<int>(p.size()) != dim) t.fail("paths", fmt::format("each point needs {} entries", dim));
      j.paths.push_back(Eigen::Map<const Vec>(p.data(), dim));
    }
  return j;
}

/// The attractor: given, or the only stable equilibrium in the grid box.
Vec find_attractor(const model::System& system, const QpJob& j) {
  if (j.attractor) return *j.attractor;
  analyze::Options ao;
  ao.lower = j.grid.lower;
  ao.upper = j.grid.upper;
  const auto found = analyze::find_equilibria(system, ao);
  std::vector<Vec> stable;
  for (const auto& e : found.equilibria)
    if (e.stability == analyze::Stability::kStable) stable.push_back(e.x);
  if (stable.size() == 1) return stable[0];
  std::string list;
  for (const auto& s : stable) list += fmt::format(" ({:.6g}, {:.6g})", s[0], s[1]);
  throw config_error(fmt::format("quasipotential.attractor: not given, and the box holds {} attractors{}; set one",
                                 stable.size(), list));
}

template <int D>
hj::Result run(const model::Hamiltonian& h, const QpJob& j, const Vec& a, bool quiet) {
  std::unique_ptr<Progress> progress;
  if (!quiet) progress = std::make_unique<Progress>("quasipotential", static_cast<std::uint64_t>(j.grid.size()));
  hj::Result r = hj::solve<D>(hj::Problem{h, j.grid, a}, j.options, progress.get());
  if (progress) progress->finish();
  return r;
}

}  // namespace

void register_quasipotential(CLI::App& app, std::function<int()>& action, CommonOptions& opts,
                             const std::string& cmdline) {
  auto* sub = app.add_subcommand("quasipotential", "the quasi-potential on a 2-D or 3-D grid (ordered line integral method)");
  add_common_options(*sub, opts);
  action = [&opts, cmdline] {
    config::Config cfg = load_config(opts);
    const config::Table root = cfg.root();
    const model::Model model = config::build_model(root.table("model"));
    const QpJob job = read_job(root.table("quasipotential"), model.dim());
    const std::string out = output_path(opts, root, "quasipotential.h5");
    if (finish_config(cfg, opts)) return 0;
    job.options.validate();
    const Vec attractor = find_attractor(*model.system, job);
    std::cout << fmt::format("grid {} nodes, about {:.3g} MB\n", job.grid.size(),
                             static_cast<double>(hj::Result::memory_estimate(job.grid)) / 1e6);
    const auto file = open_output(opts, out);
    if (!file) return 0;  // --dry-run
    const io::Group top = file->root();
    io::write_provenance(top, "quasipotential", "fwkit grid quasi-potential",
                         io::Provenance{cmdline, cfg.resolved_toml(), std::nullopt});
    const io::Group qp = top.group("quasipotential");
    const auto vars = model.system->variable_names();
    for (const auto& name : job.hamiltonians) {
      const model::Hamiltonian h(model, name == "langevin" ? model::HamiltonianKind::kLangevin
                                                           : model::HamiltonianKind::kDiscrete);
      std::cout << "== " << name << "\n";
      const hj::Result r = model.dim() == 2 ? run<2>(h, job, attractor, opts.quiet) : run<3>(h, job, attractor, opts.quiet);
      std::cout << r.brief_report();
      if (!r.ok()) throw Error(ExitCode::kData, "quasipotential: " + r.message);
      const auto grad = hj::gradient(r.grid, r.value);
      const io::Group g = qp.group(name);
      hj::write_potential(g, r, grad, vars, attractor);
      if (!job.paths.empty()) {
        std::vector<hj::Path> paths;
        double hmax = 0;
        for (int k = 0; k < model.dim(); ++k) hmax = std::max(hmax, job.grid.spacing(k));
        for (const auto& x : job.paths) {
          paths.push_back(hj::trace_back(h, r, grad, attractor, x, job.options.seed_radius * hmax));
          std::cout << fmt::format("  path from ({}): V = {:.8g}, {} points, {}\n",
                                   fmt::join(std::vector<double>(x.data(), x.data() + x.size()), ", "),
                                   paths.back().value_start, paths.back().points.size() / model.dim(),
                                   paths.back().reached ? "reaches the attractor" : "stopped early");
        }
        hj::write_paths(g, paths, model.dim());
      }
    }
    file->commit();
    std::cout << "wrote " << out << "\n";
    return 0;
  };
}

}  // namespace fw::driver
