#include "fwkit/io/file_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "fwkit/core/error.hpp"

namespace fw::io {
namespace {

/// What the holder wrote into the lock file ("pid 123 on host h").
std::string holder_of(int fd) {
  char buf[256] = {};
  const ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
  std::string s = n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string();
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s.empty() ? "another process" : s;
}

std::string host_name() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "unknown";
  return buf;
}

/// Whether `fd` is still the file at `path` (another holder may have
/// removed it between our open and our flock).
bool still_linked(int fd, const std::filesystem::path& path) {
  struct stat a {}, b {};
  return ::fstat(fd, &a) == 0 && ::stat(path.c_str(), &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

}  // namespace

std::filesystem::path lock_path_for(const std::filesystem::path& output) {
  std::filesystem::path p = output;
  p += ".lock";
  return p;
}

FileLock::FileLock(std::filesystem::path lock_path, const std::string& what) : path_(std::move(lock_path)) {
  for (int attempt = 0; attempt < 100; ++attempt) {
    const int fd = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
      throw Error(ExitCode::kCannotCreate, "cannot create the lock " + path_.string() + " for " + what + ": " +
                                               std::strerror(errno));
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      const int err = errno;
      if (err == ENOLCK || err == EOPNOTSUPP || err == ENOSYS) {  // no flock here: go on unlocked
        ::close(fd);
        ::unlink(path_.c_str());
        return;
      }
      const std::string holder = holder_of(fd);
      ::close(fd);
      throw Error(ExitCode::kTempFail, what + " is being written by " + holder + " (lock " + path_.string() +
                                           "); wait for it to finish or stop it, then run again");
    }
    if (!still_linked(fd, path_)) {  // the previous holder removed it: take the new one
      ::close(fd);
      continue;
    }
    const std::string me = "pid " + std::to_string(::getpid()) + " on " + host_name() + "\n";
    if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, me.data(), me.size(), 0) != static_cast<ssize_t>(me.size())) {
      const int err = errno;
      ::unlink(path_.c_str());
      ::close(fd);
      throw Error(ExitCode::kCannotCreate, "cannot write the lock " + path_.string() + ": " + std::strerror(err));
    }
    fd_ = fd;
    return;
  }
  throw Error(ExitCode::kTempFail, what + ": the lock " + path_.string() + " keeps changing hands; run again");
}

FileLock::~FileLock() {
  if (fd_ < 0) return;
  ::unlink(path_.c_str());  // before unlocking: a waiter then sees a new file
  ::close(fd_);
}

}  // namespace fw::io
