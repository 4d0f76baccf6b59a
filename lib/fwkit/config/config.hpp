// fwkit/config/config.hpp — validated access to a TOML run configuration.
//
// Every value is read through a Table with its default and its rule; the
// Config remembers what was read, so that
//  - an unknown key (a typo, a key of another subcommand) is an error that
//    names it, its line and the keys that table accepts;
//  - the resolved configuration, defaults included, can be printed as TOML
//    (`--print-config`) and stored in the result's provenance.
// Errors are config Errors (exit code 78) of the form
//   `analyze.tolerance = -1 (run.toml line 7): must be > 0`.
// Values given on the command line with `--set key=value` replace those of
// the file and are reported as "(from --set)".
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace fw::config {

/// An interval rule for numbers.
struct Range {
  std::optional<double> min, max;
  bool min_open = false, max_open = false;
  bool contains(double v) const;
  std::string describe() const;  // "must be > 0", "must be in [0, 1]"
};
inline Range positive() { return {0.0, std::nullopt, true, false}; }
inline Range non_negative() { return {0.0, std::nullopt, false, false}; }
inline Range at_least(double v) { return {v, std::nullopt, false, false}; }
inline Range between(double a, double b) { return {a, b, false, false}; }
inline Range any() { return {}; }

struct State;

class Table {
 public:
  /// Dotted path of this table ("" for the root).
  const std::string& path() const { return path_; }
  bool has(const std::string& key) const;
  /// The kind of value at `key` in words ("a string", "an array", "a
  /// number", "an integer", ...), empty when absent.
  std::string value_type(const std::string& key) const;
  /// Whether the table itself appears in the file.
  bool present() const;

  double number(const std::string& key, double fallback, const Range& rule = {}) const;
  double number(const std::string& key, const Range& rule = {}) const;  // required
  std::int64_t integer(const std::string& key, std::int64_t fallback, const Range& rule = {}) const;
  std::int64_t integer(const std::string& key, const Range& rule = {}) const;
  bool boolean(const std::string& key, bool fallback) const;
  std::string string(const std::string& key, const std::string& fallback) const;
  std::string string(const std::string& key) const;  // required
  /// A required file name; a relative one is taken from the config file's
  /// folder (the working directory for a config given as text).
  std::filesystem::path file(const std::string& key) const;
  /// Every file named through file() so far, anywhere in the configuration
  /// (absolute paths): the inputs an output must not overwrite.
  const std::vector<std::string>& files_read() const;
  /// The config file's folder (empty for a config given as text).
  const std::filesystem::path& folder() const;
  /// A string that must be one of `choices`.
  std::string choice(const std::string& key, const std::string& fallback,
                     const std::vector<std::string>& choices) const;
  std::string choice(const std::string& key, const std::vector<std::string>& choices) const;
  std::vector<double> numbers(const std::string& key, const Range& rule = {}) const;
  std::vector<double> numbers(const std::string& key, const std::vector<double>& fallback,
                              const Range& rule = {}) const;
  /// An array of TOML integers (a float such as 20.5 or 20.0 is refused).
  std::vector<int> integers(const std::string& key, const Range& rule = {}) const;
  std::vector<std::vector<double>> number_matrix(const std::string& key) const;
  std::vector<std::string> strings(const std::string& key) const;
  /// A list of expressions; numbers are accepted and written as text.
  std::vector<std::string> expressions(const std::string& key) const;
  std::vector<std::vector<std::string>> expression_matrix(const std::string& key) const;

  /// The sub-table `key` (an empty view when absent).
  Table table(const std::string& key) const;
  /// Keys of a free-form sub-table (e.g. parameters); all count as used.
  std::vector<std::string> keys() const;

  /// `key.path = value (file line N)`, as errors about `key` begin.
  std::string describe(const std::string& key) const;
  /// Where `key` was given: " (file line N)", " (from --set)", or empty.
  std::string where(const std::string& key) const;
  /// For a key that is missing: "; found 'blurr' (file line N): a
  /// misspelling of 'blur'?" for a key of this table within two edits of
  /// it, or empty.
  std::string near_miss(const std::string& key) const;
  /// Throws a config error about `key`, showing its value and line.
  [[noreturn]] void fail(const std::string& key, const std::string& rule) const;

 private:
  friend class Config;
  Table(std::shared_ptr<State> state, std::string path) : state_(std::move(state)), path_(std::move(path)) {}
  std::string key_path(const std::string& key) const;
  std::shared_ptr<State> state_;
  std::string path_;
};

class Config {
 public:
  /// Parses a TOML file: exit code 66 if missing, 78 if malformed.
  static Config from_file(const std::filesystem::path& path);
  static Config from_string(const std::string& text, const std::string& source_name);
  /// An empty configuration (every key at its default).
  static Config empty();

  /// Applies `key.path=value`; the value is parsed as TOML, and taken as a
  /// string if that fails. Exit code 64 if there is no '='. Errors about the
  /// key then say where the value came from: "(from --set)", or `origin`
  /// (a sweep sets its values "from simulate.sweep.values, c.toml line 9").
  void set(const std::string& assignment, const std::string& origin = "from --set");

  Table root() const;
  /// Throws for the first key that no Table read (an unknown key).
  void check_all_used() const;
  /// The resolved configuration (every value read, defaults included).
  std::string resolved_toml() const;
  /// The document as parsed, with every --set applied (no defaults added):
  /// for drivers that hand parts of it on to other commands.
  std::string document_toml() const;
  /// Where the first key path written in `message` (a dotted name such as
  /// `analyze.upper`) that this configuration holds is given:
  /// "analyze.upper: c.toml line 5", "from --set", or ""
  /// when the message names none. For errors raised far from the key's Table.
  std::string locate(const std::string& message) const;
  /// "unknown key 'data.pointz' (c.toml line 2); did you mean 'points'?" for
  /// the first key not read that is two edits or fewer from a key that was
  /// asked for and is absent; "" if none. For an error about a missing key,
  /// whose cause is then most likely the misspelling.
  std::string misspelt_key() const;

 private:
  explicit Config(std::shared_ptr<State> s) : state_(std::move(s)) {}
  std::shared_ptr<State> state_;
};

}  // namespace fw::config
