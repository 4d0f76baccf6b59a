#include "share.hpp"

#include <algorithm>
#include <span>

namespace fw::sim {
namespace {

/// Copies every process's members of a per-member array (`width` entries
/// per member; only members below `limit` are stored) into all copies.
template <class T>
void join_members(const par::Comm& comm, const std::vector<MemberRange>& shares, std::vector<T>& v, std::size_t width,
                  std::int64_t limit) {
  if (width == 0) return;
  auto span_of = [&](const MemberRange& r) {
    const std::int64_t b = std::min(r.begin, limit), e = std::min(r.end, limit);
    return std::pair<std::size_t, std::size_t>(static_cast<std::size_t>(b) * width, static_cast<std::size_t>(e - b) * width);
  };
  const auto [offset, count] = span_of(shares[comm.rank()]);
  const std::vector<T> all = comm.all_gather(std::span<const T>(v.data() + offset, count));
  std::size_t at = 0;
  for (const MemberRange& r : shares) {
    const auto [o, n] = span_of(r);
    std::copy(all.begin() + static_cast<std::ptrdiff_t>(at), all.begin() + static_cast<std::ptrdiff_t>(at + n),
              v.begin() + static_cast<std::ptrdiff_t>(o));
    at += n;
  }
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

void join_segment(const par::Comm& comm, const Options& o, EnsembleState& s, SegmentYield& y) {
  if (!comm.parallel()) return;
  std::vector<MemberRange> shares;
  for (int r = 0; r < comm.size(); ++r) shares.push_back(member_share(s.members, o.block, r, comm.size()));
  const std::int64_t M = s.members;
  const std::size_t d = static_cast<std::size_t>(s.dim), units = static_cast<std::size_t>(o.batches);
  join_members(comm, shares, s.x, d, M);
  join_members(comm, shares, s.chain, 1, M);
  join_members(comm, shares, s.blown, 1, M);
  join_members(comm, shares, s.occupation, units * (o.regions.size() + 1), M);
  join_members(comm, shares, s.moment_count, units, M);
  join_members(comm, shares, s.moment_mean, units * d, M);
  join_members(comm, shares, s.moment_m2, units * d, M);
  join_members(comm, shares, s.region, 1, M);
  join_members(comm, shares, s.region_step, 1, M);
  join_members(comm, shares, s.region_state, d, M);
  join_members(comm, shares, s.trajectory, static_cast<std::size_t>(EnsembleState::trajectory_samples(o)) * d,
               o.trajectory_members);
  y.histogram.push_back(y.outside);
  comm.sum(y.histogram);
  y.outside = y.histogram.back();
  y.histogram.pop_back();
  gather_transitions(comm, s.dim, y.transitions);
}

}  // namespace fw::sim
