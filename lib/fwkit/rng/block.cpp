#include "fwkit/rng/block.hpp"

#include "fwkit/core/error.hpp"
#include "fwkit/core/vector_clones.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace fw::rng {
namespace {

constexpr std::uint32_t kM0 = 0xD2511F53u, kM1 = 0xCD9E8D57u;  // Philox4x32 multipliers
constexpr std::uint32_t kW0 = 0x9E3779B9u, kW1 = 0xBB67AE85u;  // Weyl key increments
constexpr int kRounds = 10;
constexpr int kChunk = 64;  // lanes processed together (stack arrays, no allocation)

/// (k + 1/2) 2^-52 for k < 2^52, built from the bits so that it vectorises.
inline double unit_from_bits(std::uint64_t k) {
  return (std::bit_cast<double>(0x4330000000000000ull | k) - 0x1.0p52 + 0.5) * 0x1.0p-52;
}

/// An exact select without branches: a where `pick` is 0, b where it is 1.
inline double pick_bits(std::uint64_t pick, double a, double b) {
  const std::uint64_t mask = 0 - pick;
  return std::bit_cast<double>((std::bit_cast<std::uint64_t>(a) & ~mask) | (std::bit_cast<std::uint64_t>(b) & mask));
}

/// x with its sign flipped where `flip` is 1.
inline double flip_sign(std::uint64_t flip, double x) {
  return std::bit_cast<double>(std::bit_cast<std::uint64_t>(x) ^ (flip << 63));
}

/// log(x) for x in (0, 1] (normal numbers): x = 2^e m, m in [sqrt(1/2), sqrt(2)),
/// log m = 2 atanh(f), f = (m - 1) / (m + 1), |f| <= 0.1716, by its series to f^23.
inline double log_unit(double x) {
  const std::uint64_t bits = std::bit_cast<std::uint64_t>(x);
  const double m1 = std::bit_cast<double>((bits & 0x000FFFFFFFFFFFFFull) | 0x3FF0000000000000ull);
  const double e1 = std::bit_cast<double>(0x4330000000000000ull | (bits >> 52)) - (0x1.0p52 + 1023.0);
  const std::uint64_t big = m1 > 1.4142135623730951 ? 1 : 0;
  const double m = pick_bits(big, m1, 0.5 * m1), e = pick_bits(big, e1, e1 + 1.0);
  const double f = (m - 1.0) / (m + 1.0), s = f * f;
  // 1 + s/3 + s^2/5 + ... + s^11/23, Horner.
  double p = 1.0 / 23;
  p = p * s + 1.0 / 21;
  p = p * s + 1.0 / 19;
  p = p * s + 1.0 / 17;
  p = p * s + 1.0 / 15;
  p = p * s + 1.0 / 13;
  p = p * s + 1.0 / 11;
  p = p * s + 1.0 / 9;
  p = p * s + 1.0 / 7;
  p = p * s + 1.0 / 5;
  p = p * s + 1.0 / 3;
  p = p * s + 1.0;
  constexpr double kLn2Hi = 6.93147180369123816490e-01, kLn2Lo = 1.90821492927058770002e-10;
  return e * kLn2Hi + (e * kLn2Lo + 2.0 * f * p);
}

/// sin and cos of 2 pi u for u in [0, 1]: quadrant q = nearest integer to
/// 4u, x = 2 pi (u - q/4) in [-pi/4, pi/4] (the subtraction is exact), then
/// Taylor polynomials to x^17 and x^18, and the quadrant's swap and signs.
struct SinCos {
  double s, c;
};

inline SinCos sincos_2pi(double u) {
  const double qd = (4.0 * u + 0x1.0p52) - 0x1.0p52;  // nearest integer, exactly
  const double x = 6.283185307179586 * (u - 0.25 * qd), x2 = x * x;
  double sp = 1.0 / 355687428096000.0;       // 1/17!
  sp = sp * x2 - 1.0 / 1307674368000.0;      // 1/15!
  sp = sp * x2 + 1.0 / 6227020800.0;         // 1/13!
  sp = sp * x2 - 1.0 / 39916800.0;           // 1/11!
  sp = sp * x2 + 1.0 / 362880.0;             // 1/9!
  sp = sp * x2 - 1.0 / 5040.0;               // 1/7!
  sp = sp * x2 + 1.0 / 120.0;                // 1/5!
  sp = sp * x2 - 1.0 / 6.0;                  // 1/3!
  sp = sp * x2 + 1.0;
  double cp = -1.0 / 6402373705728000.0;     // 1/18!
  cp = cp * x2 + 1.0 / 20922789888000.0;     // 1/16!
  cp = cp * x2 - 1.0 / 87178291200.0;        // 1/14!
  cp = cp * x2 + 1.0 / 479001600.0;          // 1/12!
  cp = cp * x2 - 1.0 / 3628800.0;            // 1/10!
  cp = cp * x2 + 1.0 / 40320.0;              // 1/8!
  cp = cp * x2 - 1.0 / 720.0;                // 1/6!
  cp = cp * x2 + 1.0 / 24.0;                 // 1/4!
  cp = cp * x2 - 0.5;
  cp = cp * x2 + 1.0;
  const double sx = x * sp;
  // Quadrant r = q mod 4 from the exact double q (q in 0..4).
  const auto r = static_cast<std::uint64_t>(std::bit_cast<std::uint64_t>(qd + 0x1.0p52) & 3);
  const std::uint64_t odd = r & 1, high = r >> 1;
  return {flip_sign(high, pick_bits(odd, sx, cp)),         // r = 2, 3: negative
          flip_sign(odd ^ high, pick_bits(odd, cp, sx))};  // r = 1, 2: negative
}

}  // namespace

void philox4x32_10(const std::uint32_t counter[4], const std::uint32_t key[2], std::uint32_t out[4]) {
  std::uint32_t c0 = counter[0], c1 = counter[1], c2 = counter[2], c3 = counter[3];
  std::uint32_t k0 = key[0], k1 = key[1];
  for (int round = 0; round < kRounds; ++round) {
    if (round > 0) {
      k0 += kW0;
      k1 += kW1;
    }
    const std::uint64_t p0 = std::uint64_t{kM0} * c0, p1 = std::uint64_t{kM1} * c2;
    const std::uint32_t n0 = static_cast<std::uint32_t>(p1 >> 32) ^ c1 ^ k0;
    const std::uint32_t n2 = static_cast<std::uint32_t>(p0 >> 32) ^ c3 ^ k1;
    c1 = static_cast<std::uint32_t>(p1);
    c3 = static_cast<std::uint32_t>(p0);
    c0 = n0;
    c2 = n2;
  }
  out[0] = c0;
  out[1] = c1;
  out[2] = c2;
  out[3] = c3;
}

double block_log(double x) { return log_unit(x); }
void block_sincos_2pi(double u, double* s, double* c) {
  const SinCos r = sincos_2pi(u);
  *s = r.s;
  *c = r.c;
}

namespace {

/// Philox4x32-10 on L <= kChunk lanes at once: lane j of a chunk whose first
/// member is m0 gets counter (n_lo, n_hi | domain, m, (m / 2^32) 2^16 + q).
/// Inlined into each generator so that every clone vectorises it.
struct Lanes {
  alignas(64) std::uint32_t c0[kChunk], c1[kChunk], c2[kChunk], c3[kChunk];

  [[gnu::always_inline]] inline void run(std::uint64_t seed, std::uint64_t m0, int L, std::uint64_t step, std::uint32_t domain, int q) {
    const auto n_lo = static_cast<std::uint32_t>(step), n_hi = static_cast<std::uint32_t>(step >> 32) | domain;
    for (int j = 0; j < L; ++j) {
      const std::uint64_t m = m0 + static_cast<std::uint64_t>(j);
      c0[j] = n_lo;
      c1[j] = n_hi;
      c2[j] = static_cast<std::uint32_t>(m);
      c3[j] = static_cast<std::uint32_t>((m >> 32) << 16) | static_cast<std::uint32_t>(q);
    }
    std::uint32_t k0 = static_cast<std::uint32_t>(seed), k1 = static_cast<std::uint32_t>(seed >> 32);
    for (int round = 0; round < kRounds; ++round) {
      if (round > 0) {
        k0 += kW0;
        k1 += kW1;
      }
      for (int j = 0; j < L; ++j) {
        const std::uint64_t p0 = std::uint64_t{kM0} * c0[j], p1 = std::uint64_t{kM1} * c2[j];
        const std::uint32_t n0 = static_cast<std::uint32_t>(p1 >> 32) ^ c1[j] ^ k0;
        const std::uint32_t n2 = static_cast<std::uint32_t>(p0 >> 32) ^ c3[j] ^ k1;
        c1[j] = static_cast<std::uint32_t>(p1);
        c3[j] = static_cast<std::uint32_t>(p0);
        c0[j] = n0;
        c2[j] = n2;
      }
    }
  }
  /// The two 64-bit words of lane j.
  std::uint64_t first(int j) const { return (std::uint64_t{c0[j]} << 32) | c1[j]; }
  std::uint64_t second(int j) const { return (std::uint64_t{c2[j]} << 32) | c3[j]; }
};

constexpr std::uint32_t kNormalDomain = 0, kUniformDomain = 0x80000000u, kIndexDomain = 0x40000000u,
                        kFallbackDomain = 0xC0000000u;

/// The index words of steps 4s .. 4s + 3 for every lane and entry.
FWKIT_VECTOR_CLONES
void index_words(std::uint64_t seed, std::int64_t m0, int lanes, std::uint64_t quad, int count, std::uint32_t* words) {
  Lanes g;
  const std::size_t plane = static_cast<std::size_t>(count) * lanes;
  for (int j0 = 0; j0 < lanes; j0 += kChunk) {
    const int L = std::min(kChunk, lanes - j0);
    for (int q = 0; q < count; ++q) {
      g.run(seed, static_cast<std::uint64_t>(m0 + j0), L, quad, kIndexDomain, q);
      std::uint32_t* w = words + static_cast<std::size_t>(q) * lanes + j0;
      for (int j = 0; j < L; ++j) {
        w[j] = g.c0[j];
        w[plane + j] = g.c1[j];
        w[2 * plane + j] = g.c2[j];
        w[3 * plane + j] = g.c3[j];
      }
    }
  }
}

/// Lemire's map of words to indices below `bound`; returns how many words
/// fell in the rejection zone (marked by -1).
FWKIT_VECTOR_CLONES
int words_to_indices(const std::uint32_t* __restrict w, std::uint32_t bound, int* __restrict out, int lanes) {
  const std::uint32_t threshold = (0u - bound) % bound;  // 2^32 mod bound
  int rejected = 0;
  for (int j = 0; j < lanes; ++j) {
    const std::uint64_t prod = std::uint64_t{w[j]} * bound;
    const bool reject = static_cast<std::uint32_t>(prod) < threshold;
    out[j] = reject ? -1 : static_cast<int>(prod >> 32);
    rejected += reject;
  }
  return rejected;
}

/// The fallback index of member m, step n, entry q: fresh words until one is
/// accepted (after 64 rejections, probability below (bound / 2^32)^64, the
/// last index is kept).
int fallback_index(std::uint64_t seed, std::uint64_t m, std::uint64_t n, int q, std::uint32_t bound) {
  const std::uint32_t threshold = (0u - bound) % bound;
  const std::uint32_t key[2] = {static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32)};
  int index = 0;
  for (std::uint32_t r = 0; r < 16; ++r) {
    const std::uint32_t counter[4] = {static_cast<std::uint32_t>(n),
                                      static_cast<std::uint32_t>(n >> 32) | kFallbackDomain | (r << 26),
                                      static_cast<std::uint32_t>(m),
                                      static_cast<std::uint32_t>((m >> 32) << 16) | static_cast<std::uint32_t>(q)};
    std::uint32_t out[4];
    philox4x32_10(counter, key, out);
    for (std::uint32_t w : out) {
      const std::uint64_t prod = std::uint64_t{w} * bound;
      index = static_cast<int>(prod >> 32);
      if (static_cast<std::uint32_t>(prod) >= threshold) return index;
    }
  }
  return index;
}

/// Runs `pair(first, second, out0, out1)` on every lane of every call q of
/// one domain: the two 64-bit words of the call and where its two outputs
/// go (entries 2q and 2q + 1; a spare slot for the second of an odd count).
/// Inlined into each generator, so every clone vectorises it.
template <class Pair>
[[gnu::always_inline]] inline void for_each_call(std::uint64_t seed, std::int64_t m0, int lanes, std::uint64_t step,
                                                 int count, std::uint32_t domain, double* out, Pair pair) {
  Lanes g;
  alignas(64) double spare[kChunk];
  for (int j0 = 0; j0 < lanes; j0 += kChunk) {
    const int L = std::min(kChunk, lanes - j0);
    for (int q = 0; 2 * q < count; ++q) {
      g.run(seed, static_cast<std::uint64_t>(m0 + j0), L, step, domain, q);
      double* o0 = out + static_cast<std::size_t>(2 * q) * lanes + j0;
      double* o1 = 2 * q + 1 < count ? out + static_cast<std::size_t>(2 * q + 1) * lanes + j0 : spare;
      for (int j = 0; j < L; ++j) pair(g.first(j), g.second(j), o0[j], o1[j]);
    }
  }
}

}  // namespace

FWKIT_VECTOR_CLONES
void normal_block(std::uint64_t seed, std::int64_t m0, int lanes, std::uint64_t step, int count, double* out) {
  for_each_call(seed, m0, lanes, step, count, kNormalDomain, out,
                [](std::uint64_t w1, std::uint64_t w2, double& z0, double& z1) {
                  const double u1 = unit_from_bits(w1 >> 12), u2 = unit_from_bits(w2 >> 12);
                  const double r = std::sqrt(-2.0 * log_unit(u1));
                  const SinCos t = sincos_2pi(u2);
                  z0 = r * t.c;
                  z1 = r * t.s;
                });
}

FWKIT_VECTOR_CLONES
void uniform_block(std::uint64_t seed, std::int64_t m0, int lanes, std::uint64_t step, int count, double* out) {
  for_each_call(seed, m0, lanes, step, count, kUniformDomain, out,
                [](std::uint64_t w1, std::uint64_t w2, double& u0, double& u1) {
                  u0 = unit_from_bits(w1 >> 12);
                  u1 = unit_from_bits(w2 >> 12);
                });
}

void index_block(std::uint64_t seed, std::int64_t m0, int lanes, std::uint64_t step, int count,
                 const std::uint32_t* bound, int* out, IndexCache& cache) {
  for (int q = 0; q < count; ++q)
    if (bound[q] < 1 || bound[q] > 0x7FFFFFFFu) throw Error(ExitCode::kSoftware, "index_block: bound out of [1, 2^31)");
  const std::uint64_t quad = step / 4;
  const std::size_t plane = static_cast<std::size_t>(count) * lanes;
  if (cache.m0 != m0 || cache.lanes != lanes || cache.count != count || cache.quad != quad || cache.seed != seed ||
      cache.words.size() < 4 * plane) {
    cache.words.resize(4 * plane);
    index_words(seed, m0, lanes, quad, count, cache.words.data());
    cache.m0 = m0;
    cache.lanes = lanes;
    cache.count = count;
    cache.quad = quad;
    cache.seed = seed;
  }
  const std::uint32_t* words = cache.words.data() + (step % 4) * plane;
  for (int q = 0; q < count; ++q) {
    int* oq = out + static_cast<std::size_t>(q) * lanes;
    if (words_to_indices(words + static_cast<std::size_t>(q) * lanes, bound[q], oq, lanes) == 0) continue;
    for (int j = 0; j < lanes; ++j)
      if (oq[j] < 0) oq[j] = fallback_index(seed, static_cast<std::uint64_t>(m0 + j), step, q, bound[q]);
  }
}

}  // namespace fw::rng
