#include "points.hpp"

#include <fmt/format.h>

#include <cmath>
#include <fstream>
#include <sstream>
#include <vector>

#include "fwkit/core/error.hpp"
#include "fwkit/io/reader.hpp"

namespace fw::io {
namespace {

/// Parses a row of numbers; false if any field is not a number.
bool parse_row(const std::string& line, std::vector<double>& out) {
  out.clear();
  std::string s = line;
  for (char& c : s)
    if (c == ',' || c == ';' || c == '\t') c = ' ';
  std::istringstream in(s);
  std::string field;
  while (in >> field) {
    std::size_t used = 0;
    try {
      out.push_back(std::stod(field, &used));
    } catch (const std::exception&) {
      return false;
    }
    if (used != field.size()) return false;
  }
  return true;
}

/// The number of fields of a line (separated as parse_row separates them).
std::size_t field_count(const std::string& line) {
  std::string s = line;
  for (char& c : s)
    if (c == ',' || c == ';' || c == '\t') c = ' ';
  std::istringstream in(s);
  std::size_t n = 0;
  for (std::string field; in >> field;) ++n;
  return n;
}

Mat read_csv(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) throw Error(ExitCode::kNoInput, path.string() + ": cannot open the points file");
  std::vector<double> values, row;
  std::size_t width = 0, rows = 0, line_no = 0;
  std::string line;
  bool first = true, header = false;
  while (std::getline(in, line)) {
    ++line_no;
    const auto start = line.find_first_not_of(" \t\r");
    if (start == std::string::npos || line[start] == '#') continue;
    const bool ok = parse_row(line, row);
    if (first && !ok) {  // a header: the rows below have one value per name
      first = false;
      width = field_count(line);
      header = true;
      continue;
    }
    first = false;
    if (!ok) throw Error(ExitCode::kData, fmt::format("{}:{}: \"{}\" is not a row of numbers", path.string(), line_no, line));
    if (width == 0) width = row.size();
    if (row.size() != width)
      throw Error(ExitCode::kData, fmt::format("{}:{}: has {} values, the {} has {}", path.string(), line_no, row.size(),
                                               header ? "header" : "first row", width));
    for (double v : row)
      if (!std::isfinite(v)) throw Error(ExitCode::kData, fmt::format("{}:{}: values must be finite", path.string(), line_no));
    values.insert(values.end(), row.begin(), row.end());
    ++rows;
  }
  if (rows == 0) throw Error(ExitCode::kData, path.string() + ": holds no points");
  Mat points(static_cast<Eigen::Index>(width), static_cast<Eigen::Index>(rows));
  for (std::size_t j = 0; j < rows; ++j)
    for (std::size_t k = 0; k < width; ++k) points(static_cast<Eigen::Index>(k), static_cast<Eigen::Index>(j)) = values[j * width + k];
  return points;
}

Mat read_hdf5(const std::filesystem::path& path, const std::string& dataset) {
  if (dataset.empty()) throw Error(ExitCode::kConfig, path.string() + ": an HDF5 points file needs the dataset's path");
  const Reader reader(path);
  if (!reader.exists(dataset)) throw Error(ExitCode::kData, fmt::format("{}: has no dataset {}", path.string(), dataset));
  const Array a = reader.read(dataset);
  if (a.shape.empty() || a.shape.size() > 2 || a.size() == 0)
    throw Error(ExitCode::kData, fmt::format("{}:{}: must be a non-empty n x d (or n) array", path.string(), dataset));
  const std::size_t n = a.shape[0], d = a.shape.size() == 2 ? a.shape[1] : 1;
  Mat points(static_cast<Eigen::Index>(d), static_cast<Eigen::Index>(n));
  for (std::size_t j = 0; j < n; ++j)
    for (std::size_t k = 0; k < d; ++k) {
      const double v = a.data[j * d + k];
      if (!std::isfinite(v)) throw Error(ExitCode::kData, fmt::format("{}:{}: values must be finite", path.string(), dataset));
      points(static_cast<Eigen::Index>(k), static_cast<Eigen::Index>(j)) = v;
    }
  return points;
}

}  // namespace

Mat read_points(const std::filesystem::path& path, const std::string& dataset) {
  const std::string ext = path.extension().string();
  if (ext == ".h5" || ext == ".hdf5") return read_hdf5(path, dataset);
  if (ext == ".csv" || ext == ".txt") return read_csv(path);
  throw Error(ExitCode::kConfig, path.string() + ": points files must end in .csv, .txt, .h5 or .hdf5");
}

namespace {

/// The rows of a (rows x d) dataset with finite entries.
void append_finite_rows(const Array& a, std::size_t first_row, std::vector<Vec>& out, std::size_t& skipped) {
  if (a.shape.size() != 2) return;
  const std::size_t d = a.shape[1];
  for (std::size_t j = first_row; j < a.shape[0]; ++j) {
    Vec x = Eigen::Map<const Vec>(a.data.data() + j * d, static_cast<Eigen::Index>(d));
    if (x.allFinite()) out.push_back(std::move(x));
    else ++skipped;
  }
}

}  // namespace

std::vector<Vec> read_end_states(const std::filesystem::path& path, std::size_t* skipped) {
  const std::string ext = path.extension().string();
  std::vector<Vec> out;
  std::size_t left_out = 0;
  if (ext != ".h5" && ext != ".hdf5") {
    const Mat p = read_points(path);
    for (Eigen::Index j = 0; j < p.cols(); ++j) out.push_back(p.col(j));
    return out;
  }
  const Reader reader(path);
  std::vector<std::string> groups = {""};
  if (reader.exists("/sweep"))
    for (const auto& m : reader.members("/sweep")) groups.push_back("/sweep/" + m);
  for (const auto& g : groups) {
    if (reader.exists(g + "/members/final_state")) append_finite_rows(reader.read(g + "/members/final_state"), 0, out, left_out);
    else if (reader.exists(g + "/trajectory/state")) {
      const Array a = reader.read(g + "/trajectory/state");
      if (a.shape.size() == 2 && a.shape[0] > 0) append_finite_rows(a, a.shape[0] - 1, out, left_out);
    }
  }
  if (skipped) *skipped = left_out;
  return out;
}

}  // namespace fw::io
