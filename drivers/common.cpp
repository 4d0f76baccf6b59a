#include "common.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <iostream>

#include "fwkit/core/error.hpp"

#include <toml++/toml.h>

namespace fw::driver {

void add_common_options(CLI::App& sub, CommonOptions& o) {
  sub.add_option("-c,--config", o.config_path, "run configuration (TOML)");
  sub.add_option("-s,--set", o.sets, "override a config value: key.path=value (repeatable)");
  sub.add_option("-o,--output", o.output, "result file (HDF5)");
  sub.add_flag("--print-config", o.print_config,
               "print the resolved configuration with defaults, as TOML, and exit");
  sub.add_flag("--dry-run", o.dry_run, "validate the configuration and the output path, and exit");
  sub.add_flag("-q,--quiet", o.quiet, "no progress reports");
}

config::Config load_config(const CommonOptions& o) {
  config::Config cfg = o.config_path.empty() ? config::Config::empty()
                                             : config::Config::from_file(o.config_path);
  for (const auto& s : o.sets) cfg.set(s);
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

int guarded(const std::function<int()>& body, const par::Comm& comm) {
  const std::string who = comm.parallel() ? fmt::format("fwkit[rank {}]", comm.rank()) : "fwkit";
  int code = 0;
  // The line is written in one piece: std::cerr is unbuffered, and under
  // MPI the launcher's abort notice on the same stream could land between
  // the parts.
  std::string line;
  try {
    return body();
  } catch (const Error& e) {
    line = who + ": error: " + e.what() + "\n";
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

std::string fingerprint(const std::string& text) {
  std::uint64_t h = 14695981039346656037ull;
  for (unsigned char c : text) h = (h ^ c) * 1099511628211ull;
  return fmt::format("{:016x}", h);
}

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

void check_sweep_points(const std::function<config::Config()>& load, const std::string& key, const std::vector<double>& values,
                        const std::function<void(const config::Table& root)>& check) {
  if (key.empty()) return;
  for (double v : values) {
    config::Config trial = load();
    trial.set(fmt::format("{}={}", key, v));
    try {
      check(trial.root());
    } catch (const Error& e) {
      throw Error(e.code(), fmt::format("sweep point {} = {:.6g}: {}", key, v, e.what()));
    }
  }
}

void for_each_point(config::Config& cfg, const std::string& key, const std::vector<double>& values,
                    const std::function<void(std::size_t index, const std::string& name)>& point) {
  for (std::size_t i = 0; i < values.size(); ++i) {
    cfg.set(fmt::format("{}={}", key, values[i]));  // shortest form that reads back exactly
    point(i, fmt::format("point_{:03d}", i));
  }
}

void run_sweep(config::Config& cfg, const io::Group& top, const std::string& key, const std::vector<double>& values,
               const std::function<void(const std::string& name, const io::Group& g)>& point) {
  if (key.empty()) {
    point("run", top);
    return;
  }
  const io::Group sweep = top.group("sweep");
  sweep.set_attribute("key", key);
  sweep.set_attribute("values", std::span<const double>(values));
  for_each_point(cfg, key, values, [&](std::size_t i, const std::string& name) {
    std::cout << fmt::format("== {} = {:.6g}\n", key, values[i]);
    const io::Group g = sweep.group(name);
    g.set_attribute("value", values[i]);
    point(name, g);
  });
}

}  // namespace fw::driver
