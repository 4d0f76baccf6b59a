// solvers/compare/simulation_file.cpp — sweep points and their configurations
// (simulation_file.hpp).
#include "simulation_file.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <limits>

#include "fwkit/core/error.hpp"

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

}  // namespace fw::compare
