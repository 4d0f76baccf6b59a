// drivers/common.hpp — what every fwkit subcommand shares: the standard
// options, config loading, output handling and the mapping of errors to
// sysexits-style exit codes. Numerics never live in drivers.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "fwkit/config/config.hpp"
#include "fwkit/io/result_file.hpp"
#include "fwkit/par/comm.hpp"

namespace fw::driver {

struct CommonOptions {
  std::string config_path;        // --config
  std::vector<std::string> sets;  // --set key=value (repeatable)
  std::string output;             // --output
  bool print_config = false;      // --print-config
  bool dry_run = false;           // --dry-run
  bool quiet = false;             // --quiet: no progress
  bool ignore_memory = false;     // --ignore-memory: run a job larger than the memory available
  /// The configuration load_config read last, so that an error raised far
  /// from its key can still say where the key is written (see guarded).
  mutable std::shared_ptr<const config::Config> loaded;
};

/// Adds --config, --set, --output, --print-config, --dry-run, --quiet,
/// --ignore-memory.
void add_common_options(CLI::App& sub, CommonOptions& options);

/// Loads --config (or an empty config) and applies every --set.
config::Config load_config(const CommonOptions& options);

/// The output path: --output, else [output] path, else `fallback`;
/// refused (refuse_output_path) when it is the config file, a directory, or
/// in a folder that does not exist, before any work.
std::string output_path(const CommonOptions& options, const config::Table& root,
                        const std::string& fallback);

/// Throws (exit 73) when `path`, as the user `named` it, is an existing
/// directory, one of `inputs` (the same file, through any link), or in a
/// folder that does not exist.
void refuse_output_path(const std::string& path, const std::string& named, const std::vector<std::string>& inputs);

/// After all keys are read: rejects unknown keys, then handles
/// --print-config and --dry-run. Returns true if the command should stop
/// here (successfully).
bool finish_config(const config::Config& cfg, const CommonOptions& options);

/// Creates the result file now, so an unwritable output fails before any
/// work (exit 73). Under --dry-run it reports and returns null instead (the
/// temporary is removed): the caller then stops successfully.
std::unique_ptr<io::ResultFile> open_output(const CommonOptions& options, const std::string& path);

/// A sweep over one number of the configuration ([<command>.sweep]).
struct Sweep {
  std::string key;             // empty: no sweep
  std::vector<double> values;  // at least one when key is set
  std::string origin;          // where the values are written: "from simulate.sweep.values, c.toml line 9"
};

/// Reads [<command>.sweep] `key` and `values` (nothing when the table is
/// absent); refuses an empty list of values.
Sweep read_sweep(const config::Table& sweep);

/// Throws a config Error (naming [<sweep>].key) unless `key` is a number
/// the command reads; nothing when `key` is empty.
void check_sweep_key(const config::Config& cfg, const config::Table& sweep, const std::string& key);

/// Reads every sweep point's options with `check` before any work, each on a
/// fresh copy of the configuration from `load` with key=value set (the
/// configuration the run uses is not touched). A point that fails is named
/// in the error (its key and value, and the line of the sweep's values).
void check_sweep_points(const std::function<config::Config()>& load, const Sweep& sweep,
                        const std::function<void(const config::Table& root)>& check);

/// Sets key=value in `cfg` for each value in turn and calls `point` with the
/// value's index and its name (point_NNN).
void for_each_point(config::Config& cfg, const Sweep& sweep,
                    const std::function<void(std::size_t index, const std::string& name)>& point);

/// Runs `point` once at `top` (named "run") when there is no sweep; otherwise
/// once per value under /sweep/point_NNN (attribute `value`; /sweep gets
/// `key` and `values`), after setting key=value in `cfg` and announcing it.
void run_sweep(config::Config& cfg, const io::Group& top, const Sweep& sweep,
               const std::function<void(const std::string& name, const io::Group& g)>& point);

/// Runs `body`, turning fw::Error into its exit code with a one-line
/// message on stderr, and any other exception into 70. In a parallel run a
/// failure ends every process (the others would wait for this one forever).
/// A message that names a key of `options->loaded` but not where it is
/// written gets the key's line (or "from --set") appended.
int guarded(const std::function<int()>& body, const par::Comm& comm = par::Comm::serial(),
            const CommonOptions* options = nullptr);

/// A 64-bit FNV-1a hash in hex: the fingerprint of a configuration.
std::string fingerprint(const std::string& text);

/// The command line as one shell-quoted string (for provenance).
std::string command_line(int argc, char** argv);

}  // namespace fw::driver
