// fwkit/core/parallel_errors.hpp — carries an exception out of an OpenMP
// parallel region.
//
// An exception that leaves a thread of an OpenMP region ends the process
// (std::terminate, SIGABRT), so a bad value met mid-run (a Markov kernel
// row that stops being a probability vector, a model undefined where a path
// went) would kill fwkit without its message or exit code. Wrap each piece
// of work in run(); the first exception is kept, later work is skipped, and
// rethrow() after the region raises it on the calling thread.
#pragma once

#include <atomic>
#include <exception>
#include <mutex>

namespace fw {

class ParallelErrors {
 public:
  /// Runs `work` unless an earlier piece failed; keeps its exception.
  template <class Work>
  void run(Work&& work) noexcept {
    if (failed_.load(std::memory_order_relaxed)) return;
    try {
      work();
    } catch (...) {
      std::lock_guard<std::mutex> hold(mutex_);
      if (!first_) first_ = std::current_exception();
      failed_.store(true, std::memory_order_relaxed);
    }
  }

  bool failed() const { return failed_.load(std::memory_order_relaxed); }

  /// Throws the first kept exception, if any (call outside the region).
  void rethrow() const {
    if (first_) std::rethrow_exception(first_);
  }

 private:
  std::atomic<bool> failed_{false};
  std::mutex mutex_;
  std::exception_ptr first_;
};

}  // namespace fw
