// solvers/hj/march_grid.hpp — the node grid as the marching sees it: flat
// and multi-indices, update-ball offsets, heap entries and node bitsets
// (internal to solvers/hj).
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <limits>
#include <vector>

#include "fwkit/grid/grid.hpp"
#include "olim.hpp"

namespace fw::hj::detail {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

template <int D>
using Index = std::array<int, D>;

/// Row-major flat index <-> multi-index on the node grid.
template <int D>
struct Layout {
  Index<D> n;
  std::array<std::int64_t, D> stride;
  explicit Layout(const grid::Grid& g) {
    std::int64_t s = 1;
    for (int k = D - 1; k >= 0; --k) {
      n[k] = g.nodes[k];
      stride[k] = s;
      s *= n[k];
    }
  }
  Index<D> unflatten(std::int64_t f) const {
    Index<D> i;
    for (int k = 0; k < D; ++k) {
      i[k] = static_cast<int>(f / stride[k]);
      f %= stride[k];
    }
    return i;
  }
  bool inside(const Index<D>& i) const {
    for (int k = 0; k < D; ++k)
      if (i[k] < 0 || i[k] >= n[k]) return false;
    return true;
  }
  std::int64_t flatten(const Index<D>& i) const {
    std::int64_t f = 0;
    for (int k = 0; k < D; ++k) f += i[k] * stride[k];
    return f;
  }
  bool on_boundary(const Index<D>& i) const {
    for (int k = 0; k < D; ++k)
      if (i[k] == 0 || i[k] == n[k] - 1) return true;
    return false;
  }
};

/// Integer offsets o != 0 with |o| <= r, and the 3^D - 1 grid neighbours.
template <int D>
std::vector<Index<D>> offsets(double r, bool unit_cube) {
  std::vector<Index<D>> out;
  const int m = unit_cube ? 1 : static_cast<int>(std::floor(r));
  Index<D> o;
  o.fill(-m);
  while (true) {
    double n2 = 0;
    bool zero = true;
    for (int k = 0; k < D; ++k) {
      n2 += static_cast<double>(o[k]) * o[k];
      zero = zero && o[k] == 0;
    }
    if (!zero && (unit_cube || n2 <= r * r + 1e-9)) out.push_back(o);
    int k = D - 1;
    while (k >= 0 && o[k] == m) o[k--] = -m;
    if (k < 0) break;
    ++o[k];
  }
  return out;
}

struct Entry {
  double value;
  std::int64_t node;
  bool operator>(const Entry& o) const { return value > o.value || (value == o.value && node > o.node); }
};

constexpr auto kFarS = static_cast<std::int8_t>(NodeStatus::kFar);
constexpr auto kTrialS = static_cast<std::int8_t>(NodeStatus::kTrial);
constexpr auto kAcceptedS = static_cast<std::int8_t>(NodeStatus::kAccepted);
constexpr auto kSeedS = static_cast<std::int8_t>(NodeStatus::kSeed);

/// One bit a node: the trial nodes, or the front (accepted nodes with a
/// neighbour not yet accepted), so that the nodes of a kind within the
/// update radius are found a row of the ball at a time.
class NodeBits {
 public:
  explicit NodeBits(std::int64_t n) : w_(static_cast<std::size_t>(n / 64 + 1), 0) {}
  void set(std::int64_t f) { w_[static_cast<std::size_t>(f >> 6)] |= std::uint64_t{1} << (f & 63); }
  void clear(std::int64_t f) { w_[static_cast<std::size_t>(f >> 6)] &= ~(std::uint64_t{1} << (f & 63)); }
  /// Calls fn(f) for each set bit f in [lo, hi], in increasing order.
  template <class Fn>
  void for_each(std::int64_t lo, std::int64_t hi, Fn&& fn) const {
    for (std::int64_t w = lo >> 6; w <= hi >> 6; ++w) {
      std::uint64_t bits = w_[static_cast<std::size_t>(w)];
      const std::int64_t base = w << 6;
      if (base < lo) bits &= ~std::uint64_t{0} << (lo - base);
      if (hi - base < 63) bits &= ~(~std::uint64_t{0} << (hi - base + 1));
      while (bits) {
        fn(base + std::countr_zero(bits));
        bits &= bits - 1;
      }
    }
  }

 private:
  std::vector<std::uint64_t> w_;
};

}  // namespace fw::hj::detail
