#include "hj_io.hpp"

#include <limits>

namespace fw::hj {

void write_potential(const io::Group& g, const Result& r, const std::vector<double>& grad,
                     const std::vector<std::string>& vars, const Vec& attractor) {
  std::vector<std::string> dims;
  for (int k = 0; k < r.grid.dim(); ++k) {
    std::vector<double> c;
    for (int i = 0; i < r.grid.nodes[k]; ++i) c.push_back(r.grid.coordinate(k, i));
    g.add_dimension(vars[k], c, {"1", "grid node coordinate " + vars[k]});
    dims.push_back(vars[k]);
  }
  std::string names;
  for (const auto& v : vars) names += (names.empty() ? "" : ", ") + v;
  g.add_index_dimension("component", vars.size(), "component of grad V (" + names + ")");
  g.write("V", dims, std::span<const double>(r.value), {"1", "quasi-potential V (inf: not reached)"});
  std::vector<std::int64_t> status(r.node_status.begin(), r.node_status.end());
  g.write("status", dims, std::span<const std::int64_t>(status),
          {"1", "node status", {0, 1, 2, 3}, "far trial accepted seed"});
  auto gdims = dims;
  gdims.push_back("component");
  g.write("grad_V", gdims, std::span<const double>(grad), {"1", "grad V by central differences"});
  g.set_attribute("status_message", r.message);
  g.set_attribute("radius", static_cast<std::int64_t>(r.radius));
  g.set_attribute("accepted", r.accepted);
  g.set_attribute("updates", r.updates);
  g.set_attribute("seconds", r.seconds);
  g.set_attribute("attractor", std::span<const double>(attractor.data(), static_cast<std::size_t>(attractor.size())));
  if (r.status == Result::Status::kStoppedAtBoundary) {
    g.set_attribute("boundary_value", r.boundary_value);
    g.set_attribute("boundary_point", std::span<const double>(r.boundary_point));
  }
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
