// Diagnostics of a configuration: where a key named in a message is written,
// and the misspelt key behind an error about a missing one.
#include <regex>
#include <string>

#include "config_state.hpp"
#include "fwkit/config/config.hpp"

namespace fw::config {

using detail::edit_distance;
using detail::find_table;
using detail::given_by_set;
using detail::join;

std::string Config::locate(const std::string& message) const {
  static const std::regex key_path(R"([A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+)");
  for (std::sregex_iterator it(message.begin(), message.end(), key_path), end; it != end; ++it) {
    // The key, or the nearest table above it that is written (a missing key's table).
    for (std::string path = it->str(); path.find('.') != std::string::npos; path = path.substr(0, path.rfind('.'))) {
      const auto dot = path.rfind('.');
      const toml::table* t = find_table(state_->doc, path.substr(0, dot));
      if (!t || !t->get(path.substr(dot + 1))) continue;
      const std::string where = Table(state_, path.substr(0, dot)).where(path.substr(dot + 1));
      if (where == " (from --set)") return "from --set";
      if (where.size() > 3) return path + ": " + where.substr(2, where.size() - 3);  // " (...)"
      break;
    }
  }
  return "";
}

namespace {

/// The first key that no Table read and that is within two edits of a key a
/// Table asked for in vain (absent from the file): a misspelling, which is
/// then the likely cause of whatever failed.
std::string find_misspelt(const State& s, const toml::table& t, const std::string& path) {
  for (const auto& [k, v] : t) {
    const std::string key(k.str());
    const std::string kp = join(path, key);
    if (!s.used.count(&v)) {
      const auto known = s.known_keys.find(path);
      if (known == s.known_keys.end()) continue;
      for (const auto& wanted : known->second) {
        if (t.get(wanted) || edit_distance(key, wanted) > 2 || key == wanted) continue;
        std::string where = given_by_set(s, kp) ? " (from --set)"
                            : v.source().begin.line > 0 ? " (" + s.source + " line " + std::to_string(v.source().begin.line) + ")"
                                                        : "";
        return "unknown key '" + kp + "'" + where + "; did you mean '" + wanted + "'?";
      }
      continue;
    }
    if (v.is_table())
      if (std::string found = find_misspelt(s, *v.as_table(), kp); !found.empty()) return found;
  }
  return "";
}

}  // namespace

std::string Config::misspelt_key() const { return find_misspelt(*state_, state_->doc, ""); }

}  // namespace fw::config
