// drivers/resources.hpp — what a run will cost, said before it starts.
//
// `--dry-run` prints the estimate; a run whose memory estimate exceeds the
// memory this machine has available is refused before any work (exit 78,
// with the estimate, the memory available and the keys that set the size),
// unless --ignore-memory says to go ahead. Times are measured: a short trial
// of the same model and options, scaled to the whole job.
#pragma once

#include <string>

#include "common.hpp"

namespace fw::driver {

struct Estimate {
  double bytes = 0;      // peak memory of the job's state
  double seconds = -1;   // wall time on the threads it will use; < 0: not estimated
  std::string sizes;     // the keys that set the size ("simulate.members x simulate.steps")
  std::string detail;    // what the bytes are, for the report
  std::string time_note; // what the time leaves out ("writing 20 checkpoints of 275 MB")
};

/// The memory a job may use, in bytes: MemAvailable of /proc/meminfo, no
/// more than a cgroup's room (memory.max - memory.current) and no more than
/// FWKIT_MEMORY_LIMIT (bytes, or with k/M/G/T: "8G"); 0 where none can be read.
double available_memory();

/// "1.2 GB", "340 kB".
std::string show_bytes(double bytes);
/// "4.2 s", "12 min", "3.5 h".
std::string show_seconds(double seconds);

/// Prints the estimate under --dry-run (and when it is long, to stderr
/// before a run); refuses a job that would not fit in memory.
void report_and_check(const CommonOptions& opts, const std::string& command, const Estimate& e);

}  // namespace fw::driver
