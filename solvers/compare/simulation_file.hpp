// solvers/compare/simulation_file.hpp — a `fwkit simulate` result file as the
// comparisons read it: its sweep points and, for each, the resolved
// configuration the point ran with (the file's /provenance config with the
// swept key set to the point's value).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "fwkit/config/config.hpp"
#include "fwkit/core/types.hpp"
#include "fwkit/io/reader.hpp"

namespace fw::compare {

class SimulationFile {
 public:
  /// Opens the file; exit 66 if missing, 65 if it is not a simulate file
  /// (`purpose` says what the comparison needed it for).
  SimulationFile(const std::filesystem::path& path, const std::string& purpose);

  struct Point {
    std::string group;  // "" (single run) or "sweep/point_NNN"
    double value;       // the swept value (NaN without a sweep)
  };
  const std::vector<Point>& points() const { return points_; }
  const std::string& sweep_key() const { return sweep_key_; }
  const io::Reader& reader() const { return reader_; }
  const std::filesystem::path& path() const { return path_; }

  /// The configuration point `i` ran with.
  config::Config point_config(std::size_t i) const;
  /// "<file>: /<group>", for messages.
  std::string where(std::size_t i) const;
  /// The path of a dataset of point i: "/<group>/<name>".
  std::string dataset(std::size_t i, const std::string& name) const;

 private:
  std::filesystem::path path_;
  io::Reader reader_;
  std::string config_text_, sweep_key_;
  std::vector<Point> points_;
};

/// The noise scale a simulation must sweep for the large-deviation
/// comparisons: "simulate.step" for SGD, "simulate.eps" for Langevin and
/// ULA. Throws a config Error (naming `purpose`) unless the file sweeps it
/// over at least two values.
std::string scale_sweep(const SimulationFile& sim, const std::string& purpose);

/// For each point, the configured region (simulate.regions) that holds it;
/// throws a config Error if one is held by none or two share a region.
std::vector<std::string> regions_holding(const SimulationFile& sim, const std::vector<Vec>& points);

/// The region names of point i in the order of the file's region arrays.
std::vector<std::string> region_order(const SimulationFile& sim, std::size_t i);

}  // namespace fw::compare
