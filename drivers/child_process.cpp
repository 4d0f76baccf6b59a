#include "child_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <fmt/format.h>

#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>

#include "fwkit/core/checksum.hpp"
#include "fwkit/core/error.hpp"

extern char** environ;

namespace fw::driver {
namespace {

/// The signals passed on to a running child, and SIGCHLD (its end).
sigset_t watched_signals() {
  sigset_t set;
  sigemptyset(&set);
  for (int s : {SIGINT, SIGTERM, SIGHUP, SIGCHLD}) sigaddset(&set, s);
  return set;
}

/// Blocks the watched signals for the lifetime of the guard, so that they
/// are taken with sigwaitinfo, never by a handler (no global state).
class BlockedSignals {
 public:
  BlockedSignals() {
    const sigset_t set = watched_signals();
    pthread_sigmask(SIG_BLOCK, &set, &previous_);
  }
  ~BlockedSignals() {
    // A forwarded signal still pending (sent twice) must not kill us here.
    const sigset_t set = watched_signals();
    timespec zero{0, 0};
    siginfo_t info;
    while (sigtimedwait(&set, &info, &zero) > 0) {
    }
    pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
  }
  const sigset_t& previous() const { return previous_; }

 private:
  sigset_t previous_;
};

pid_t spawn(const std::vector<std::string>& args, const std::filesystem::path& log, const sigset_t& child_mask) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setsigmask(&attr, &child_mask);
  sigset_t defaults;
  sigemptyset(&defaults);
  for (int s : {SIGINT, SIGTERM, SIGHUP, SIGCHLD}) sigaddset(&defaults, s);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = 0;
  const int err = posix_spawn(&pid, argv[0], &actions, &attr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (err != 0) throw Error(ExitCode::kSoftware, fmt::format("cannot start {}: {}", args[0], std::strerror(err)));
  return pid;
}

}  // namespace

ChildEnd run_child(const std::vector<std::string>& args, const std::filesystem::path& log) {
  const BlockedSignals blocked;
  const pid_t pid = spawn(args, log, blocked.previous());
  const sigset_t set = watched_signals();
  ChildEnd end;
  for (;;) {
    int status = 0;
    const pid_t done = waitpid(pid, &status, WNOHANG);
    if (done == pid) {
      end.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      return end;
    }
    if (done < 0 && errno != EINTR) throw Error(ExitCode::kSoftware, "lost the child process " + args[0]);
    siginfo_t info;
    const int sig = sigwaitinfo(&set, &info);
    if (sig > 0 && sig != SIGCHLD) {
      end.forwarded = sig;
      kill(pid, sig);
    }
  }
}

void die_by(int signal) {
  std::signal(signal, SIG_DFL);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, signal);
  pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
  raise(signal);
  std::_Exit(128 + signal);
}

std::string file_checksum(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  Checksum sum;
  char buf[1 << 16];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) sum.add(buf, static_cast<std::size_t>(in.gcount()));
  return sum.hex();
}

}  // namespace fw::driver
