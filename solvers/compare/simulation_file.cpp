// solvers/compare/simulation_file.cpp — sweep points and their configurations
// (simulation_file.hpp).
#include "simulation_file.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <sstream>

#include <fmt/ranges.h>

#include "fwkit/core/error.hpp"
#include "transitions_file.hpp"

namespace fw::compare {

SimulationFile::SimulationFile(const std::filesystem::path& path, const std::string& purpose)
    : path_(path), reader_(path) {
  const std::string kind = reader_.string_attribute("/", "fwkit_kind");
  if (kind != "simulate")
    throw data_error(fmt::format("{}: is a \"{}\" file; {} reads a simulate file", path.string(), kind, purpose));
  config_text_ = reader_.string_attribute("/provenance", "config");
  if (reader_.exists("/sweep")) {
    sweep_key_ = reader_.string_attribute("/sweep", "key");
    for (const auto& name : reader_.members("/sweep"))
      if (name.rfind("point_", 0) == 0)
        points_.push_back({"sweep/" + name, reader_.number_attribute("/sweep/" + name, "value")});
    std::sort(points_.begin(), points_.end(), [](const Point& a, const Point& b) { return a.group < b.group; });
    if (points_.empty()) throw data_error(path.string() + ": /sweep holds no point");
  } else {
    points_.push_back({"", std::numeric_limits<double>::quiet_NaN()});
  }
}

config::Config SimulationFile::point_config(std::size_t i) const {
  config::Config cfg = config::Config::from_string(config_text_, path_.string() + ":/provenance/config");
  if (!sweep_key_.empty()) cfg.set(fmt::format("{}={:.17g}", sweep_key_, points_.at(i).value));
  return cfg;
}

std::string SimulationFile::where(std::size_t i) const {
  return fmt::format("{}: /{}", path_.string(), points_.at(i).group);
}

std::string SimulationFile::dataset(std::size_t i, const std::string& name) const {
  const std::string& g = points_.at(i).group;
  return (g.empty() ? "/" : "/" + g + "/") + name;
}

std::string scale_sweep(const SimulationFile& sim, const std::string& purpose) {
  const config::Config first = sim.point_config(0);
  const std::string scheme = first.root().table("simulate").string("scheme", "sgd");
  const std::string key = scheme == "langevin" || scheme == "ula" ? "simulate.eps" : "simulate.step";
  if (sim.sweep_key() != key || sim.points().size() < 2)
    throw config_error(fmt::format("{}: {} needs a sweep over the noise scale ({} for scheme {}) with at least two "
                                   "values; the file sweeps \"{}\"",
                                   sim.path().string(), purpose, key, scheme, sim.sweep_key()));
  return key;
}

std::vector<std::string> regions_holding(const SimulationFile& sim, const std::vector<Vec>& points) {
  const config::Config first = sim.point_config(0);
  const config::Table regions = first.root().table("simulate").table("regions");
  std::vector<std::string> out;
  for (std::size_t i = 0; i < points.size(); ++i) {
    const std::string r = region_holding(regions, points[i]);
    if (r.empty())
      throw config_error(fmt::format("{}: simulate.regions: no region holds attractor {} at ({:.4g}); give one region "
                                     "around each attractor",
                                     sim.path().string(), i, fmt::join(points[i].data(), points[i].data() + points[i].size(), ", ")));
    if (std::find(out.begin(), out.end(), r) != out.end())
      throw config_error(fmt::format("{}: simulate.regions.{} holds two attractors; give one region per attractor",
                                     sim.path().string(), r));
    out.push_back(r);
  }
  return out;
}

std::vector<std::string> region_order(const SimulationFile& sim, std::size_t i) {
  std::istringstream in(sim.reader().string_attribute(sim.dataset(i, "occupation"), "region_names"));
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

}  // namespace fw::compare
