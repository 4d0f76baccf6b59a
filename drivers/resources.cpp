#include "resources.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include "fwkit/core/error.hpp"

namespace fw::driver {

namespace {

/// A number of bytes with an optional k/M/G/T suffix; negative if malformed.
double parse_bytes(const std::string& text) {
  std::size_t used = 0;
  double v = -1;
  try {
    v = std::stod(text, &used);
  } catch (const std::exception&) {
    return -1;
  }
  const std::string unit = text.substr(used);
  const double scale = unit.empty() ? 1 : unit == "k" || unit == "K" ? 1e3 : unit == "M" ? 1e6 : unit == "G" ? 1e9 : unit == "T" ? 1e12 : -1;
  return scale < 0 || !(v > 0) ? -1 : v * scale;
}

double read_number(const char* path) {
  std::ifstream in(path);
  double v = 0;
  return in >> v ? v : 0;
}

}  // namespace

double available_memory() {
  double available = 0;
  std::ifstream in("/proc/meminfo");
  std::string key, unit;
  for (double kb = 0; in >> key >> kb >> unit;)
    if (key == "MemAvailable:") available = kb * 1024.0;
  // A container's limit (cgroup v2), which /proc/meminfo does not show.
  if (const double max = read_number("/sys/fs/cgroup/memory.max"); max > 0) {
    const double room = max - read_number("/sys/fs/cgroup/memory.current");
    available = available > 0 ? std::min(available, room) : room;
  }
  if (const char* env = std::getenv("FWKIT_MEMORY_LIMIT"); env != nullptr && *env != '\0') {
    const double limit = parse_bytes(env);
    if (limit < 0)
      throw config_error(std::string("FWKIT_MEMORY_LIMIT = '") + env + "' (environment): must be a number of bytes, "
                         "optionally with k, M, G or T (e.g. 8G)");
    available = available > 0 ? std::min(available, limit) : limit;
  }
  return available;
}

std::string show_bytes(double b) {
  if (b >= 1e9) return fmt::format("{:.3g} GB", b / 1e9);
  if (b >= 1e6) return fmt::format("{:.3g} MB", b / 1e6);
  return fmt::format("{:.3g} kB", b / 1e3);
}

std::string show_seconds(double s) {
  if (s < 90) return fmt::format("{:.2g} s", s);
  if (s < 5400) return fmt::format("{:.2g} min", s / 60);
  if (s < 2 * 86400) return fmt::format("{:.2g} h", s / 3600);
  return fmt::format("{:.2g} days", s / 86400);
}

void report_and_check(const CommonOptions& opts, const std::string& command, const Estimate& e) {
  const double available = available_memory();
  const std::string time = e.seconds >= 0 ? "about " + show_seconds(e.seconds) + (e.time_note.empty() ? "" : " (" + e.time_note + ")")
                                          : "not estimated";
  if (opts.dry_run)
    std::cout << fmt::format("estimate: memory about {} ({}; {} available), time {}\n", show_bytes(e.bytes), e.detail,
                             available > 0 ? show_bytes(available) : "unknown", time);
  if (available > 0 && e.bytes > available && !opts.ignore_memory)
    throw config_error(fmt::format("{}: the job needs about {} of memory ({}), more than the {} available here; reduce "
                                   "{}, or pass --ignore-memory to run it anyway",
                                   command, show_bytes(e.bytes), e.detail, show_bytes(available), e.sizes));
  if (!opts.dry_run && !opts.quiet && e.seconds > 600)
    std::cerr << fmt::format("fwkit {}: this will take about {} (memory about {})\n", command, show_seconds(e.seconds),
                             show_bytes(e.bytes));
}

}  // namespace fw::driver
