// solvers/sim/normal_block.hpp — standard normals for a block of ensemble
// members at one step, generated lane-parallel so the compiler vectorises it.
//
// Lane j (member m = m0 + j) at step n, pair index q uses one call of
// Philox4x32-10 with
//     key     = (seed mod 2^32, seed / 2^32)
//     counter = (n mod 2^32, n / 2^32, m mod 2^32, (m / 2^32) * 2^16 + q)
// so every (seed, member, step, pair) has its own counter (members < 2^48,
// pairs < 2^16). The 128 output bits make two 53-bit uniforms u1, u2 in
// (0, 1), and Box–Muller turns them into
//     z_{2q} = r cos(2 pi u2),  z_{2q+1} = r sin(2 pi u2),  r = sqrt(-2 log u1),
// with fwkit's own polynomial log and sincos (relative error below 1e-15,
// see the unit tests) instead of libm's, so that every lane is the same
// straight-line code. Results do not depend on the block size or on the
// instruction set the kernel was compiled for (there is no contraction into
// fused multiply-adds).
#pragma once

#include <cstdint>

namespace fw::sim {

/// Writes `count` normals per lane: out[l * lanes + j] for l < count,
/// j < lanes. Allocates nothing.
void normal_block(std::uint64_t seed, std::int64_t m0, int lanes, std::uint64_t step, int count, double* out);

/// The Philox4x32-10 block function itself (for tests against Random123).
void philox4x32_10(const std::uint32_t counter[4], const std::uint32_t key[2], std::uint32_t out[4]);

/// fwkit's vectorisable log(x) for x in (0, 1] and sincos(2 pi u) for u in
/// [0, 1], exposed for the accuracy tests.
double block_log(double x);
void block_sincos_2pi(double u, double* s, double* c);

}  // namespace fw::sim
