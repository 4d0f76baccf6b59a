// fwkit/par/comm.hpp — the processes one run is shared among.
//
// Under `mpirun` (when fwkit is built with MPI) a Session joins
// MPI_COMM_WORLD; otherwise, and always in a build without MPI, the run is
// one process and every collective below is the identity. Code that splits
// work takes a Comm and never needs to know which it has:
//
//   fw::par::Session session(argc, argv);     // in main(), once
//   const fw::par::Comm comm = session.world();
//   auto all = comm.all_gather(std::span<const double>(mine));  // rank order
//
// Every collective must be called by every process, in the same order.
// Only the thread that created the Session may call them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <type_traits>
#include <vector>

namespace fw::par {

class Comm {
 public:
  /// One process on its own.
  static Comm serial() { return Comm(0, 1, false); }

  int rank() const { return rank_; }
  int size() const { return size_; }
  bool is_root() const { return rank_ == 0; }
  /// More than one process takes part.
  bool parallel() const { return size_ > 1; }

  /// Every process contributes `mine`; every process gets all contributions
  /// concatenated in rank order (sizes may differ between processes).
  template <class T>
  std::vector<T> all_gather(std::span<const T> mine) const {
    static_assert(std::is_trivially_copyable_v<T>);
    const std::vector<std::byte> bytes = all_gather_bytes(std::as_bytes(mine));
    std::vector<T> out(bytes.size() / sizeof(T));
    if (!out.empty()) std::memcpy(out.data(), bytes.data(), bytes.size());
    return out;
  }
  /// Replaces each entry by its sum over all processes (integers: exact,
  /// whatever the order).
  void sum(std::span<std::int64_t> values) const;
  /// The root's copy of `bytes`, on every process.
  std::vector<std::byte> broadcast(std::span<const std::byte> bytes) const;
  /// Waits until every process has arrived.
  void barrier() const;
  /// Ends every process of the run with exit status `code` (after a process
  /// failed on its own, so the others would wait for it forever).
  [[noreturn]] void abort(int code) const;

 private:
  friend class Session;
  Comm(int rank, int size, bool mpi) : rank_(rank), size_(size), mpi_(mpi) {}
  std::vector<std::byte> all_gather_bytes(std::span<const std::byte> mine) const;

  int rank_ = 0, size_ = 1;
  bool mpi_ = false;
};

/// Joins MPI_COMM_WORLD when the process was started by an MPI launcher
/// (and fwkit was built with MPI), and leaves it on destruction. Otherwise a
/// serial session. Create exactly one, in main().
class Session {
 public:
  Session(int& argc, char**& argv);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  Comm world() const { return world_; }
  /// Whether this build can run under MPI at all.
  static bool mpi_built();

 private:
  Comm world_ = Comm::serial();
  bool initialised_ = false;
};

}  // namespace fw::par
