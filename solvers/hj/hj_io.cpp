#include "hj_io.hpp"

#include <limits>
#include <vector>

#include "fwkit/io/grid_dimensions.hpp"

namespace fw::hj {

void write_potential(const io::Group& g, const Result& r, const std::vector<double>& grad,
                     const std::vector<std::string>& vars, const Vec& attractor) {
  const std::vector<std::string> dims = io::add_grid_dimensions(g, r.grid, vars);
  std::string names;
  for (const auto& v : vars) names += (names.empty() ? "" : ", ") + v;
  g.add_index_dimension("component", vars.size(), "component of grad V (" + names + ")");
  g.write("V", dims, std::span<const double>(r.value), {"1", "quasi-potential V (inf: not reached)"});
  std::vector<std::int64_t> status(r.node_status.begin(), r.node_status.end());
  g.write("status", dims, std::span<const std::int64_t>(status),
          {"1", "node status", {0, 1, 2, 3}, "far trial accepted seed"});
  auto gdims = dims;
  gdims.push_back("component");
  g.write("grad_V", gdims, std::span<const double>(grad),
          {"1", r.grad.empty() ? "grad V by central differences" : "grad V marched with V (jet method)"});
  g.set_attribute("status_message", r.message);
  g.set_attribute("method", std::string(method_name(r.method)));
  g.set_attribute("radius", static_cast<std::int64_t>(r.radius));
  g.set_attribute("accepted", r.accepted);
  g.set_attribute("updates", r.updates);
  g.set_attribute("seconds", r.seconds);
  if (!r.guide_grid.empty()) {
    const std::vector<std::int64_t> nodes(r.guide_grid.begin(), r.guide_grid.end());
    g.set_attribute("guide_nodes", std::span<const std::int64_t>(nodes));
    g.set_attribute("guide_fallbacks", r.guide_fallbacks);
  }
  if (attractor.size() > 0) {
    g.set_attribute("source", "attractor");
    g.set_attribute("attractor", std::span<const double>(attractor.data(), static_cast<std::size_t>(attractor.size())));
  } else {
    g.set_attribute("source", "limit cycle");
  }
  if (r.status == Result::Status::kStoppedAtBoundary) {
    g.set_attribute("boundary_value", r.boundary_value);
    g.set_attribute("boundary_point", std::span<const double>(r.boundary_point));
  }
}

void write_global(const io::Group& g, const GlobalResult& r, const std::vector<double>& grad,
                  const std::vector<std::string>& vars) {
  const grid::Grid& grid = r.local.front().grid;
  const std::vector<std::string> dims = io::add_grid_dimensions(g, grid, vars);
  const std::size_t m = r.attractors.size(), d = vars.size();
  g.add_index_dimension("component", d, "state coordinate");
  g.add_index_dimension("attractor", m, "attractor");
  g.add_index_dimension("attractor_to", m, "attractor reached");
  g.write("V", dims, std::span<const double>(r.value),
          {"1", "global quasi-potential min_i [W_i + V_i] - min W (inf: not reached)"});
  auto gdims = dims;
  gdims.push_back("component");
  g.write("grad_V", gdims, std::span<const double>(grad), {"1", "grad of the global V by central differences"});
  std::vector<double> local, att, cost, w;
  std::vector<std::int64_t> status;
  for (const auto& l : r.local) {
    local.insert(local.end(), l.value.begin(), l.value.end());
    status.insert(status.end(), l.node_status.begin(), l.node_status.end());
  }
  auto ldims = dims;
  ldims.insert(ldims.begin(), "attractor");
  g.write("local_V", ldims, std::span<const double>(local), {"1", "local quasi-potential V_i from each attractor"});
  g.write("local_status", ldims, std::span<const std::int64_t>(status),
          {"1", "node status of each local march", {0, 1, 2, 3}, "far trial accepted seed"});
  for (const auto& a : r.attractors) att.insert(att.end(), a.data(), a.data() + a.size());
  for (std::size_t i = 0; i < m; ++i)
    for (std::size_t j = 0; j < m; ++j) cost.push_back(r.cost(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)));
  w.assign(r.w.data(), r.w.data() + r.w.size());
  g.write("attractor_state", {"attractor", "component"}, std::span<const double>(att), {"1", "attractor positions"});
  g.write("cost", {"attractor", "attractor_to"}, std::span<const double>(cost), {"1", "V_ij = V_i(K_j), the cost from K_i to K_j"});
  g.write("W", {"attractor"}, std::span<const double>(w), {"1", "Freidlin-Wentzell W-graph energy of each attractor"});
  g.set_attribute("ground_state", static_cast<std::int64_t>(r.ground));
  g.set_attribute("radius", static_cast<std::int64_t>(r.local.front().radius));
  double seconds = 0;
  for (const auto& l : r.local) seconds += l.seconds;
  g.set_attribute("seconds", seconds);
}

void write_paths(const io::Group& parent, const std::vector<Path>& paths, int d) {
  const io::Group g = parent.group("paths");
  std::size_t longest = 0;
  for (const auto& p : paths) longest = std::max(longest, p.points.size() / d);
  g.add_index_dimension("path", paths.size(), "path, in config order");
  g.add_index_dimension("point", longest, "point along the path, from its end towards the attractor");
  g.add_index_dimension("component", static_cast<std::size_t>(d), "state coordinate");
  std::vector<double> pts(paths.size() * longest * d, std::numeric_limits<double>::quiet_NaN()), v0;
  std::vector<std::int64_t> reached, length;
  for (std::size_t i = 0; i < paths.size(); ++i) {
    std::copy(paths[i].points.begin(), paths[i].points.end(), pts.begin() + static_cast<std::ptrdiff_t>(i * longest * d));
    v0.push_back(paths[i].value_start);
    reached.push_back(paths[i].reached);
    length.push_back(static_cast<std::int64_t>(paths[i].points.size() / d));
  }
  g.write("state", {"path", "point", "component"}, std::span<const double>(pts),
          {"1", "minimum action path traced back from its end (NaN padding)"});
  g.write("V_end", {"path"}, std::span<const double>(v0), {"1", "V at the path's end point"});
  g.write("reached", {"path"}, std::span<const std::int64_t>(reached),
          {"1", "whether the path reached the attractor", {0, 1}, "no yes"});
  g.write("points", {"path"}, std::span<const std::int64_t>(length), {"1", "points on the path"});
}

}  // namespace fw::hj
