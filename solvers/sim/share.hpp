// solvers/sim/share.hpp — an ensemble shared among processes (MPI).
//
// Each process steps a contiguous range of whole blocks of members. Because
// member m draws from the Philox stream (seed, m) whoever steps it, and
// every reduction is kept per member (or is an integer count), joining the
// processes' work after each segment gives every process exactly the state a
// single process would hold: the same bits, the same events in the same
// order. A checkpoint written from it is therefore the same file whatever
// the number of processes, and can be resumed with any other number.
#pragma once

#include <cstdint>
#include <vector>

#include "fwkit/par/comm.hpp"
#include "state.hpp"

namespace fw::sim {

/// Members [begin, end).
struct MemberRange {
  std::int64_t begin = 0, end = 0;
};

/// Process `rank`'s share of `members` members stepped in blocks of `block`:
/// the blocks are dealt out in contiguous runs whose lengths differ by at
/// most one. Empty when there are more processes than blocks.
MemberRange member_share(std::int64_t members, int block, int rank, int size);

/// What one segment added beyond the per-member arrays: transitions found by
/// this process (in any order), histogram counts and samples outside it.
struct SegmentYield {
  std::vector<Transition> transitions;
  std::vector<std::int64_t> histogram;
  std::int64_t outside = 0;
};

/// After every process has stepped its share of the segment of steps
/// (n0, n1]: copies what each process's members changed (their states, and
/// the time batches and path samples those steps recorded into) into
/// everyone's per-member arrays, sums the histogram increments and gathers
/// the transitions, so that `state` and `yield` are the same on every
/// process. A no-op for a single process.
void join_segment(const par::Comm& comm, const Options& options, std::int64_t n0, std::int64_t n1,
                  EnsembleState& state, SegmentYield& yield);

}  // namespace fw::sim
