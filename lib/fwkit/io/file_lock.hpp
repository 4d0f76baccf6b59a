// fwkit/io/file_lock.hpp — an advisory lock that keeps two processes from
// writing one output.
//
// A FileLock holds an exclusive flock(2) on a lock file for as long as it
// lives and removes the file when it ends. A second process asking for the
// same lock is refused at once (exit 75, "try again later") with the pid
// and host of the holder, before it does any work. The kernel releases the
// lock of a process that dies, so a run that was killed leaves at most a
// stale, unlocked lock file, which the next writer takes over. On a file
// system without flock support (some network mounts) no lock is taken.
#pragma once

#include <filesystem>
#include <string>

namespace fw::io {

class FileLock {
 public:
  /// Locks `lock_path`; `what` names the thing the lock guards in the
  /// refusal ("the output out.h5", "the results folder out/x").
  FileLock(std::filesystem::path lock_path, const std::string& what);
  ~FileLock();
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
  int fd_ = -1;
};

/// The lock file that guards writing `output`: "<output>.lock".
std::filesystem::path lock_path_for(const std::filesystem::path& output);

}  // namespace fw::io
