#include "common.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <iostream>

#include "fwkit/core/checksum.hpp"
#include "fwkit/core/error.hpp"

#include <toml++/toml.h>

namespace fw::driver {

void add_common_options(CLI::App& sub, CommonOptions& o) {
  const CLI::Validator named_file(
      [](std::string& path) { return path.empty() ? std::string("an empty path names no file") : std::string(); }, "PATH");
  sub.add_option("-c,--config", o.config_path, "run configuration (TOML)")->check(named_file);
  sub.add_option("-s,--set", o.sets, "override a config value: key.path=value (repeatable)");
  sub.add_option("-o,--output", o.output, "result file (HDF5)")->check(named_file);
  sub.add_flag("--print-config", o.print_config,
               "print the resolved configuration with defaults, as TOML, and exit");
  sub.add_flag("--dry-run", o.dry_run, "validate the configuration and the output path, and exit");
  sub.add_flag("-q,--quiet", o.quiet, "no progress reports");
  sub.add_flag("--ignore-memory", o.ignore_memory, "run even if the memory estimate exceeds the memory available");
}

config::Config load_config(const CommonOptions& o) {
  config::Config cfg = o.config_path.empty() ? config::Config::empty()
                                             : config::Config::from_file(o.config_path);
  for (const auto& s : o.sets) cfg.set(s);
  o.loaded = std::make_shared<const config::Config>(cfg);
  return cfg;
}

std::string output_path(const CommonOptions& o, const config::Table& root,
                        const std::string& fallback) {
  const config::Table t = root.table("output");
  const std::string from_config = t.string("path", fallback);
  const std::string path = o.output.empty() ? from_config : o.output;
  const std::string named = o.output.empty() ? "output.path = \"" + path + "\"" + t.where("path") : "--output " + path;
  if (!o.print_config) {  // printing the resolved config writes no output
    std::vector<std::string> inputs = root.files_read();  // data files the configuration named
    if (!o.config_path.empty()) inputs.push_back(o.config_path);
    refuse_output_path(path, named, inputs);
  }
  return path;
}

void refuse_output_path(const std::string& path, const std::string& named, const std::vector<std::string>& inputs) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path p(path);
  if (fs::is_directory(p, ec))
    throw Error(ExitCode::kCannotCreate, named + ": is a directory; name a file to write (e.g. " +
                                             (p / "result.h5").string() + ")");
  for (const std::string& input : inputs)
    if (fs::exists(p, ec) && fs::equivalent(p, fs::path(input), ec))
      throw Error(ExitCode::kCannotCreate, named + ": is the input " + input +
                                               ", which writing the result would overwrite; name another output file");
  const fs::path parent = p.has_parent_path() ? p.parent_path() : fs::path(".");
  if (!fs::is_directory(parent, ec))
    throw Error(ExitCode::kCannotCreate, named + ": the folder " + parent.string() + " does not exist");
}

bool finish_config(const config::Config& cfg, const CommonOptions& o) {
  cfg.check_all_used();
  if (o.print_config) {
    std::cout << cfg.resolved_toml();
    return true;
  }
  return false;
}

std::unique_ptr<io::ResultFile> open_output(const CommonOptions& o, const std::string& path) {
  auto file = std::make_unique<io::ResultFile>(path);
  if (!o.dry_run) return file;
  std::cout << "configuration valid; would write " << path << "\n";
  return nullptr;
}

namespace {

/// `message`, with where its key is written when it does not say so (before
/// any caret display on the lines below it), and for a config error the
/// misspelt key that most likely caused it.
std::string located(const std::string& message, ExitCode code, const CommonOptions* options) {
  if (!options || !options->loaded) return message;
  std::string out = message;
  if (message.find(" line ") == std::string::npos && message.find("from --set") == std::string::npos) {
    const std::string where = options->loaded->locate(message);
    const std::string::size_type eol = std::min(out.find('\n'), out.size());
    if (!where.empty()) out.insert(eol, " (" + where + ")");
  }
  // Only for a missing key: any other error may stop the reading before a
  // well-spelt key was read, which would then look misspelt.
  const bool missing = message.find("is required") != std::string::npos || message.find("give exactly one") != std::string::npos;
  if (code == ExitCode::kConfig && missing && message.find("did you mean") == std::string::npos)
    if (const std::string misspelt = options->loaded->misspelt_key(); !misspelt.empty())
      out = misspelt + " That is likely why: " + out;
  return out;
}

/// OMP_NUM_THREADS sets the default thread count of every parallel loop;
/// an absurd count makes the OpenMP runtime crash when the first loop
/// starts, so it is refused first, like the `threads` keys (at most 1024).
void check_thread_environment() {
  const char* env = std::getenv("OMP_NUM_THREADS");
  if (env == nullptr || *env == '\0') return;
  const std::string text(env);
  std::stringstream parts(text);
  for (std::string part; std::getline(parts, part, ',');) {
    const bool digits = !part.empty() && part.size() <= 5 && part.find_first_not_of("0123456789") == std::string::npos;
    const long n = digits ? std::stol(part) : 0;
    if (n < 1 || n > 1024)
      throw config_error("OMP_NUM_THREADS = '" + text + "' (environment): each count must be a whole number in [1, 1024], "
                         "the cap on simulate.threads and train.threads; unset it to use every core");
  }
}

}  // namespace

int guarded(const std::function<int()>& body, const par::Comm& comm, const CommonOptions* options) {
  const std::string who = comm.parallel() ? fmt::format("fwkit[rank {}]", comm.rank()) : "fwkit";
  int code = 0;
  // The line is written in one piece: std::cerr is unbuffered, and under
  // MPI the launcher's abort notice on the same stream could land between
  // the parts.
  std::string line;
  try {
    check_thread_environment();
    return body();
  } catch (const Error& e) {
    line = who + ": error: " + (e.code() == ExitCode::kSoftware ? std::string(e.what()) : located(e.what(), e.code(), options)) + "\n";
    code = static_cast<int>(e.code());
  } catch (const std::exception& e) {
    line = who + ": internal error: " + e.what() + "\n";
    code = static_cast<int>(ExitCode::kSoftware);
  }
  std::cerr.write(line.data(), static_cast<std::streamsize>(line.size()));
  if (comm.parallel()) {
    std::cerr.flush();
    comm.abort(code);
  }
  return code;
}

std::string fingerprint(const std::string& text) { return Checksum().add(text).hex(); }

std::string command_line(int argc, char** argv) {
  std::string s;
  for (int i = 0; i < argc; ++i) {
    std::string a = argv[i];
    const bool plain = a.find_first_of(" \t'\"$\\") == std::string::npos && !a.empty();
    if (!plain) {
      std::string q = "'";
      for (char c : a) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
      a = q + "'";
    }
    s += (i ? " " : "") + a;
  }
  return s;
}

void check_sweep_key(const config::Config& cfg, const config::Table& sweep, const std::string& key) {
  if (key.empty()) return;
  // The key must be a number the command reads: in the file as written, or
  // read at its default (then in the resolved configuration).
  for (const std::string& text : {cfg.document_toml(), cfg.resolved_toml()}) {
    const toml::table doc = toml::parse(text);
    const toml::node_view<const toml::node> node = doc.at_path(key);
    if (node && node.is_number()) return;
  }
  sweep.fail("key", "names no number this command reads: a misspelt key would run every point alike (sweep "
                    "e.g. simulate.step, simulate.eps or a model parameter such as model.parameters.beta)");
}

Sweep read_sweep(const config::Table& sweep) {
  Sweep s;
  if (!sweep.present()) return s;
  s.key = sweep.string("key");
  s.values = sweep.numbers("values");
  if (s.values.empty()) sweep.fail("values", "needs at least one value");
  const std::string where = sweep.where("values");  // " (c.toml line 9)" or " (from --set)"
  s.origin = where.find("from --set") != std::string::npos
                 ? "from --set"
                 : "from " + sweep.path() + ".values" + (where.size() > 3 ? ", " + where.substr(2, where.size() - 3) : "");
  return s;
}

void check_sweep_points(const std::function<config::Config()>& load, const Sweep& sweep,
                        const std::function<void(const config::Table& root)>& check) {
  if (sweep.key.empty()) return;
  for (double v : sweep.values) {
    config::Config trial = load();
    trial.set(fmt::format("{}={}", sweep.key, v), sweep.origin);
    try {
      check(trial.root());
    } catch (const Error& e) {
      throw Error(e.code(), fmt::format("sweep point {} = {:.6g}: {}", sweep.key, v, e.what()));
    }
  }
}

void for_each_point(config::Config& cfg, const Sweep& sweep,
                    const std::function<void(std::size_t index, const std::string& name)>& point) {
  for (std::size_t i = 0; i < sweep.values.size(); ++i) {
    cfg.set(fmt::format("{}={}", sweep.key, sweep.values[i]), sweep.origin);  // shortest form that reads back exactly
    point(i, fmt::format("point_{:03d}", i));
  }
}

void run_sweep(config::Config& cfg, const io::Group& top, const Sweep& sweep_spec,
               const std::function<void(const std::string& name, const io::Group& g)>& point) {
  const std::string& key = sweep_spec.key;
  const std::vector<double>& values = sweep_spec.values;
  if (key.empty()) {
    point("run", top);
    return;
  }
  const io::Group sweep = top.group("sweep");
  sweep.set_attribute("key", key);
  sweep.set_attribute("values", std::span<const double>(values));
  for_each_point(cfg, sweep_spec, [&](std::size_t i, const std::string& name) {
    std::cout << fmt::format("== {} = {:.6g}\n", key, values[i]);
    const io::Group g = sweep.group(name);
    g.set_attribute("value", values[i]);
    point(name, g);
  });
}

}  // namespace fw::driver
