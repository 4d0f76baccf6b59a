// fwkit/config/config_state.hpp — internal to the config library: the state
// a Config and its Tables share, and the helpers its diagnostics use.
#pragma once

#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <toml++/toml.h>

namespace fw::config {

struct State {
  toml::table doc;
  toml::table resolved;
  std::set<const toml::node*> used;
  std::map<std::string, std::string> from_set;              // key paths given by set(), with their origin
  std::map<std::string, std::set<std::string>> known_keys;  // table path -> keys read
  std::string source;
  std::filesystem::path folder;  // the config file's folder (relative paths start there)
  std::vector<std::string> files;  // every file named through Table::file (absolute): inputs an output must not overwrite
};

namespace detail {

/// "a.b" from "a" and "b" ("b" when a is empty).
std::string join(const std::string& a, const std::string& b);
/// The table at a dotted path of `root`, or null.
const toml::table* find_table(const toml::table& root, const std::string& path);
/// The Levenshtein distance of two keys.
std::size_t edit_distance(const std::string& a, const std::string& b);
/// Whether `kp` or a key under it was given by set().
bool given_by_set(const State& s, const std::string& kp);

}  // namespace detail
}  // namespace fw::config
