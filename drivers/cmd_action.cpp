// `fwkit action`: the minimum action path and cost between two points
// (geometric minimum action method), with N -> 2N Richardson refinement.
#include <fmt/format.h>

#include <algorithm>
#include <iostream>
#include <optional>

#include "action/action_io.hpp"
#include "action/gmam.hpp"
#include "action/string_method.hpp"
#include "analyze/equilibria.hpp"
#include "commands.hpp"
#include "fwkit/config/model_config.hpp"
#include "fwkit/io/provenance.hpp"

namespace fw::driver {
namespace {

/// [action.transitions]: costs between all attractors over their saddles.
struct TransitionsJob {
  std::vector<double> lower, upper;      // box searched by analyze for attractors and saddles
  std::vector<Vec> attractors, saddles;  // or given
  action::TransitionOptions options;
};

struct ActionJob {
  Vec from, to;
  std::optional<TransitionsJob> transitions;
  std::string hamiltonian;
  bool refine = true;
  std::optional<Mat> initial;  // through_points: an initial path from `from` to `to` through these
  action::Options options;
  bool string = false;         // method = "string": minimum energy path and saddle (gradient systems)
  action::StringOptions string_options;
};

std::vector<Vec> read_points(const config::Table& t, const std::string& key, int dim) {
  std::vector<Vec> out;
  for (const auto& p : t.number_matrix(key)) {
    if (static_cast<int>(p.size()) != dim) t.fail(key, fmt::format("each point needs {} entries", dim));
    out.push_back(Eigen::Map<const Vec>(p.data(), dim));
  }
  return out;
}

ActionJob read_job(const config::Table& t, int dim) {
  ActionJob j;
  const config::Table tr = t.table("transitions");
  if (tr.present()) {
    for (const char* key : {"from", "to", "through"})
      if (t.has(key))
        t.fail(key, "[action.transitions] finds its own ends (every attractor and the saddles between them); "
                    "from, to and through are for one transition: remove them or the [action.transitions] table");
    TransitionsJob tj;
    if (tr.has("attractors")) {
      tj.attractors = read_points(tr, "attractors", dim);
      tj.saddles = tr.has("saddles") ? read_points(tr, "saddles", dim) : std::vector<Vec>{};
      if (tj.attractors.size() < 2 || tj.attractors.size() > 8) tr.fail("attractors", "give 2 to 8 attractors");
    } else {
      tj.lower = tr.numbers("lower");
      tj.upper = tr.numbers("upper");
      if (static_cast<int>(tj.lower.size()) != dim) tr.fail("lower", fmt::format("needs {} entries", dim));
      if (static_cast<int>(tj.upper.size()) != dim) tr.fail("upper", fmt::format("needs {} entries", dim));
    }
    tj.options.offset = tr.number("offset", tj.options.offset, config::between(1e-8, 0.1));
    tj.options.settle_time = tr.number("settle_time", tj.options.settle_time, config::positive());
    j.transitions = tj;
  } else {
    const auto a = t.numbers("from"), b = t.numbers("to");
    j.from = Eigen::Map<const Vec>(a.data(), static_cast<Eigen::Index>(a.size()));
    j.to = Eigen::Map<const Vec>(b.data(), static_cast<Eigen::Index>(b.size()));
    for (const auto& [key, v] : {std::pair{"from", &a}, std::pair{"to", &b}})
      if (static_cast<int>(v->size()) != dim)
        t.fail(key, fmt::format("has {} entries, expected {} (one per state variable)", v->size(), dim));
    if (a == b) t.fail("to", "equals action.from: a path from a point to itself costs 0; give two different points");
  }
  j.string = t.choice("method", "gmam", {"gmam", "string"}) == "string";
  if (j.string && j.transitions) t.fail("method", "\"string\" finds one saddle between from and to; [action.transitions] runs gMAM between all attractors");
  if (j.string) {
    // The string method's own keys; gMAM's below are not read.
    j.string_options.images = static_cast<int>(t.integer("nodes", 41, config::at_least(3)));
    // The path to 1e-4; the saddle is then polished by Newton and its index checked.
    j.string_options.tolerance = t.number("tolerance", 1e-4, config::positive());
    j.string_options.max_iterations = static_cast<int>(t.integer("max_iterations", 100000, config::at_least(1)));
    j.string_options.climbing = t.boolean("climbing", true);
    return j;
  }
  j.hamiltonian = t.choice("hamiltonian", "discrete", {"discrete", "langevin"});
  j.refine = t.boolean("refine", true);
  action::Options& o = j.options;
  o.nodes = static_cast<int>(t.integer("nodes", o.nodes, config::at_least(5)));
  o.max_iterations = static_cast<int>(t.integer("max_iterations", o.max_iterations, config::at_least(0)));
  o.tolerance = t.number("tolerance", o.tolerance, config::positive());
  o.initial_step = t.number("initial_step", o.initial_step, config::positive());
  // Negative (the default, written so into resolved configs): automatic (Options::seed).
  o.seed = t.number("seed", o.seed, config::any());
  o.restarts = t.boolean("restarts", o.restarts);
  o.saddle_check = t.boolean("saddle_check", o.saddle_check);
  if (t.has("through")) {
    // The initial path runs from `from` through these points to `to` (to
    // break a symmetry the straight line would keep, e.g. Maier–Stein with
    // beta > 4, where the axis is a saddle point of the action).
    const auto pts = t.number_matrix("through");
    Mat m(j.from.size(), static_cast<Eigen::Index>(pts.size()) + 2);
    m.col(0) = j.from;
    for (std::size_t i = 0; i < pts.size(); ++i) {
      if (static_cast<Eigen::Index>(pts[i].size()) != j.from.size())
        t.fail("through", fmt::format("each point needs {} entries", j.from.size()));
      m.col(static_cast<Eigen::Index>(i) + 1) = Eigen::Map<const Vec>(pts[i].data(), j.from.size());
    }
    m.col(m.cols() - 1) = j.to;
    j.initial = m;
  }
  return j;
}

/// `[action.transitions]`: attractors and index-1 saddles (analyze, or
/// given), the costs between them, W-graphs, Eyring–Kramers.
int run_transitions(const model::Model& model, const ActionJob& job, const CommonOptions& opts, const std::string& cmdline,
                    const config::Config& cfg, const std::string& out) {
  TransitionsJob tj = *job.transitions;
  tj.options.action = job.options;
  tj.options.refine = job.refine;
  tj.options.validate();
  if (tj.attractors.empty()) {
    analyze::Options ao;
    ao.lower = tj.lower;
    ao.upper = tj.upper;
    ao.validate(model.dim(), "action.transitions");
    const analyze::Result eq = analyze::find_equilibria(*model.system, ao);
    for (const auto& e : eq.equilibria) {
      if (e.stability == analyze::Stability::kStable) tj.attractors.push_back(e.x);
      // In one dimension the barrier top (one unstable direction) is the saddle.
      const bool transition_state = e.index == 1 && (e.stability == analyze::Stability::kSaddle ||
                                                     (model.dim() == 1 && e.stability == analyze::Stability::kUnstable));
      if (transition_state) tj.saddles.push_back(e.x);
    }
    std::cout << eq.brief_report();
    if (tj.attractors.size() < 2 || tj.attractors.size() > 8)
      throw config_error(fmt::format("action.transitions.lower/upper: the box holds {} attractors (need 2 to 8)",
                                     tj.attractors.size()));
  }
  const auto file = open_output(opts, out);
  if (!file) return 0;  // --dry-run
  const model::Hamiltonian h(model, job.hamiltonian == "langevin" ? model::HamiltonianKind::kLangevin
                                                                  : model::HamiltonianKind::kDiscrete);
  Progress progress("transitions", static_cast<std::uint64_t>(tj.saddles.size() * (tj.options.refine ? 4 : 2)),
                    opts.quiet ? nullptr : stderr);
  const action::TransitionResult r = action::transitions(h, tj.attractors, tj.saddles, tj.options, &progress);
  std::cout << r.brief_report();
  const io::Group g = file->root();
  io::write_provenance(g, "action", "fwkit transitions between attractors", io::Provenance{cmdline, cfg.resolved_toml(), std::nullopt});
  action::write_transitions(g, r, model.system->variable_names(), job.hamiltonian);
  file->commit();
  std::cout << "wrote " << out << "\n";
  const bool all = r.all_converged();
  if (!all) std::cerr << "fwkit action: not every leg converged (see NOT CONVERGED above, and leg_converged and the leg_k_status attributes in the file)\n";
  for (const std::string& m : r.missing_legs()) std::cerr << "fwkit action: " << m << "\n";
  return all && r.connected() ? 0 : static_cast<int>(ExitCode::kData);
}

}  // namespace

/// `method = "string"`: the minimum energy path between two minima of a
/// loss and the index-1 saddle on it (string method with a climbing image).
int run_string(const model::Model& model, const ActionJob& job, const CommonOptions& opts, const std::string& cmdline,
               const config::Config& cfg, const std::string& out) {
  if (!model.system->is_gradient())
    throw config_error("action.method = \"string\": needs a gradient system (a loss); use method = \"gmam\"");
  for (const auto* p : {&job.from, &job.to})
    if (p->size() != model.dim())
      throw config_error(fmt::format("action.{}: has {} entries, expected {}", p == &job.from ? "from" : "to", p->size(),
                                     model.dim()));
  job.string_options.validate();
  const auto file = open_output(opts, out);
  if (!file) return 0;  // --dry-run
  Progress progress("string", static_cast<std::uint64_t>(job.string_options.max_iterations), opts.quiet ? nullptr : stderr);
  action::StringResult r = action::string_method(*model.system, job.from, job.to, job.string_options, &progress);
  std::cout << "string: " << r.message << "\n";
  double barrier = std::nan("");  // not measured without a saddle
  if (r.climbing > 0) {
    // The saddle's index from the Hessian's spectrum: an index-1 saddle has
    // exactly one negative eigenvalue.
    const Vec ev = Eigen::SelfAdjointEigenSolver<Mat>(model.system->loss_hessian_at(r.saddle), Eigen::EigenvaluesOnly)
                       .eigenvalues();
    const int negative = static_cast<int>((ev.array() < 0).count());
    barrier = model.system->loss(r.saddle.data()) - r.energy[0];
    std::cout << fmt::format("string: saddle from image {} of {}: |b| = {:.3g}, {} negative Hessian eigenvalue{} "
                             "(smallest {:.4g}), barrier f(saddle) - f(from) = {:.10g}\n",
                             r.climbing, r.path.cols(), r.saddle_residual, negative, negative == 1 ? "" : "s",
                             ev.minCoeff(), barrier);
    if (negative != 1 || !(r.saddle_residual <= 1e-8 * (1 + r.saddle.norm()))) {
      r.converged = false;
      std::cout << "string: the point Newton reached from the climbing image is not an index-1 saddle with b = 0, "
                   "so the barrier is not established\n";
    }
  } else if (job.string_options.climbing) {
    r.converged = false;
    std::cout << "string: no image climbed: the string never came within 1e-3 of a minimum energy path, so no "
                 "saddle was found\n";
  } else {
    std::cout << "string: climbing = false: the minimum energy path only, no saddle or barrier\n";
  }
  const io::Group g = file->root();
  io::write_provenance(g, "action", "fwkit minimum energy path (string method)",
                       io::Provenance{cmdline, cfg.resolved_toml(), std::nullopt});
  action::write_string(g, r, barrier, model.system->variable_names());
  file->commit();
  std::cout << "wrote " << out << "\n";
  return r.converged ? 0 : static_cast<int>(ExitCode::kData);
}

void register_action(CLI::App& app, std::function<int()>& action, CommonOptions& opts, const std::string& cmdline) {
  auto* sub = app.add_subcommand("action", "minimum action path and cost between two points (gMAM)");
  add_common_options(*sub, opts);
  action = [&opts, cmdline] {
    config::Config cfg = load_config(opts);
    const config::Table root = cfg.root();
    const model::Model model = config::build_model(root.table("model"));
    const ActionJob job = read_job(root.table("action"), model.dim());
    const std::string out = output_path(opts, root, "action.h5");
    if (finish_config(cfg, opts)) return 0;
    job.options.validate();
    if (job.transitions) return run_transitions(model, job, opts, cmdline, cfg, out);
    if (job.string) return run_string(model, job, opts, cmdline, cfg, out);
    for (const auto* p : {&job.from, &job.to})
      if (p->size() != model.dim())
        throw config_error(fmt::format("action.{}: has {} entries, expected {}", p == &job.from ? "from" : "to",
                                       p->size(), model.dim()));
    // A path cannot start or end where the model is undefined.
    for (const char* end : {"from", "to"})
      config::check_defined_at(model, cfg.root().table("model"), end[0] == 'f' ? job.from : job.to,
                               std::string("action.") + end + cfg.root().table("action").where(end));
    const auto file = open_output(opts, out);
    if (!file) return 0;  // --dry-run
    const model::Hamiltonian h(model, job.hamiltonian == "langevin" ? model::HamiltonianKind::kLangevin
                                                                    : model::HamiltonianKind::kDiscrete);
    // Progress as the residual's fall towards the tolerance (thousandths, log scale), on a terminal or every 10 s in a log.
    Progress progress("action", 1000, opts.quiet ? nullptr : stderr);
    action::Options options = job.options;
    options.progress = &progress;
    const action::Result r = action::minimize_action(h, job.from, job.to, options, job.initial ? &*job.initial : nullptr);
    progress.finish();
    std::cout << r.brief_report();
    std::optional<action::Refinement> refinement;
    if (job.refine && r.ok()) {
      action::Options fine = action::refinement_options(job.options, r);
      const action::Result rf = action::minimize_action(h, job.from, job.to, fine, &r.path);
      std::cout << rf.brief_report();
      if (rf.ok()) {
        const double x = action::richardson(r.action, rf.action, 2);
        refinement = action::Refinement{rf.action, x, std::abs(x - rf.action)};
        std::cout << fmt::format("action: extrapolated (order 2, N -> 2N) {:.12g} +- {:.2g}\n", x, std::abs(x - rf.action));
      }
    }
    const io::Group g = file->root();
    io::write_provenance(g, "action", "fwkit minimum action path", io::Provenance{cmdline, cfg.resolved_toml(), std::nullopt});
    action::write_action(g, r, model.system->variable_names(), job.hamiltonian, refinement);
    file->commit();
    std::cout << "wrote " << out << "\n";
    if (!r.ok()) std::cerr << "fwkit action: no converged path: " << r.message << "\n";
    return r.ok() ? 0 : static_cast<int>(ExitCode::kData);
  };
}

}  // namespace fw::driver
