// fwkit/core/progress.hpp — progress reporting for long work.
//
// On a terminal: a single redrawn bar with percentage and ETA. Otherwise
// (a log file, CI): a plain line at most every `min_interval_s` seconds, so a
// long run never floods a log. Solvers receive a Progress* and may ignore a
// null pointer; nothing here is global.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

namespace fw {

class Progress {
 public:
  /// `label` prefixes every line; `total` is the number of work units.
  /// `stream` is where reports go (stderr by default); `interactive` forces
  /// bar mode on or off (by default: whether `stream` is a terminal).
  Progress(std::string label, std::uint64_t total, std::FILE* stream = stderr,
           int interactive = -1, double min_interval_s = 10.0);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  /// Records that `done` units out of `total` are complete (a smaller
  /// `done` than before is taken as the earlier value: never backwards).
  void update(std::uint64_t done);
  /// Marks the work as complete and prints the final line.
  void finish();
  /// Number of lines printed so far (for tests of the rate limiting).
  int lines_printed() const { return lines_; }

 private:
  void report(std::uint64_t done, bool final);

  std::string label_;
  std::uint64_t total_;
  std::FILE* stream_;
  bool interactive_;
  double min_interval_s_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_;
  bool finished_ = false;
  int lines_ = 0;
  std::uint64_t done_ = 0;
};

}  // namespace fw
