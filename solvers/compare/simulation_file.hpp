// solvers/compare/simulation_file.hpp — a `fwkit simulate` result file as the
// comparisons read it: its sweep points and, for each, the resolved
// configuration the point ran with (the file's /provenance config with the
// swept key set to the point's value).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "fwkit/config/config.hpp"
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

}  // namespace fw::compare
