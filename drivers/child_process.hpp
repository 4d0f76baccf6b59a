// drivers/child_process.hpp — the child processes of `fwkit run`: started
// with their output in a log, and stopped with the parent.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace fw::driver {

/// How a child ended: its exit status (128 + signal if it was killed) and
/// the signal (SIGINT, SIGTERM, SIGHUP) the parent received while it ran
/// and passed on to it, 0 if none.
struct ChildEnd {
  int status = 0;
  int forwarded = 0;
};

/// Runs args[0] with stdout and stderr appended to `log` and waits for it.
/// A SIGINT, SIGTERM or SIGHUP sent to this process while the child runs is
/// passed on to the child (which writes its checkpoints and stops), so that
/// killing `fwkit run` never leaves a stage running on its own.
ChildEnd run_child(const std::vector<std::string>& args, const std::filesystem::path& log);

/// Ends this process by `signal` (default action), after the child it was
/// forwarded to has stopped: the parent's exit says it was interrupted.
[[noreturn]] void die_by(int signal);

/// FNV-1a (64 bit) of a file's bytes, as 16 hex digits; "" if unreadable.
std::string file_checksum(const std::filesystem::path& path);

}  // namespace fw::driver
