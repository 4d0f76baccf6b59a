#include "stage_check.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "child_process.hpp"
#include "fwkit/core/error.hpp"

namespace fw::driver {
namespace {

namespace fs = std::filesystem;

/// A private temporary folder, removed with everything in it.
class TempFolder {
 public:
  TempFolder() {
    std::string pattern = (fs::temp_directory_path() / "fwkit-check-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr)
      throw Error(ExitCode::kCannotCreate, "cannot create a temporary folder in " + fs::temp_directory_path().string());
    path_ = pattern;
  }
  ~TempFolder() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

/// Where the dotted `key` is given in the experiment: " (e.toml line 14)" or "".
std::string where_in(const config::Table& root, const std::string& key) {
  config::Table t = root;
  std::size_t from = 0;
  for (std::size_t dot; (dot = key.find('.', from)) != std::string::npos; from = dot + 1) t = t.table(key.substr(from, dot - from));
  return t.where(key.substr(from));
}

/// The child's error in the experiment's terms: keys of the stage's own
/// section ("ode.tend") become the experiment's ("stages.b.tend"), with the
/// experiment's line; the temporary configuration is not mentioned.
std::string translate(const std::string& message, const config::Config& experiment, const Stage& st,
                      const fs::path& temp_config) {
  const std::string temp = temp_config.string();
  std::string m;
  // Drop "(<temporary config> line N)": the experiment's line is added below.
  const std::regex temp_line("\\s*\\(" + std::regex_replace(temp, std::regex(R"([.^$|()\[\]{}*+?\\])"), R"(\$&)") +
                             R"( line \d+\))");
  m = std::regex_replace(message, temp_line, "");
  for (std::size_t at; (at = m.find(temp)) != std::string::npos;) m.replace(at, temp.size(), "stage " + st.name + "'s configuration");
  const std::regex dotted(R"(\b([A-Za-z_][A-Za-z0-9_]*)((\.[A-Za-z_][A-Za-z0-9_]*)+)\b)");
  std::string out;
  std::set<std::string> located;
  auto last = m.cbegin();
  for (std::sregex_iterator it(m.begin(), m.end(), dotted), end; it != end; ++it) {
    const std::smatch& k = *it;
    out.append(last, k[0].first);
    last = k[0].second;
    const std::string head = k[1].str(), rest = k[2].str();
    if (head != st.command && head != "model") {
      out += k[0].str();
      continue;
    }
    const std::string key = head == st.command ? "stages." + st.name + rest : head + rest;
    out += key;
    if (last != m.cend() && *last == '\'') out += *last++;  // the line after a quoted key's closing quote
    if (!located.insert(key).second) continue;
    // "key = value" stays together: the line goes after the value.
    if (m.cend() - last > 3 && std::string(last, last + 3) == " = ") {
      auto stop = std::find_if(last + 3, m.cend(), [](char c) { return c == ':' || c == '(' || c == ';'; });
      while (stop != last + 3 && stop[-1] == ' ') --stop;
      out.append(last, stop);
      last = stop;
    }
    out += where_in(experiment.root(), key);
  }
  out.append(last, m.cend());
  return out;
}

/// The error a dry run printed ("fwkit: error: ..."), without the prefix.
std::string child_error(const fs::path& log) {
  std::ifstream in(log);
  std::string line, error, last;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    last = line;
    if (const auto at = line.find(": error: "); at != std::string::npos && error.empty()) error = line.substr(at + 9);
  }
  return error.empty() ? last : error;
}

}  // namespace

void check_stages(const config::Config& experiment, const Plan& plan, const fs::path& self) {
  const TempFolder temp;
  for (const auto& st : plan.stages) {
    const fs::path config = temp.path() / (st.name + ".toml"), log = temp.path() / (st.name + ".log");
    {
      std::ofstream out(config, std::ios::binary);
      out << st.config_text;
      if (!out) throw Error(ExitCode::kCannotCreate, config.string() + ": cannot write");
    }
    std::vector<std::string> args{self.string(), st.command, "--config", config.string(), "--output",
                                  (temp.path() / (st.name + ".h5")).string(), "--dry-run", "-q"};
    if (st.command == "compare")
      for (const auto& d : st.depends) args.insert(args.end(), {"--pending-input", (temp.path() / (d + ".h5")).string()});
    const ChildEnd end = run_child(args, log);
    if (end.forwarded) die_by(end.forwarded);
    if (end.status == 0) continue;
    const int code = end.status > 0 && end.status < 126 ? end.status : static_cast<int>(ExitCode::kSoftware);
    throw Error(static_cast<ExitCode>(code),
                fmt::format("stage {} ({}), checked before any stage runs: {}", st.name, st.command,
                            translate(child_error(log), experiment, st, config)));
  }
}

}  // namespace fw::driver
