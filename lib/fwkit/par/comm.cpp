#include "comm.hpp"

#include <cstdlib>
#include <limits>
#include <stdexcept>

#ifdef FWKIT_HAVE_MPI
#include <mpi.h>
#endif

namespace fw::par {

#ifdef FWKIT_HAVE_MPI
namespace {

void check(int rc, const char* what) {
  if (rc != MPI_SUCCESS) throw std::runtime_error(std::string("MPI: ") + what + " failed");
}

int to_int(std::size_t n) {
  if (n > static_cast<std::size_t>(std::numeric_limits<int>::max()))
    throw std::runtime_error("MPI: a message over 2 GiB (split the run into more segments or members per rank)");
  return static_cast<int>(n);
}

/// Started by mpirun/mpiexec/srun: the launchers set one of these.
bool launched_by_mpi() {
  for (const char* v : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK", "MPI_LOCALNRANKS"})
    if (std::getenv(v) != nullptr) return true;
  return false;
}

}  // namespace

bool Session::mpi_built() { return true; }

Session::Session(int& argc, char**& argv) {
  if (!launched_by_mpi()) return;
  int provided = 0;
  check(MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread");
  initialised_ = true;
  int rank = 0, size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  world_ = Comm(rank, size, true);
}

Session::~Session() {
  if (initialised_) MPI_Finalize();
}

std::vector<std::byte> Comm::all_gather_bytes(std::span<const std::byte> mine) const {
  if (!mpi_) return {mine.begin(), mine.end()};
  const int n = to_int(mine.size());
  std::vector<int> counts(size_), offsets(size_);
  check(MPI_Allgather(&n, 1, MPI_INT, counts.data(), 1, MPI_INT, MPI_COMM_WORLD), "MPI_Allgather");
  std::size_t total = 0;
  for (int r = 0; r < size_; ++r) {
    offsets[r] = to_int(total);
    total += static_cast<std::size_t>(counts[r]);
  }
  to_int(total);
  std::vector<std::byte> out(total);
  check(MPI_Allgatherv(mine.data(), n, MPI_BYTE, out.data(), counts.data(), offsets.data(), MPI_BYTE, MPI_COMM_WORLD),
        "MPI_Allgatherv");
  return out;
}

void Comm::sum(std::span<std::int64_t> values) const {
  if (!mpi_ || values.empty()) return;
  check(MPI_Allreduce(MPI_IN_PLACE, values.data(), to_int(values.size()), MPI_INT64_T, MPI_SUM, MPI_COMM_WORLD),
        "MPI_Allreduce");
}

std::vector<std::byte> Comm::broadcast(std::span<const std::byte> bytes) const {
  if (!mpi_) return {bytes.begin(), bytes.end()};
  std::int64_t n = static_cast<std::int64_t>(bytes.size());
  check(MPI_Bcast(&n, 1, MPI_INT64_T, 0, MPI_COMM_WORLD), "MPI_Bcast");
  std::vector<std::byte> out(static_cast<std::size_t>(n));
  if (is_root()) out.assign(bytes.begin(), bytes.end());
  if (n > 0) check(MPI_Bcast(out.data(), to_int(out.size()), MPI_BYTE, 0, MPI_COMM_WORLD), "MPI_Bcast");
  return out;
}

void Comm::barrier() const {
  if (mpi_) check(MPI_Barrier(MPI_COMM_WORLD), "MPI_Barrier");
}

void Comm::abort(int code) const {
  if (mpi_) MPI_Abort(MPI_COMM_WORLD, code);
  std::exit(code);
}

#else  // a build without MPI: always one process

bool Session::mpi_built() { return false; }
Session::Session(int&, char**&) {}
Session::~Session() = default;
std::vector<std::byte> Comm::all_gather_bytes(std::span<const std::byte> mine) const { return {mine.begin(), mine.end()}; }
void Comm::sum(std::span<std::int64_t>) const {}
std::vector<std::byte> Comm::broadcast(std::span<const std::byte> bytes) const { return {bytes.begin(), bytes.end()}; }
void Comm::barrier() const {}
void Comm::abort(int code) const { std::exit(code); }

#endif

}  // namespace fw::par
