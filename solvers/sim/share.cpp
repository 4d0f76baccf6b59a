#include "share.hpp"

#include <algorithm>
#include <span>

namespace fw::sim {
namespace {

/// Copies every process's members of a per-member array into all copies.
/// Member m's row is v[m * width, (m + 1) * width); only the columns
/// [first, last) can have changed, and only members below `limit` are stored.
template <class T>
void join_members(const par::Comm& comm, const std::vector<MemberRange>& shares, std::vector<T>& v, std::size_t width,
                  std::size_t first, std::size_t last, std::int64_t limit) {
  if (width == 0 || first >= last) return;
  const std::size_t cols = last - first;
  const MemberRange& mine = shares[comm.rank()];
  std::vector<T> packed;
  for (std::int64_t m = mine.begin; m < std::min(mine.end, limit); ++m) {
    const auto row = v.begin() + static_cast<std::ptrdiff_t>(static_cast<std::size_t>(m) * width + first);
    packed.insert(packed.end(), row, row + static_cast<std::ptrdiff_t>(cols));
  }
  const std::vector<T> all = comm.all_gather(std::span<const T>(packed));
  auto from = all.begin();
  for (const MemberRange& r : shares)
    for (std::int64_t m = r.begin; m < std::min(r.end, limit); ++m) {
      std::copy(from, from + static_cast<std::ptrdiff_t>(cols),
                v.begin() + static_cast<std::ptrdiff_t>(static_cast<std::size_t>(m) * width + first));
      from += static_cast<std::ptrdiff_t>(cols);
    }
}

template <class T>
void join_members(const par::Comm& comm, const std::vector<MemberRange>& shares, std::vector<T>& v, std::size_t width,
                  std::int64_t limit) {
  join_members(comm, shares, v, width, 0, width, limit);
}

/// The time batches [first, last) that steps (n0, n1] recorded into (empty
/// when none of them is recorded).
std::pair<std::size_t, std::size_t> batches_touched(const Options& o, std::int64_t n0, std::int64_t n1) {
  const std::int64_t from = std::max(n0, o.burn_in);  // first recorded step is the first multiple above it
  const std::int64_t first = o.burn_in + ((from - o.burn_in) / o.stride + 1) * o.stride;
  const std::int64_t last = n1 <= o.burn_in ? 0 : o.burn_in + ((n1 - o.burn_in) / o.stride) * o.stride;
  if (first > last) return {0, 0};
  return {static_cast<std::size_t>(o.batch_of(first)), static_cast<std::size_t>(o.batch_of(last)) + 1};
}

void gather_transitions(const par::Comm& comm, int dim, std::vector<Transition>& mine) {
  std::vector<std::int64_t> index;
  std::vector<double> states;
  for (const Transition& t : mine) {
    index.insert(index.end(), {t.member, t.from, t.to, t.start_step, t.end_step});
    states.insert(states.end(), t.start_state.begin(), t.start_state.end());
    states.insert(states.end(), t.end_state.begin(), t.end_state.end());
  }
  const auto all_index = comm.all_gather(std::span<const std::int64_t>(index));
  const auto all_states = comm.all_gather(std::span<const double>(states));
  const std::size_t n = all_index.size() / 5;
  mine.clear();
  mine.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    const std::int64_t* p = &all_index[5 * i];
    const double* x = &all_states[2 * dim * i];
    mine.push_back({p[0], p[1], p[2], p[3], p[4], std::vector<double>(x, x + dim), std::vector<double>(x + dim, x + 2 * dim)});
  }
}

}  // namespace

MemberRange member_share(std::int64_t members, int block, int rank, int size) {
  const std::int64_t blocks = (members + block - 1) / block;
  const std::int64_t b0 = blocks * rank / size, b1 = blocks * (rank + 1) / size;
  return {std::min(members, b0 * block), std::min(members, b1 * block)};
}

void join_segment(const par::Comm& comm, const Options& o, std::int64_t n0, std::int64_t n1, EnsembleState& s,
                  SegmentYield& y) {
  if (!comm.parallel()) return;
  std::vector<MemberRange> shares;
  for (int r = 0; r < comm.size(); ++r) shares.push_back(member_share(s.members, o.block, r, comm.size()));
  const std::int64_t M = s.members;
  const std::size_t d = static_cast<std::size_t>(s.dim), units = static_cast<std::size_t>(o.batches);
  const std::size_t per_unit = o.regions.size() + 1;
  const auto [b0, b1] = batches_touched(o, n0, n1);
  join_members(comm, shares, s.x, d, M);
  join_members(comm, shares, s.chain, 1, M);
  join_members(comm, shares, s.blown, 1, M);
  join_members(comm, shares, s.occupation, units * per_unit, b0 * per_unit, b1 * per_unit, M);
  join_members(comm, shares, s.moment_count, units, b0, b1, M);
  join_members(comm, shares, s.moment_mean, units * d, b0 * d, b1 * d, M);
  join_members(comm, shares, s.moment_m2, units * d, b0 * d, b1 * d, M);
  join_members(comm, shares, s.region, 1, M);
  join_members(comm, shares, s.region_step, 1, M);
  join_members(comm, shares, s.region_state, d, M);
  if (o.trajectory_members > 0) {  // samples at steps divisible by the stride, in (n0, n1]
    const auto samples = static_cast<std::size_t>(EnsembleState::trajectory_samples(o));
    const auto k0 = static_cast<std::size_t>(n0 / o.trajectory_stride + 1);
    const auto k1 = std::min(samples, static_cast<std::size_t>(n1 / o.trajectory_stride + 1));
    join_members(comm, shares, s.trajectory, samples * d, k0 * d, std::max(k0, k1) * d, o.trajectory_members);
  }
  y.histogram.push_back(y.outside);
  comm.sum(y.histogram);
  y.outside = y.histogram.back();
  y.histogram.pop_back();
  gather_transitions(comm, s.dim, y.transitions);
}

}  // namespace fw::sim
