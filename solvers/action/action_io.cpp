#include "action_io.hpp"

namespace fw::action {

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
  g.set_attribute("iterations", static_cast<std::int64_t>(r.iterations));
  g.set_attribute("hamiltonian_residual", r.hamiltonian_residual);
  if (refinement) {
    g.set_attribute("action_refined", refinement->fine_action);
    g.set_attribute("action_extrapolated", refinement->extrapolated);
    g.set_attribute("error_estimate", refinement->error_estimate);
  }
}

}  // namespace fw::action
