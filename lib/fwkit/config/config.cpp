#include "fwkit/config/config.hpp"

#include <algorithm>
#include <cmath>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "config_state.hpp"
#include "fwkit/core/error.hpp"

namespace fw::config {
namespace {

std::vector<std::string> split(const std::string& path) {
  std::vector<std::string> parts;
  std::stringstream ss(path);
  for (std::string part; std::getline(ss, part, '.');) parts.push_back(part);
  return parts;
}

}  // namespace

namespace detail {

std::string join(const std::string& a, const std::string& b) { return a.empty() ? b : a + "." + b; }

/// The table at a dotted path of `root`, or null.
const toml::table* find_table(const toml::table& root, const std::string& path) {
  const toml::table* t = &root;
  if (path.empty()) return t;
  for (const auto& part : split(path)) {
    const toml::node* n = t->get(part);
    if (!n || !n->is_table()) return nullptr;
    t = n->as_table();
  }
  return t;
}

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j)
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] != b[j - 1])});
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

/// Whether `kp` or a key under it was given by --set (`--set simulat.step=1`
/// makes the unknown table `simulat`).
bool given_by_set(const State& s, const std::string& kp) {
  for (const auto& [k, origin] : s.from_set)
    if (k == kp || k.rfind(kp + ".", 0) == 0) return true;
  return false;
}

}  // namespace detail

using detail::edit_distance;
using detail::find_table;
using detail::given_by_set;
using detail::join;

namespace {

/// The table at a dotted path of `root`, created if missing.
toml::table& ensure_table(toml::table& root, const std::string& path) {
  toml::table* t = &root;
  if (path.empty()) return *t;
  for (const auto& part : split(path)) {
    toml::node* n = t->get(part);
    if (!n || !n->is_table()) {
      t->insert_or_assign(part, toml::table{});
      n = t->get(part);
    }
    t = n->as_table();
  }
  return *t;
}

const char* type_name(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::table: return "a table";
    case toml::node_type::array: return "an array";
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a number";
    case toml::node_type::boolean: return "a boolean";
    default: return "a date or time";
  }
}

std::string show(const toml::node& n) {
  std::ostringstream os;
  n.visit([&os](const auto& v) { os << v; });
  std::string s = os.str();
  std::replace(s.begin(), s.end(), '\n', ' ');
  if (s.size() > 60) s = s.substr(0, 57) + "...";
  return s;
}

std::string format_number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

}  // namespace

bool Range::contains(double v) const {
  if (!std::isfinite(v)) return false;
  if (min && (min_open ? !(v > *min) : !(v >= *min))) return false;
  if (max && (max_open ? !(v < *max) : !(v <= *max))) return false;
  return true;
}

std::string Range::describe() const {
  auto f = [](double v) {
    std::ostringstream os;
    os << v;
    return os.str();
  };
  if (min && max)
    return "must be in " + std::string(min_open ? "(" : "[") + f(*min) + ", " + f(*max) +
           (max_open ? ")" : "]");
  if (min) return std::string("must be ") + (min_open ? "> " : ">= ") + f(*min);
  if (max) return std::string("must be ") + (max_open ? "< " : "<= ") + f(*max);
  return "must be finite";
}

// ---------------------------------------------------------------- Table

std::string Table::key_path(const std::string& key) const { return join(path_, key); }

bool Table::present() const { return find_table(state_->doc, path_) != nullptr; }

bool Table::has(const std::string& key) const {
  state_->known_keys[path_].insert(key);
  const toml::table* t = find_table(state_->doc, path_);
  return t && t->get(key);
}

std::string Table::where(const std::string& key) const {
  const toml::table* t = find_table(state_->doc, path_);
  const toml::node* n = t ? t->get(key) : nullptr;
  if (auto it = state_->from_set.find(key_path(key)); it != state_->from_set.end()) return " (" + it->second + ")";
  if (n && n->source().begin.line > 0)
    return " (" + state_->source + " line " + std::to_string(n->source().begin.line) + ")";
  if (n)  // a table that only a --set made (--set stages.simm.step=1 makes [stages.simm])
    for (const auto& [k, origin] : state_->from_set)
      if (k.rfind(key_path(key) + ".", 0) == 0) return " (" + origin + ")";
  return "";
}

std::string Table::describe(const std::string& key) const {
  const toml::table* t = find_table(state_->doc, path_);
  const toml::node* n = t ? t->get(key) : nullptr;
  const std::string value = n ? " = " + show(*n) : "";
  return key_path(key) + value + where(key);
}

std::string Table::near_miss(const std::string& key) const {
  const toml::table* t = find_table(state_->doc, path_);
  if (!t) return "";
  for (const auto& [k, v] : *t) {
    const std::string other(k.str());
    if (other == key || state_->used.count(&v) || edit_distance(other, key) > 2) continue;  // a key read is no misspelling
    const std::string line = v.source().begin.line > 0 ? " (" + state_->source + " line " + std::to_string(v.source().begin.line) + ")" : "";
    return "; found '" + key_path(other) + "'" + line + ": did you mean '" + key + "'?";
  }
  return "";
}

void Table::fail(const std::string& key, const std::string& rule) const {
  throw config_error(describe(key) + ": " + rule);
}

namespace {

/// Looks up `key`, marks it used and records it as known.
const toml::node* lookup(State& s, const std::string& path, const std::string& key) {
  s.known_keys[path].insert(key);
  const toml::table* t = find_table(s.doc, path);
  const toml::node* n = t ? t->get(key) : nullptr;
  if (n) s.used.insert(n);
  return n;
}

template <class T>
void record(State& s, const std::string& path, const std::string& key, T value) {
  ensure_table(s.resolved, path).insert_or_assign(key, std::move(value));
}

}  // namespace

double Table::number(const std::string& key, double fallback, const Range& rule) const {
  if (!has(key)) {
    record(*state_, path_, key, fallback);
    return fallback;
  }
  return number(key, rule);
}

double Table::number(const std::string& key, const Range& rule) const {
  const toml::node* n = lookup(*state_, path_, key);
  if (!n) fail(key, "is required (a number)" + near_miss(key));
  if (!n->is_number()) fail(key, std::string("expected a number, got ") + type_name(*n));
  const double v = n->value<double>().value();
  if (!rule.contains(v)) fail(key, rule.describe());
  record(*state_, path_, key, v);
  return v;
}

std::int64_t Table::integer(const std::string& key, std::int64_t fallback,
                            const Range& rule) const {
  if (!has(key)) {
    record(*state_, path_, key, fallback);
    return fallback;
  }
  return integer(key, rule);
}

std::int64_t Table::integer(const std::string& key, const Range& rule) const {
  const toml::node* n = lookup(*state_, path_, key);
  if (!n) fail(key, "is required (an integer)" + near_miss(key));
  if (!n->is_integer()) fail(key, std::string("expected an integer, got ") + type_name(*n));
  const std::int64_t v = n->value<std::int64_t>().value();
  if (!rule.contains(static_cast<double>(v))) fail(key, rule.describe());
  record(*state_, path_, key, v);
  return v;
}

std::string Table::value_type(const std::string& key) const {
  const toml::node* n = lookup(*state_, path_, key);
  return n ? type_name(*n) : "";
}

bool Table::boolean(const std::string& key, bool fallback) const {
  const toml::node* n = lookup(*state_, path_, key);
  bool v = fallback;
  if (n) {
    if (!n->is_boolean()) fail(key, std::string("expected true or false, got ") + type_name(*n));
    v = n->value<bool>().value();
  }
  record(*state_, path_, key, v);
  return v;
}

std::string Table::string(const std::string& key, const std::string& fallback) const {
  return choice(key, fallback, {});
}

std::string Table::string(const std::string& key) const { return choice(key, {}); }

std::filesystem::path Table::file(const std::string& key) const {
  const std::filesystem::path p = string(key);
  if (p.empty()) fail(key, "must name a file");
  const std::filesystem::path resolved = p.is_relative() ? state_->folder / p : p;
  std::error_code ec;
  if (std::filesystem::is_directory(resolved, ec)) fail(key, "is a directory; name the data file in it");
  // The resolved configuration (and so a result file's provenance) holds the
  // absolute path: a later command reading the model back finds the file
  // from wherever it runs.
  const std::string absolute = std::filesystem::absolute(resolved).lexically_normal().string();
  record(*state_, path_, key, absolute);
  state_->files.push_back(absolute);
  return resolved;
}

const std::vector<std::string>& Table::files_read() const { return state_->files; }

const std::filesystem::path& Table::folder() const { return state_->folder; }

std::string Table::choice(const std::string& key, const std::string& fallback,
                          const std::vector<std::string>& choices) const {
  if (!has(key)) {
    record(*state_, path_, key, fallback);
    return fallback;
  }
  return choice(key, choices);
}

std::string Table::choice(const std::string& key, const std::vector<std::string>& choices) const {
  const toml::node* n = lookup(*state_, path_, key);
  if (!n) fail(key, "is required (a string)" + near_miss(key));
  if (!n->is_string()) fail(key, std::string("expected a string, got ") + type_name(*n));
  std::string v = n->value<std::string>().value();
  if (!choices.empty() && std::find(choices.begin(), choices.end(), v) == choices.end()) {
    std::string list;
    for (const auto& c : choices) list += (list.empty() ? "\"" : ", \"") + c + "\"";
    fail(key, "must be one of " + list);
  }
  record(*state_, path_, key, v);
  return v;
}

std::vector<double> Table::numbers(const std::string& key, const std::vector<double>& fallback,
                                   const Range& rule) const {
  if (!has(key)) {
    toml::array a;
    for (double v : fallback) a.push_back(v);
    record(*state_, path_, key, std::move(a));
    return fallback;
  }
  return numbers(key, rule);
}

std::vector<double> Table::numbers(const std::string& key, const Range& rule) const {
  const toml::node* n = lookup(*state_, path_, key);
  if (!n) fail(key, "is required (an array of numbers)" + near_miss(key));
  if (!n->is_array()) fail(key, std::string("expected an array of numbers, got ") + type_name(*n));
  std::vector<double> out;
  toml::array resolved;
  for (const auto& e : *n->as_array()) {
    if (!e.is_number()) fail(key, "expected an array of numbers, found " + std::string(type_name(e)));
    const double v = e.value<double>().value();
    if (!std::isfinite(v)) fail(key, "every entry must be a finite number (found " + show(e) + ")");
    if (!rule.contains(v)) fail(key, "every entry " + rule.describe());
    out.push_back(v);
    resolved.push_back(v);
  }
  record(*state_, path_, key, std::move(resolved));
  return out;
}

std::vector<int> Table::integers(const std::string& key, const Range& rule) const {
  std::vector<int> out;
  const toml::node* n = lookup(*state_, path_, key);
  if (n && n->is_array())
    for (const auto& e : *n->as_array())
      if (e.is_floating_point()) fail(key, "expected an array of whole numbers, found " + show(e));
  for (double v : numbers(key, rule)) {
    if (std::abs(v) > 2e9) fail(key, "every entry must be a whole number of at most 2e9");
    out.push_back(static_cast<int>(v));
  }
  return out;
}

std::vector<std::vector<double>> Table::number_matrix(const std::string& key) const {
  const toml::node* n = lookup(*state_, path_, key);
  if (!n) fail(key, "is required (an array of arrays of numbers)" + near_miss(key));
  const char* expect = "expected an array of arrays of numbers (one array per row)";
  if (!n->is_array()) fail(key, expect);
  std::vector<std::vector<double>> out;
  toml::array resolved;
  for (const auto& row : *n->as_array()) {
    if (!row.is_array()) fail(key, expect);
    std::vector<double> r;
    toml::array rr;
    for (const auto& e : *row.as_array()) {
      if (!e.is_number()) fail(key, expect);
      r.push_back(e.value<double>().value());
      if (!std::isfinite(r.back()))
        fail(key, fmt::format("row {} entry {} is {}: every entry must be a finite number", out.size(), r.size() - 1, r.back()));
      rr.push_back(r.back());
    }
    out.push_back(std::move(r));
    resolved.push_back(std::move(rr));
  }
  record(*state_, path_, key, std::move(resolved));
  return out;
}

std::vector<std::string> Table::strings(const std::string& key) const {
  const toml::node* n = lookup(*state_, path_, key);
  if (!n) fail(key, "is required (an array of strings)");
  if (!n->is_array()) fail(key, std::string("expected an array of strings, got ") + type_name(*n));
  std::vector<std::string> out;
  toml::array resolved;
  for (const auto& e : *n->as_array()) {
    if (!e.is_string()) fail(key, "expected an array of strings, found " + std::string(type_name(e)));
    out.push_back(e.value<std::string>().value());
    resolved.push_back(out.back());
  }
  record(*state_, path_, key, std::move(resolved));
  return out;
}

namespace {

/// An expression entry: a string, or a number written as text.
bool expression_text(const toml::node& e, std::string& out) {
  if (e.is_string()) out = e.value<std::string>().value();
  else if (e.is_number()) out = format_number(e.value<double>().value());
  else return false;
  return true;
}

}  // namespace

std::vector<std::string> Table::expressions(const std::string& key) const {
  const toml::node* n = lookup(*state_, path_, key);
  const char* expect = "expected an array of expressions (strings or numbers)";
  if (!n) fail(key, "is required (an array of expressions)");
  if (!n->is_array()) fail(key, expect);
  std::vector<std::string> out;
  toml::array resolved;
  for (const auto& e : *n->as_array()) {
    std::string s;
    if (!expression_text(e, s)) fail(key, expect);
    out.push_back(s);
    resolved.push_back(s);
  }
  record(*state_, path_, key, std::move(resolved));
  return out;
}

std::vector<std::vector<std::string>> Table::expression_matrix(const std::string& key) const {
  const toml::node* n = lookup(*state_, path_, key);
  const char* expect = "expected an array of rows, each an array of expressions";
  if (!n) fail(key, "is required (an array of rows of expressions)");
  if (!n->is_array()) fail(key, expect);
  std::vector<std::vector<std::string>> out;
  toml::array resolved;
  for (const auto& row : *n->as_array()) {
    if (!row.is_array()) fail(key, expect);
    std::vector<std::string> r;
    toml::array rr;
    for (const auto& e : *row.as_array()) {
      std::string s;
      if (!expression_text(e, s)) fail(key, expect);
      r.push_back(s);
      rr.push_back(s);
    }
    out.push_back(std::move(r));
    resolved.push_back(std::move(rr));
  }
  record(*state_, path_, key, std::move(resolved));
  return out;
}

Table Table::table(const std::string& key) const {
  const toml::node* n = lookup(*state_, path_, key);
  if (n && !n->is_table()) fail(key, std::string("expected a table, got ") + type_name(*n));
  return Table(state_, key_path(key));
}

std::vector<std::string> Table::keys() const {
  std::vector<std::string> out;
  if (const toml::table* t = find_table(state_->doc, path_))
    for (const auto& [k, v] : *t) out.emplace_back(k.str());
  return out;
}

// ---------------------------------------------------------------- Config

Config Config::from_string(const std::string& text, const std::string& source_name) {
  auto s = std::make_shared<State>();
  s->source = source_name;
  try {
    s->doc = toml::parse(text, source_name);
  } catch (const toml::parse_error& e) {
    throw config_error(source_name + " line " + std::to_string(e.source().begin.line) +
                       ", column " + std::to_string(e.source().begin.column) +
                       ": not valid TOML: " + std::string(e.description()));
  }
  return Config(s);
}

Config Config::from_file(const std::filesystem::path& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    throw Error(ExitCode::kNoInput, "cannot read config " + path.string() + ": is a directory, not a TOML file");
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) throw Error(ExitCode::kNoInput, "cannot read config " + path.string() + ": " + std::strerror(errno));
  std::string text;
  char buf[4096];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) text.append(buf, n);
  std::fclose(f);
  Config c = from_string(text, path.string());
  c.state_->folder = path.parent_path();
  return c;
}

Config Config::empty() { return from_string("", "(defaults)"); }

void Config::set(const std::string& assignment, const std::string& origin) {
  const auto eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0)
    throw Error(ExitCode::kUsage, "--set " + assignment + ": expected key.path=value");
  const std::string key = assignment.substr(0, eq);
  const std::string value = assignment.substr(eq + 1);
  toml::table parsed;
  try {
    parsed = toml::parse("v = " + value);
  } catch (const toml::parse_error&) {
    parsed = toml::table{{"v", value}};  // not TOML: take it as a plain string
  }
  const auto parts = split(key);
  std::string parent;
  for (std::size_t i = 0; i + 1 < parts.size(); ++i) parent = join(parent, parts[i]);
  toml::table& t = ensure_table(state_->doc, parent);
  parsed.get("v")->visit([&](const auto& v) { t.insert_or_assign(parts.back(), v); });
  state_->from_set[key] = origin;
}

Table Config::root() const { return Table(state_, ""); }

namespace {

void check_table(const State& s, const toml::table& t, const std::string& path) {
  for (const auto& [k, v] : t) {
    const std::string key(k.str());
    const std::string kp = join(path, key);
    if (!s.used.count(&v)) {
      std::string msg = "unknown key '" + kp + "'";
      if (given_by_set(s, kp)) msg += " (from --set)";
      else if (v.source().begin.line > 0)
        msg += " (" + s.source + " line " + std::to_string(v.source().begin.line) + ")";
      auto known = s.known_keys.find(path);
      if (known != s.known_keys.end() && !known->second.empty()) {
        std::string best;
        std::size_t best_d = 3;
        std::string list;
        for (const auto& kk : known->second) {
          list += (list.empty() ? "" : ", ") + kk;
          const std::size_t d = edit_distance(key, kk);
          if (d < best_d) best_d = d, best = kk;
        }
        if (!best.empty()) msg += "; did you mean '" + best + "'?";
        msg += " Known keys in " + (path.empty() ? std::string("the top level") : "[" + path + "]") +
               ": " + list;
      } else {
        msg += ": [" + path + "] takes no keys here";
      }
      throw config_error(msg);
    }
    if (v.is_table()) check_table(s, *v.as_table(), kp);
  }
}

}  // namespace

void Config::check_all_used() const { check_table(*state_, state_->doc, ""); }

std::string Config::resolved_toml() const {
  std::ostringstream os;
  os << state_->resolved << "\n";
  return os.str();
}

std::string Config::document_toml() const {
  std::ostringstream os;
  os << state_->doc << "\n";
  return os.str();
}

}  // namespace fw::config
