// fwkit/rng/block.hpp — normals and uniforms for a block of ensemble members
// at one step, generated lane-parallel so the compiler vectorises it.
//
// Lane j (member m = m0 + j) at step n, pair index q uses one call of
// Philox4x32-10 with
//     key     = (seed mod 2^32, seed / 2^32)
//     counter = (n mod 2^32, n / 2^32, m mod 2^32, (m / 2^32) * 2^16 + q)
// so every (seed, member, step, pair) has its own counter (members < 2^48,
// pairs < 2^16, steps < 2^58). The 128 output bits make two 53-bit uniforms u1, u2 in
// (0, 1), and Box–Muller turns them into
//     z_{2q} = r cos(2 pi u2),  z_{2q+1} = r sin(2 pi u2),  r = sqrt(-2 log u1),
// with fwkit's own polynomial log and sincos (relative error below 1e-15,
// see the unit tests) instead of libm's, so that every lane is the same
// straight-line code. Results do not depend on the block size or on the
// instruction set the kernel was compiled for (there is no contraction into
// fused multiply-adds).
//
// The other generators mark the top two bits of the second counter word
// (steps < 2^58 leave them clear), so no two ever share a counter:
//  - uniform_block (bits 10): call q gives the uniforms u_{2q}, u_{2q+1} in
//    (0, 1), each from 52 of its 64 bits, (k + 1/2) 2^-52;
//  - index_block (bits 01): counter (s mod 2^32, s / 2^32, m mod 2^32,
//    (m / 2^32) 2^16 + q) with s = floor(n / 4): its four 32-bit words serve
//    entry q at steps 4s .. 4s + 3, one word a step (a call every four steps),
//    each turned into an index below `bound` by Lemire's multiply-shift with
//    rejection, so indices are exactly uniform. A rejected word (probability
//    below bound / 2^32) is replaced from the fallback (bits 11): counter
//    (n mod 2^32, n / 2^32 + r 2^26, m mod 2^32, (m / 2^32) 2^16 + q) for
//    rounds r = 0 .. 15.
#pragma once

#include <cstdint>
#include <vector>

namespace fw::rng {

/// Writes `count` normals per lane: out[l * lanes + j] for l < count,
/// j < lanes. Allocates nothing.
void normal_block(std::uint64_t seed, std::int64_t m0, int lanes, std::uint64_t step, int count, double* out);

/// Writes `count` uniforms in (0, 1) per lane: out[l * lanes + j]. Allocates
/// nothing.
void uniform_block(std::uint64_t seed, std::int64_t m0, int lanes, std::uint64_t step, int count, double* out);

/// Index words of one block, kept from the call that made them so that the
/// next three steps reuse them (owned by the caller, one per thread).
struct IndexCache {
  std::vector<std::uint32_t> words;  // [step mod 4][entry][lane]
  std::int64_t m0 = -1;
  int lanes = 0, count = 0;
  std::uint64_t quad = 0;  // floor(step / 4) of the cached words
  std::uint64_t seed = 0;
};

/// Writes out[q * lanes + j], uniform on {0, ..., bound[q] - 1} (1 <= bound[q] < 2^31),
/// for member m0 + j at `step` and entry q < count <= 65536.
void index_block(std::uint64_t seed, std::int64_t m0, int lanes, std::uint64_t step, int count,
                 const std::uint32_t* bound, int* out, IndexCache& cache);

/// The Philox4x32-10 block function itself (for tests against Random123).
void philox4x32_10(const std::uint32_t counter[4], const std::uint32_t key[2], std::uint32_t out[4]);

/// fwkit's vectorisable log(x) for x in (0, 1] and sincos(2 pi u) for u in
/// [0, 1], exposed for the accuracy tests.
double block_log(double x);
void block_sincos_2pi(double u, double* s, double* c);

}  // namespace fw::rng
