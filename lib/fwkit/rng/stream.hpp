// fwkit/rng/stream.hpp — reproducible random streams.
//
// A Stream is Philox4x64-10 (Random123) with key = (seed, member) and
// counter = (step, block, 0, 0). Everything drawn by member `m` at step `n`
// depends only on (seed, m, n), so results are bit-identical whatever the
// thread count, the order members are processed in, or where a run was
// checkpointed and resumed.
//
// Uniforms are built from the top 53 bits of each 64-bit word and lie in the
// open interval (0, 1). Normals use fwkit's own Box–Muller transform rather
// than std::normal_distribution, whose output differs between standard
// library implementations.
#pragma once

#include <Random123/philox.h>

#include <array>
#include <cstdint>

namespace fw::rng {

class Stream {
 public:
  /// A stream for member `member` of an ensemble drawn with `seed`,
  /// positioned at step 0.
  Stream(std::uint64_t seed, std::uint64_t member);

  /// Positions the stream at the start of step `step` (draw block 0).
  void seek(std::uint64_t step);
  std::uint64_t step() const { return ctr_.v[0]; }

  /// 64 uniformly distributed random bits.
  std::uint64_t bits();
  /// A uniform variate in the open interval (0, 1).
  double uniform();
  /// A standard normal variate (Box–Muller, both values of a pair used).
  double normal();
  /// A uniform integer in {0, ..., n-1}, n >= 1 (multiply-shift on 64 bits;
  /// the bias is below n / 2^64).
  std::uint64_t below(std::uint64_t n);

 private:
  void refill();

  using Gen = r123::Philox4x64;
  Gen::key_type key_;
  Gen::ctr_type ctr_;
  std::array<std::uint64_t, 4> buf_{};
  int used_ = 4;  // words of buf_ consumed
  double spare_normal_ = 0;
  bool has_spare_ = false;
};

}  // namespace fw::rng
