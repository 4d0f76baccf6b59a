// `fwkit run experiment.toml`: the stages of an experiment (pipeline.hpp)
// run as fwkit subcommands into one results folder, with summary.md (the
// comparisons' predicted-against-observed tables) and the figures.
#include <fmt/format.h>

#include <chrono>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <map>
#include <ctime>
#include <fstream>
#include <iostream>
#include <sstream>

#include "child_process.hpp"
#include "commands.hpp"
#include "fwkit/core/build_info.hpp"
#include "fwkit/io/file_lock.hpp"
#include "fwkit/io/reader.hpp"
#include "pipeline.hpp"
#include "stage_check.hpp"

namespace fw::driver {
namespace {

namespace fs = std::filesystem;

/// Writes `text` to `path` through a temporary in the same folder.
void write_atomically(const fs::path& path, const std::string& text) {
  const fs::path tmp = path.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out) throw Error(ExitCode::kCannotCreate, tmp.string() + ": cannot write");
  }
  fs::rename(tmp, path);
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

/// The lines of a log that report an error (the last few lines otherwise).
std::string error_lines(const fs::path& log) {
  std::istringstream in(read_text(log));
  std::vector<std::string> lines, errors;
  for (std::string l; std::getline(in, l);) {
    if (l.find("error") != std::string::npos) errors.push_back(l);
    lines.push_back(l);
  }
  if (errors.empty())
    errors.assign(lines.end() - static_cast<std::ptrdiff_t>(std::min<std::size_t>(3, lines.size())), lines.end());
  std::string s;
  for (const auto& l : errors) s += "\n  " + l;
  return s;
}

/// Runs a child; a signal this process got while it ran stops both.
int run_or_die(const std::vector<std::string>& args, const fs::path& log, const std::string& what) {
  const ChildEnd end = run_child(args, log);
  if (end.forwarded) {
    std::cerr << fmt::format("\nfwkit run: stopped by signal {} during {}; its checkpoints are kept and a rerun "
                             "goes on from them\n", end.forwarded, what);
    die_by(end.forwarded);
  }
  return end.status;
}

/// The record of a finished stage: its fingerprint and its result's checksum.
std::string stage_record(const std::string& fingerprint, const fs::path& result) {
  return fingerprint + "\n" + file_checksum(result) + "\n";
}

std::string utc_now() {
  const std::time_t t = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M UTC", std::gmtime(&t));
  return buf;
}

struct Outcome {
  std::string status;  // "ran", "reused"
  double seconds = 0;
  std::string fingerprint;
};

/// The comparison tables of the compare stages, and how many rows failed.
std::string comparison_sections(const Plan& plan, int& judged, int& failed) {
  std::string s;
  for (const auto& st : plan.stages) {
    if (st.command != "compare") continue;
    const io::Reader r(plan.folder / (st.name + ".h5"));
    if (!r.exists("/summary/pass")) continue;
    const io::Array pass = r.read("/summary/pass"), counted = r.read("/summary/judged");
    for (std::size_t i = 0; i < pass.size(); ++i) {
      judged += counted.data[i] != 0;
      failed += pass.data[i] == 0;
    }
    s += fmt::format("\n## {} ({})\n\n{}", st.name, r.string_attribute("/", "title"),
                     r.string_attribute("/summary", "table"));
  }
  return s;
}

fs::path plot_script() {
  if (const char* env = std::getenv("FWKIT_PLOT")) return env;
  return fs::path(FWKIT_SOURCE_DIR) / "scripts" / "fwkit-plot";
}

/// The results folder must be a folder (or not exist yet, in an existing
/// parent's place) and not the experiment file: checked before any stage
/// runs, and by --dry-run.
void refuse_results_folder(const fs::path& folder, const std::string& named, const std::string& experiment) {
  std::error_code ec;
  const std::string what = named + " " + folder.string();
  if (fs::exists(folder, ec) && fs::equivalent(folder, experiment, ec))
    throw Error(ExitCode::kCannotCreate, what + ": is the experiment file; name a folder for the results");
  if (fs::exists(folder, ec) && !fs::is_directory(folder, ec))
    throw Error(ExitCode::kCannotCreate, what + ": is a file, not a folder; name a folder for the results (it is created)");
}

}  // namespace

void register_run(CLI::App& app, std::function<int()>& action, CommonOptions& opts) {
  auto* sub = app.add_subcommand("run", "run an experiment: its stages in order, then summary.md and the figures");
  auto file = std::make_shared<std::string>();
  sub->add_option("experiment", *file, "experiment file (TOML)")->required();
  sub->add_option("-s,--set", opts.sets, "override a value of the experiment: key.path=value (repeatable)");
  sub->add_option("-o,--output", opts.output, "results folder (default: [experiment] output, else out/<name>)");
  sub->add_flag("--dry-run", opts.dry_run, "check the experiment and print the plan, and exit");
  auto fresh = std::make_shared<bool>(false);
  sub->add_flag("--fresh", *fresh, "run every stage, even those whose results are up to date");
  auto no_plots = std::make_shared<bool>(false);
  sub->add_flag("--no-plots", *no_plots, "skip the figures");
  sub->add_flag("-q,--quiet", opts.quiet, "print only the summary");
  action = [&opts, file, fresh, no_plots] {
    opts.config_path = *file;
    const config::Config experiment = load_config(opts);
    Plan plan = plan_experiment(experiment);
    if (!opts.output.empty()) plan.folder = opts.output;
    if (*no_plots) plan.plots = false;
    refuse_results_folder(plan.folder, opts.output.empty() ? "experiment.output" : "--output", *file);
    const fs::path self = fs::read_symlink("/proc/self/exe");
    check_stages(experiment, plan, self);
    if (opts.dry_run) {
      std::cout << fmt::format("experiment {} -> {}\n", plan.name, plan.folder.string());
      for (const auto& st : plan.stages)
        std::cout << fmt::format("  {} ({}){}\n", st.name, st.command,
                                 st.depends.empty() ? "" : ", after " + fmt::format("{}", fmt::join(st.depends, ", ")));
      return 0;
    }
    std::error_code ec;
    fs::create_directories(plan.folder / ".fwkit-run", ec);
    if (ec) throw Error(ExitCode::kCannotCreate, plan.folder.string() + ": cannot create the results folder: " + ec.message());
    const io::FileLock lock(plan.folder / ".fwkit-run" / "lock", "the results folder " + plan.folder.string());
    std::map<std::string, Outcome> outcome;
    int index = 0;
    for (const auto& st : plan.stages) {
      ++index;
      std::string print = st.config_text + "\n#fwkit " + build_info().version + " " + build_info().git_hash;
      for (const auto& d : st.depends) print += "\n#" + d + " " + outcome[d].fingerprint;
      Outcome& o = outcome[st.name];
      o.fingerprint = fingerprint(print);
      const fs::path config = plan.folder / (st.name + ".toml"), result = plan.folder / (st.name + ".h5"),
                     log = plan.folder / (st.name + ".log"), mark = plan.folder / ".fwkit-run" / (st.name + ".fingerprint");
      if (!*fresh && fs::exists(result) && fs::exists(mark)) {
        const std::string recorded = read_text(mark);
        if (recorded == stage_record(o.fingerprint, result)) {
          o.status = "reused";
          if (!opts.quiet) std::cout << fmt::format("[{}/{}] {} ({}): up to date, reused\n", index, plan.stages.size(), st.name, st.command);
          continue;
        }
        if (recorded.rfind(o.fingerprint + "\n", 0) == 0)  // same configuration, another file
          std::cerr << fmt::format("fwkit run: {} changed since stage {} wrote it (its checksum differs): running it again\n",
                                   result.string(), st.name);
      }
      fs::remove(mark);
      write_atomically(config, st.config_text);
      std::vector<std::string> args{self.string(), st.command, "--config", config.string(), "--output", result.string(), "-q"};
      // A simulation killed before it finished left its checkpoints: go on from them.
      if (st.command == "simulate" && fs::exists(result.string() + ".checkpoint")) args.push_back("--resume");
      if (!opts.quiet)
        std::cout << fmt::format("[{}/{}] {} ({}) ...", index, plan.stages.size(), st.name, st.command) << std::flush;
      const auto t0 = std::chrono::steady_clock::now();
      write_atomically(log, "");
      const int rc = run_or_die(args, log, "stage " + st.name);
      o.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      // compare exits kOutsideTolerance with its file written: a finding, not a failure.
      const bool written = rc == 0 || (st.command == "compare" && rc == kOutsideTolerance && fs::exists(result));
      if (!written) {
        if (!opts.quiet) std::cout << " failed\n";
        throw Error(static_cast<ExitCode>(rc > 0 && rc < 126 ? rc : static_cast<int>(ExitCode::kSoftware)),
                    fmt::format("stage {} ({}) failed with exit status {} (config {}, log {}):{}", st.name, st.command, rc,
                                config.string(), log.string(), error_lines(log)));
      }
      o.status = "ran";
      write_atomically(mark, stage_record(o.fingerprint, result));
      if (!opts.quiet) std::cout << fmt::format(" done in {:.1f} s\n", o.seconds);
    }
    std::vector<std::string> figures;
    if (plan.plots) {
      std::vector<std::string> args{plot_script().string()};
      for (const auto& st : plan.stages) args.push_back((plan.folder / (st.name + ".h5")).string());
      args.insert(args.end(), {"--skip-other-kinds", "-o", (plan.folder / "figures").string()});
      const fs::path log = plan.folder / "figures.log";
      write_atomically(log, "");
      if (!fs::exists(args[0]))
        throw Error(ExitCode::kNoInput, args[0] + ": the plotting script is missing (set FWKIT_PLOT, or pass --no-plots)");
      if (const int rc = run_or_die(args, log, "the figures"); rc != 0)
        throw Error(ExitCode::kSoftware, fmt::format("the figures failed (exit status {}, log {}):{}", rc, log.string(), error_lines(log)));
      for (const auto& entry : fs::directory_iterator(plan.folder / "figures"))
        if (entry.path().extension() == ".png") figures.push_back("figures/" + entry.path().filename().string());
      std::sort(figures.begin(), figures.end());
    }
    int judged = 0, failed = 0;
    const std::string sections = comparison_sections(plan, judged, failed);
    std::string md = fmt::format("# {}: predicted against observed\n\nfwkit {}, {}; results in `{}`.\n\n", plan.name,
                                 build_info().version, utc_now(), plan.folder.string());
    md += "| stage | command | result | this run | seconds |\n| --- | --- | --- | --- | ---: |\n";
    for (const auto& st : plan.stages)
      md += fmt::format("| {} | {} | {}.h5 | {} | {} |\n", st.name, st.command, st.name, outcome[st.name].status,
                        outcome[st.name].status == "ran" ? fmt::format("{:.1f}", outcome[st.name].seconds) : "-");
    md += sections;
    md += judged == 0 ? "\nNo comparison in this experiment.\n"
                      : fmt::format("\n**{} of {} judged rows within tolerance{}.**\n", judged - failed, judged,
                                    failed ? fmt::format(" ({} outside)", failed) : "");
    if (!figures.empty()) {
      md += "\n## Figures\n\n";
      for (const auto& f : figures) md += fmt::format("![{}]({})\n", fs::path(f).stem().string(), f);
    }
    write_atomically(plan.folder / "summary.md", md);
    std::cout << "\n" << md;
    return failed == 0 ? 0 : kOutsideTolerance;
  };
}

}  // namespace fw::driver
