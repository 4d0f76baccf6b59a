// `fwkit quasipotential`: the quasi-potential of a 2-D or 3-D model on a
// grid (ordered line integral method), for the Langevin and/or the
// discrete-time SGD Hamiltonian, with paths traced back from given points.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <iostream>
#include <memory>
#include <optional>

#include "analyze/equilibria.hpp"
#include "commands.hpp"
#include "resources.hpp"
#include "fwkit/config/model_config.hpp"
#include "fwkit/io/provenance.hpp"
#include "hj/global.hpp"
#include "hj/hj_io.hpp"
#include "ode/ode.hpp"

namespace fw::driver {
namespace {

struct QpJob {
  grid::Grid grid;
  std::vector<Vec> attractors;  // given; empty: found by analyze in the box
  std::vector<std::string> hamiltonians;
  hj::Options options;
  std::string method = "auto";  // auto: jet where it applies (Gaussian, one attractor), else olim
  std::vector<Vec> paths;
  // Limit-cycle source: integrate the drift from `start` for `transient`,
  // then keep `points` states over `record` (at least one period).
  std::optional<Vec> cycle_start;
  double cycle_transient = 50, cycle_record = 10;
  int cycle_points = 2000;
};

QpJob read_job(const config::Table& t, int dim) {
  QpJob j;
  j.grid.lower = t.numbers("lower");
  j.grid.upper = t.numbers("upper");
  j.grid.nodes = t.integers("nodes", config::at_least(3));
  if (dim != 2 && dim != 3) t.fail("lower", fmt::format("the grid solver needs a 2-D or 3-D model (this one is {}-D)", dim));
  // Name the key at fault: the box's bounds, or the node counts.
  for (const char* key : {"lower", "upper", "nodes"}) {
    const std::size_t n = key[0] == 'l' ? j.grid.lower.size() : key[0] == 'u' ? j.grid.upper.size() : j.grid.nodes.size();
    if (static_cast<int>(n) != dim) t.fail(key, fmt::format("needs {} entries (one per variable), has {}", dim, n));
  }
  for (int k = 0; k < dim; ++k)
    if (!(j.grid.lower[static_cast<std::size_t>(k)] < j.grid.upper[static_cast<std::size_t>(k)]))
      t.fail("upper", fmt::format("entry {} ({:g}) must exceed lower's ({:g})", k, j.grid.upper[static_cast<std::size_t>(k)],
                                  j.grid.lower[static_cast<std::size_t>(k)]));
  const std::string why = j.grid.check(dim);
  if (!why.empty()) t.fail("nodes", why);
  if (t.has("attractor")) {
    const auto a = t.numbers("attractor");
    if (static_cast<int>(a.size()) != dim) t.fail("attractor", fmt::format("needs {} entries", dim));
    j.attractors.push_back(Eigen::Map<const Vec>(a.data(), dim));
  }
  if (t.has("attractors")) {
    if (!j.attractors.empty()) t.fail("attractors", "give either attractor or attractors, not both");
    for (const auto& a : t.number_matrix("attractors")) {
      if (static_cast<int>(a.size()) != dim) t.fail("attractors", fmt::format("each attractor needs {} entries", dim));
      j.attractors.push_back(Eigen::Map<const Vec>(a.data(), dim));
    }
    if (j.attractors.size() > 8) t.fail("attractors", "at most 8 attractors");
  }
  for (std::size_t a = 0; a < j.attractors.size(); ++a)
    for (int k = 0; k < dim; ++k) {
      const double x = j.attractors[a][k];
      if (x < j.grid.lower[static_cast<std::size_t>(k)] || x > j.grid.upper[static_cast<std::size_t>(k)])
        t.fail(t.has("attractor") ? "attractor" : "attractors",
               fmt::format("attractor {} lies outside the grid's box in coordinate {} ({:g} not in [{:g}, {:g}])", a, k, x,
                           j.grid.lower[static_cast<std::size_t>(k)], j.grid.upper[static_cast<std::size_t>(k)]));
    }
  j.hamiltonians = t.has("hamiltonians") ? t.strings("hamiltonians") : std::vector<std::string>{"discrete"};
  if (j.hamiltonians.empty()) t.fail("hamiltonians", "needs at least one of \"langevin\" and \"discrete\"");
  for (const auto& name : j.hamiltonians)
    if (name != "langevin" && name != "discrete") t.fail("hamiltonians", "entries must be \"langevin\" or \"discrete\"");
  j.options.radius = static_cast<int>(t.integer("radius", 0, config::between(0, 200)));
  j.options.seed_radius = t.number("seed_radius", j.options.seed_radius, config::between(1, 50));
  j.options.stop_at_boundary = t.boolean("stop_at_boundary", false);
  j.options.guided = t.boolean("guided", j.options.guided);
  j.options.simpson = t.choice("quadrature", "midpoint", {"midpoint", "simpson"}) == "simpson";
  j.method = t.choice("method", "auto", {"auto", "jet", "olim"});
  const config::Table c = t.table("cycle");
  if (c.present()) {
    const auto st = c.numbers("start");
    if (static_cast<int>(st.size()) != dim) c.fail("start", fmt::format("needs {} entries", dim));
    j.cycle_start = Eigen::Map<const Vec>(st.data(), dim);
    j.cycle_transient = c.number("transient", j.cycle_transient, config::non_negative());
    j.cycle_record = c.number("record", j.cycle_record, config::positive());
    j.cycle_points = static_cast<int>(c.integer("points", j.cycle_points, config::between(10, 1000000)));
    if (!j.attractors.empty()) c.fail("start", "a cycle source excludes attractor/attractors");
  }
  if (t.has("paths"))
    for (const auto& p : t.number_matrix("paths")) {
      if (static_cast<int>(p.size()) != dim) t.fail("paths", fmt::format("each point needs {} entries", dim));
      j.paths.push_back(Eigen::Map<const Vec>(p.data(), dim));
    }
  return j;
}

std::vector<Vec> cycle_points(const model::System& system, const QpJob& j);

/// The equilibria in the grid box (analyze), split into attractors and the rest.
struct Equilibria {
  std::vector<Vec> attractors, others;
  std::vector<Vec> cycle;  // a limit-cycle source instead of attractors
};

/// The attractors (given, or every stable equilibrium in the box) and the
/// other equilibria, which update segments must not cross.
Equilibria find_equilibria(const model::System& system, const QpJob& j) {
  analyze::Options ao;
  ao.lower = j.grid.lower;
  ao.upper = j.grid.upper;
  const auto found = analyze::find_equilibria(system, ao);
  Equilibria e;
  e.attractors = j.attractors;
  // A given attractor must be a stable equilibrium to rounding: one written
  // to a few digits is refined to the stable equilibrium found next to it.
  const double diagonal = (Eigen::Map<const Vec>(ao.upper.data(), static_cast<Eigen::Index>(ao.upper.size())) -
                           Eigen::Map<const Vec>(ao.lower.data(), static_cast<Eigen::Index>(ao.lower.size()))).norm();
  for (std::size_t i = 0; i < e.attractors.size(); ++i) {
    Vec& a = e.attractors[i];
    const analyze::Equilibrium* nearest = nullptr;
    for (const auto& q : found.equilibria)
      if (q.stability == analyze::Stability::kStable && (!nearest || (q.x - a).norm() < (nearest->x - a).norm())) nearest = &q;
    if (nearest && (nearest->x - a).norm() < 1e-6 * (1 + a.norm())) continue;
    if (nearest && (nearest->x - a).norm() < 1e-3 * diagonal) {
      std::cout << fmt::format("quasipotential: attractor {} refined to the stable equilibrium ({:.12g}) ({:.2g} away)\n", i,
                               fmt::join(nearest->x, ", "), (nearest->x - a).norm());
      a = nearest->x;
      continue;
    }
    throw config_error(fmt::format("quasipotential.attractor{}: ({:.12g}) is not a stable equilibrium of the drift (|b| = "
                                   "{:.3g} there){}; give it to 1e-6, or leave it out to use the attractors found in the box",
                                   j.attractors.size() > 1 ? "s" : "", fmt::join(a, ", "), system.drift_at(a).norm(),
                                   nearest ? fmt::format("; the nearest stable one found is ({:.12g})", fmt::join(nearest->x, ", ")) : ""));
  }
  for (const auto& q : found.equilibria) {
    const bool given = std::any_of(e.attractors.begin(), e.attractors.end(),
                                   [&](const Vec& a) { return (a - q.x).norm() < 1e-6 * (1 + a.norm()); });
    if (q.stability == analyze::Stability::kStable && j.attractors.empty() && !given) e.attractors.push_back(q.x);
    else if (!given) e.others.push_back(q.x);
  }
  if (j.cycle_start) {  // every equilibrium is to be avoided; the source is the cycle
    for (const auto& a : e.attractors) e.others.push_back(a);
    e.attractors.clear();
    e.cycle = cycle_points(system, j);
    return e;
  }
  if (e.attractors.empty()) throw config_error("quasipotential.lower/upper: no attractor in the box; give quasipotential.attractor");
  if (e.attractors.size() > 8)
    throw config_error(fmt::format("quasipotential: {} attractors in the box (at most 8); give quasipotential.attractors",
                                   e.attractors.size()));
  return e;
}

double grid_step(const grid::Grid& g) {
  double h = 0;
  for (int k = 0; k < g.dim(); ++k) h = std::max(h, g.spacing(k));
  return h;
}

void write_paths(const io::Group& g, const model::Hamiltonian& h, const QpJob& job, const std::vector<double>& value,
                 const std::vector<double>& grad, const std::vector<Vec>& attractors) {
  if (job.paths.empty()) return;
  std::vector<hj::Path> paths;
  const int d = job.grid.dim();
  for (const auto& x : job.paths) {
    paths.push_back(hj::trace_back(h, job.grid, value, grad, attractors, x, job.options.seed_radius * grid_step(job.grid)));
    std::cout << fmt::format("  path from ({}): V = {:.8g}, {} points, {}\n",
                             fmt::join(std::vector<double>(x.data(), x.data() + x.size()), ", "), paths.back().value_start,
                             paths.back().points.size() / d, paths.back().reached ? "reaches the source" : "stopped early");
  }
  hj::write_paths(g, paths, d);
}

/// Points along the limit cycle reached from cycle_start (Dopri5, tight tolerances).
std::vector<Vec> cycle_points(const model::System& system, const QpJob& j) {
  ode::Options o;
  o.rtol = 1e-10;
  o.atol = 1e-12;
  o.outputs = 2;
  const auto settle = ode::integrate(ode::from_system(system), 0, j.cycle_transient, *j.cycle_start, o);
  if (!settle.ok()) throw Error(ExitCode::kData, "quasipotential.cycle: " + settle.message);
  o.outputs = j.cycle_points;
  const auto rec = ode::integrate(ode::from_system(system), 0, j.cycle_record, settle.x.col(settle.x.cols() - 1), o);
  if (!rec.ok()) throw Error(ExitCode::kData, "quasipotential.cycle: " + rec.message);
  std::vector<Vec> pts;
  for (Eigen::Index i = 0; i < rec.x.cols(); ++i) pts.push_back(rec.x.col(i));
  const double closing = (pts.front() - pts.back()).norm(), size = (rec.x.rowwise().maxCoeff() - rec.x.rowwise().minCoeff()).norm();
  std::cout << fmt::format("cycle: {} points over t = {:.6g}; the path closes to {:.3g} of its extent {:.3g}\n",
                           pts.size(), j.cycle_record, closing, size);
  return pts;
}

/// One Hamiltonian: the local potential of a single attractor, or the global
/// one over several; written under g.
template <int D>
void run(const model::Hamiltonian& h, const QpJob& job, const Equilibria& eq, const io::Group& g,
         const std::vector<std::string>& vars, bool quiet) {
  const std::vector<Vec>& attractors = eq.attractors;
  QpJob j = job;
  std::string why;
  if (j.method == "jet") {
    if (!hj::jet_applies(h, D, &why)) throw config_error("quasipotential.method = \"jet\": " + why);
    j.options.method = hj::Method::kJet;
  } else if (j.method == "auto") {
    const bool jet = eq.cycle.empty() && attractors.size() == 1 && hj::jet_applies(h, D);
    j.options.method = jet ? hj::Method::kJet : hj::Method::kOlim;
  }
  std::unique_ptr<Progress> progress;
  if (!eq.cycle.empty()) {
    if (!quiet) progress = std::make_unique<Progress>("quasipotential", static_cast<std::uint64_t>(j.grid.size()));
    const hj::Result r = hj::solve<D>(hj::Problem{h, j.grid, Vec(), eq.others, eq.cycle}, j.options, progress.get());
    if (progress) progress->finish();
    std::cout << r.brief_report();
    if (!r.ok()) throw Error(ExitCode::kData, "quasipotential: " + r.message);
    const auto grad = r.grad.empty() ? hj::gradient(r.grid, r.value) : r.grad;
    hj::write_potential(g, r, grad, vars, Vec());
    write_paths(g, h, j, r.value, grad, eq.cycle);
    return;
  }
  const auto units = static_cast<std::uint64_t>(j.grid.size() * attractors.size());
  if (!quiet) progress = std::make_unique<Progress>("quasipotential", units);
  if (attractors.size() == 1) {
    const hj::Result r = hj::solve<D>(hj::Problem{h, j.grid, attractors[0], eq.others}, j.options, progress.get());
    if (progress) progress->finish();
    std::cout << r.brief_report();
    if (!r.ok()) throw Error(ExitCode::kData, "quasipotential: " + r.message);
    const auto grad = r.grad.empty() ? hj::gradient(r.grid, r.value) : r.grad;
    hj::write_potential(g, r, grad, vars, attractors[0]);
    write_paths(g, h, j, r.value, grad, attractors);
    return;
  }
  if (j.options.stop_at_boundary)
    throw config_error("quasipotential.stop_at_boundary: not with several attractors (their costs need the whole box)");
  const hj::GlobalResult gr = hj::solve_global<D>(h, j.grid, attractors, j.options, progress.get(), eq.others);
  if (progress) progress->finish();
  std::cout << gr.brief_report();
  const auto grad = hj::gradient(j.grid, gr.value);
  hj::write_global(g, gr, grad, vars);
  write_paths(g, h, j, gr.value, grad, attractors);
}

/// The grid's memory (each finished local potential is kept for the global one) and
/// its time: the marches' cost per node, measured on the reference machine
/// (docs/performance.md: about 6 us per node in 2-D and 12 us in 3-D, per
/// attractor and Hamiltonian), over the grid.
Estimate estimate_grid(const QpJob& job, const Equilibria& eq, int dim) {
  const double sources = std::max<double>(1, static_cast<double>(eq.cycle.empty() ? eq.attractors.size() : 1));
  const double nodes = static_cast<double>(job.grid.size());
  Estimate e;
  // One march at a time; the finished ones keep V and grad V for the global potential.
  e.bytes = static_cast<double>(hj::Result::memory_estimate(job.grid, job.method == "olim" ? hj::Method::kOlim : hj::Method::kJet)) +
            (sources - 1) * nodes * 8.0 * (1 + dim);
  e.seconds = nodes * sources * static_cast<double>(job.hamiltonians.size()) * (dim == 2 ? 6e-6 : 12e-6);
  e.sizes = "quasipotential.nodes";
  e.detail = fmt::format("{:.3g} nodes x {} source{}", nodes, sources, sources > 1 ? "s" : "");
  return e;
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
    const Equilibria eq = find_equilibria(*model.system, job);
    const std::vector<Vec>& attractors = eq.attractors;
    report_and_check(opts, "quasipotential", estimate_grid(job, eq, model.dim()));
    std::cout << fmt::format("grid {} nodes, about {:.3g} MB; {}\n", job.grid.size(),
                             static_cast<double>(hj::Result::memory_estimate(
                                 job.grid, job.method == "olim" ? hj::Method::kOlim : hj::Method::kJet)) / 1e6,
                             !eq.cycle.empty()        ? std::string("source: the limit cycle")
                             : attractors.size() == 1 ? std::string("1 attractor")
                                                      : fmt::format("{} attractors (global potential by W-graphs)", attractors.size()));
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
      if (model.dim() == 2) run<2>(h, job, eq, qp.group(name), vars, opts.quiet);
      else run<3>(h, job, eq, qp.group(name), vars, opts.quiet);
    }
    file->commit();
    std::cout << "wrote " << out << "\n";
    return 0;
  };
}

}  // namespace fw::driver
