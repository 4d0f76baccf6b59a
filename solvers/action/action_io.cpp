#include "action_io.hpp"

#include <fmt/format.h>

#include <cmath>
#include <limits>

namespace fw::action {

void write_string(const io::Group& parent, const StringResult& r, double barrier, const std::vector<std::string>& vars) {
  const io::Group g = parent.group("string");
  const auto n = static_cast<std::size_t>(r.path.cols()), d = static_cast<std::size_t>(r.path.rows());
  std::string joined;
  for (const auto& v : vars) joined += (joined.empty() ? "" : ", ") + v;
  g.add_index_dimension("image", n, "image along the string, from the start");
  g.add_index_dimension("component", d, "state coordinate (" + joined + ")");
  std::vector<double> path(n * d), energy(n);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t k = 0; k < d; ++k) path[i * d + k] = r.path(static_cast<Eigen::Index>(k), static_cast<Eigen::Index>(i));
    energy[i] = r.energy[static_cast<Eigen::Index>(i)];
  }
  g.write("path", {"image", "component"}, std::span<const double>(path), {"1", "minimum energy path"});
  g.write("loss", {"image"}, std::span<const double>(energy), {"1", "loss f at each image"});
  // NaN when no image climbed (climbing = false, or the string never came near a path).
  const Vec saddle = r.saddle.size() == static_cast<Eigen::Index>(d) ? r.saddle : Vec::Constant(static_cast<Eigen::Index>(d), std::nan(""));
  g.write("saddle", {"component"}, std::span<const double>(saddle.data(), d),
          {"1", "index-1 saddle: the climbing image after Newton on the drift"});
  g.set_attribute("saddle_residual", r.saddle_residual);
  g.set_attribute("barrier", barrier);
  g.set_attribute("climbing_image", static_cast<std::int64_t>(r.climbing));
  g.set_attribute("iterations", static_cast<std::int64_t>(r.iterations));
  g.set_attribute("converged", static_cast<std::int64_t>(r.converged));
  g.set_attribute("status", r.message);
}

void write_action(const io::Group& parent, const Result& r, const std::vector<std::string>& vars,
                  const std::string& hamiltonian, const std::optional<Refinement>& refinement) {
  const io::Group g = parent.group("action");
  const auto n = static_cast<std::size_t>(r.path.cols());
  const auto d = static_cast<std::size_t>(r.path.rows());
  std::vector<double> s(n);
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<double>(i) / static_cast<double>(n - 1);
  std::string joined;
  for (const auto& v : vars) joined += (joined.empty() ? "" : ", ") + v;
  g.add_dimension("arclength", s, {"1", "normalised arclength along the path, 0 at the start, 1 at the end"});
  g.add_index_dimension("component", d, "state coordinate (" + joined + ")");
  std::vector<double> path(n * d), momentum(n * d), lambda(n), v(n);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t k = 0; k < d; ++k) {
      path[i * d + k] = r.path(static_cast<Eigen::Index>(k), static_cast<Eigen::Index>(i));
      momentum[i * d + k] = r.momentum(static_cast<Eigen::Index>(k), static_cast<Eigen::Index>(i));
    }
    lambda[i] = r.lambda[static_cast<Eigen::Index>(i)];
    v[i] = r.cumulative[static_cast<Eigen::Index>(i)];
  }
  g.write("path", {"arclength", "component"}, std::span<const double>(path), {"1", "minimum action path"});
  g.write("momentum", {"arclength", "component"}, std::span<const double>(momentum),
          {"1", "optimal momentum p_hat along the path (H(phi, p_hat) = 0)"});
  g.write("lambda", {"arclength"}, std::span<const double>(lambda),
          {"1", "lambda with H_p(phi, p_hat) = lambda phi' (phi' per unit normalised arclength)"});
  g.write("cumulative_action", {"arclength"}, std::span<const double>(v),
          {"1", "action from the start to each node, V(s)"});
  g.set_attribute("action", r.action);
  g.set_attribute("seed_action", r.seed_action);
  g.set_attribute("hamiltonian", hamiltonian);
  g.set_attribute("status", r.message);
  g.set_attribute("outcome", status_name(r.status));
  g.set_attribute("converged", static_cast<std::int64_t>(r.ok()));
  g.set_attribute("residual", r.residual);
  g.set_attribute("rounding_floor", r.rounding_floor);
  g.set_attribute("relaxations", static_cast<std::int64_t>(r.relaxations));
  g.set_attribute("start", r.start);
  g.set_attribute("saddle_check", r.saddle_check);
  g.set_attribute("iterations", static_cast<std::int64_t>(r.iterations));
  g.set_attribute("coarse_iterations", static_cast<std::int64_t>(r.coarse_iterations));
  g.set_attribute("hamiltonian_residual", r.hamiltonian_residual);
  if (refinement) {
    g.set_attribute("action_refined", refinement->fine_action);
    g.set_attribute("action_extrapolated", refinement->extrapolated);
    g.set_attribute("error_estimate", refinement->error_estimate);
  }
}

namespace {

std::vector<double> points_row_major(const std::vector<Vec>& pts, std::size_t d) {
  std::vector<double> out;
  out.reserve(pts.size() * d);
  for (const auto& p : pts)
    for (std::size_t k = 0; k < d; ++k) out.push_back(p[static_cast<Eigen::Index>(k)]);
  return out;
}

}  // namespace

void write_transitions(const io::Group& parent, const TransitionResult& r, const std::vector<std::string>& vars,
                       const std::string& hamiltonian) {
  const io::Group g = parent.group("transitions");
  const std::size_t d = vars.size(), m = r.attractors.size();
  std::string joined;
  for (const auto& v : vars) joined += (joined.empty() ? "" : ", ") + v;
  g.add_index_dimension("component", d, "state coordinate (" + joined + ")");
  g.add_index_dimension("attractor", m, "attractor index");
  g.add_index_dimension("to", m, "destination attractor index");
  g.add_index_dimension("saddle", r.saddles.size(), "index-1 saddle");
  g.add_index_dimension("leg", r.legs.size(), "an attractor-to-saddle leg");
  g.write("attractors", {"attractor", "component"}, std::span<const double>(points_row_major(r.attractors, d)),
          {"1", "stable equilibria"});
  if (!r.saddles.empty())
    g.write("saddles", {"saddle", "component"}, std::span<const double>(points_row_major(r.saddles, d)),
            {"1", "index-1 saddles"});
  std::vector<std::int64_t> joins;
  for (const auto& [a, b] : r.joins) joins.push_back(a), joins.push_back(b);
  if (!joins.empty()) {
    g.add_index_dimension("side", 2, "the two ends of the unstable manifold");
    g.write("saddle_joins", {"saddle", "side"}, std::span<const std::int64_t>(joins),
            {"1", "attractors the saddle's unstable manifold reaches (-1: none)"});
  }
  std::vector<double> cost(m * m);
  for (std::size_t i = 0; i < m; ++i)
    for (std::size_t j = 0; j < m; ++j) cost[i * m + j] = r.cost(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j));
  g.write("cost", {"attractor", "to"}, std::span<const double>(cost),
          {"1", "least cost V(K_i -> K_j) over the saddles joining them (inf: none)"});
  g.write("w", {"attractor"}, std::span<const double>(r.w.data(), m), {"1", "Freidlin-Wentzell W-graph energy"});
  g.write("log_occupation", {"attractor"}, std::span<const double>(r.log_occupation.data(), m),
          {"1", "-(W_i - W_min): eps times the log occupation ratio against the ground state"});
  std::vector<std::int64_t> from, to, saddle, converged, gradient;
  std::vector<double> lc, lcn, err, pre;
  for (const auto& l : r.legs) {
    from.push_back(l.from), to.push_back(l.to), saddle.push_back(l.saddle);
    converged.push_back(l.converged), gradient.push_back(l.gradient);
    lc.push_back(l.cost), lcn.push_back(l.cost_n), err.push_back(l.error);
    pre.push_back(l.gradient ? l.prefactor : std::numeric_limits<double>::quiet_NaN());
  }
  if (!r.legs.empty()) {
    g.write("leg_from", {"leg"}, std::span<const std::int64_t>(from), {"1", "attractor left"});
    g.write("leg_to", {"leg"}, std::span<const std::int64_t>(to), {"1", "attractor reached downhill"});
    g.write("leg_saddle", {"leg"}, std::span<const std::int64_t>(saddle), {"1", "saddle crossed"});
    g.write("leg_cost", {"leg"}, std::span<const double>(lc), {"1", "action to the saddle (Richardson-extrapolated)"});
    g.write("leg_cost_coarse", {"leg"}, std::span<const double>(lcn), {"1", "action on `nodes` points"});
    g.write("leg_error", {"leg"}, std::span<const double>(err), {"1", "|extrapolated - finer run|"});
    g.write("leg_converged", {"leg"}, std::span<const std::int64_t>(converged), {"1", "gMAM converged (0/1)"});
    g.write("eyring_kramers_prefactor", {"leg"}, std::span<const double>(pre),
            {"1", "E tau ~ prefactor exp(cost/eps) (gradient Langevin, D = c I; NaN otherwise)"});
    const std::size_t n = static_cast<std::size_t>(r.legs.front().path.cols());
    g.add_index_dimension("node", n, "node along the leg's path, attractor to saddle");
    std::vector<double> paths(r.legs.size() * n * d, std::numeric_limits<double>::quiet_NaN());
    for (std::size_t l = 0; l < r.legs.size(); ++l)
      for (std::size_t i = 0; i < std::min(n, static_cast<std::size_t>(r.legs[l].path.cols())); ++i)
        for (std::size_t k = 0; k < d; ++k)
          paths[(l * n + i) * d + k] = r.legs[l].path(static_cast<Eigen::Index>(k), static_cast<Eigen::Index>(i));
    g.write("leg_path", {"leg", "node", "component"}, std::span<const double>(paths),
            {"1", "minimum action path of the leg (equal arclength)"});
  }
  g.set_attribute("ground_state", static_cast<std::int64_t>(r.ground));
  g.set_attribute("hamiltonian", hamiltonian);
  g.set_attribute("connected", static_cast<std::int64_t>(r.connected()));
  g.set_attribute("all_legs_converged", static_cast<std::int64_t>(r.all_converged()));
  g.set_attribute("outcome", r.outcome());
  std::string missing;
  for (const std::string& m : r.missing_legs()) missing += (missing.empty() ? "" : "; ") + m;
  g.set_attribute("missing_legs", missing);
  for (std::size_t l = 0; l < r.legs.size(); ++l) g.set_attribute(fmt::format("leg_{}_status", l), r.legs[l].message);
}

}  // namespace fw::action
