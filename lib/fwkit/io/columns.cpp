#include "fwkit/io/columns.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>

#include "fwkit/core/error.hpp"
#include "fwkit/io/reader.hpp"

namespace fw::io {
namespace {

std::string trim(const std::string& s) {
  const auto a = s.find_first_not_of(" \t\r");
  if (a == std::string::npos) return "";
  const auto b = s.find_last_not_of(" \t\r");
  return s.substr(a, b - a + 1);
}

std::vector<std::string> split_fields(const std::string& line, char sep) {
  std::vector<std::string> out;
  std::string::size_type start = 0;
  while (true) {
    const auto end = line.find(sep, start);
    out.push_back(trim(line.substr(start, end == std::string::npos ? std::string::npos : end - start)));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return out;
}

std::string unquote(const std::string& s) {
  if (s.size() >= 2 && (s.front() == '"' || s.front() == '\'') && s.back() == s.front()) return s.substr(1, s.size() - 2);
  return s;
}

/// The field as a finite number, or a data error naming where it is.
double parse_field(const std::string& quoted, const std::string& where) {
  const std::string field = unquote(quoted);
  if (field.empty()) throw data_error(where + ": is empty (every row needs a number in every column)");
  // from_chars: independent of the locale; no leading '+' in its grammar.
  const char* begin = field.c_str() + (field[0] == '+' ? 1 : 0);
  const char* end = field.c_str() + field.size();
  double v = 0;
  const auto [ptr, ec] = std::from_chars(begin, end, v);
  if (ec == std::errc::result_out_of_range)
    throw data_error(fmt::format("{}: \"{}\" is out of the range of a double", where, field));
  if (ec != std::errc() || ptr != end) throw data_error(fmt::format("{}: \"{}\" is not a number", where, field));
  if (!std::isfinite(v)) throw data_error(fmt::format("{}: \"{}\": values must be finite", where, field));
  return v;
}

}  // namespace

Columns read_csv_columns(const std::filesystem::path& path, const std::vector<std::string>& wanted) {
  std::ifstream in(path);
  if (!in) throw Error(ExitCode::kNoInput, path.string() + ": cannot open the data file (no such file, or not readable)");
  std::string line;
  std::size_t line_no = 0;
  std::vector<std::string> header;
  char sep = ',';
  while (std::getline(in, line)) {
    ++line_no;
    const std::string t = trim(line);
    if (t.empty() || t[0] == '#') continue;
    sep = t.find(',') == std::string::npos && t.find('\t') != std::string::npos ? '\t' : ',';
    for (const auto& f : split_fields(t, sep)) header.push_back(unquote(f));
    break;
  }
  if (header.empty()) throw data_error(path.string() + ": holds no header line (the first line must name the columns)");
  for (std::size_t c = 0; c < header.size(); ++c) {
    if (header[c].empty()) throw data_error(fmt::format("{}:{}: column {} of the header has no name", path.string(), line_no, c + 1));
    for (std::size_t e = 0; e < c; ++e)
      if (header[e] == header[c]) throw data_error(fmt::format("{}:{}: column \"{}\" is named twice", path.string(), line_no, header[c]));
  }
  std::vector<std::size_t> pick;  // header positions of the columns kept
  if (wanted.empty()) {
    for (std::size_t c = 0; c < header.size(); ++c) pick.push_back(c);
  } else {
    for (const auto& w : wanted) {
      const auto it = std::find(header.begin(), header.end(), w);
      // A vector's name selects all of its entries: "x" takes x[1], x[2], ...
      if (it == header.end() && w.find('[') == std::string::npos) {
        const std::size_t before = pick.size();
        for (std::size_t c = 0; c < header.size(); ++c)
          if (header[c].compare(0, w.size() + 1, w + "[") == 0) pick.push_back(c);
        if (pick.size() > before) continue;
      }
      if (it == header.end()) {
        std::string names;
        for (const auto& h : header) names += (names.empty() ? "" : ", ") + h;
        throw data_error(fmt::format("{}: has no column \"{}\" (its header names: {})", path.string(), w, names));
      }
      pick.push_back(static_cast<std::size_t>(it - header.begin()));
    }
  }
  std::vector<std::vector<double>> values(pick.size());
  const std::size_t header_line = line_no;
  while (std::getline(in, line)) {
    ++line_no;
    const std::string t = trim(line);
    if (t.empty() || t[0] == '#') continue;
    const auto fields = split_fields(t, sep);
    if (fields.size() != header.size())
      throw data_error(fmt::format("{}:{}: has {} fields, the header (line {}) names {} columns", path.string(), line_no,
                                   fields.size(), header_line, header.size()));
    for (std::size_t k = 0; k < pick.size(); ++k)
      values[k].push_back(parse_field(fields[pick[k]], fmt::format("{}:{}, column \"{}\"", path.string(), line_no, header[pick[k]])));
  }
  if (values.empty() || values[0].empty()) throw data_error(path.string() + ": holds a header but no rows of data");
  Columns out;
  for (std::size_t k = 0; k < pick.size(); ++k) out[header[pick[k]]] = std::move(values[k]);
  return out;
}

Columns read_hdf5_columns(const std::filesystem::path& path, const std::map<std::string, std::string>& datasets) {
  if (!std::filesystem::exists(path)) throw Error(ExitCode::kNoInput, path.string() + ": cannot open the data file (no such file)");
  const Reader reader(path);
  Columns out;
  std::size_t n = 0;
  std::string first;
  for (const auto& [name, dataset] : datasets) {
    if (!reader.exists(dataset)) throw data_error(fmt::format("{}: has no dataset {} (for column \"{}\")", path.string(), dataset, name));
    const Array a = reader.read(dataset);
    const bool column = a.shape.size() == 1 || (a.shape.size() == 2 && a.shape[1] == 1);
    if (!column || a.size() == 0)
      throw data_error(fmt::format("{}:{}: must be a non-empty 1-D array (one value per data point)", path.string(), dataset));
    if (first.empty()) {
      n = a.size();
      first = dataset;
    } else if (a.size() != n) {
      throw data_error(fmt::format("{}:{}: has {} values, {} has {}: every column needs one value per data point",
                                   path.string(), dataset, a.size(), first, n));
    }
    for (std::size_t i = 0; i < a.size(); ++i)
      if (!std::isfinite(a.data[i]))
        throw data_error(fmt::format("{}:{}: entry {} is {}: values must be finite", path.string(), dataset, i, a.data[i]));
    out[name] = a.data;
  }
  return out;
}

}  // namespace fw::io
