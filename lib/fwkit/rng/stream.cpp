#include "fwkit/rng/stream.hpp"

#include <cmath>
#include <numbers>

namespace fw::rng {

Stream::Stream(std::uint64_t seed, std::uint64_t member) {
  key_ = {{seed, member}};
  seek(0);
}

void Stream::seek(std::uint64_t step) {
  ctr_ = {{step, 0, 0, 0}};
  used_ = 4;
  has_spare_ = false;
}

void Stream::refill() {
  const Gen::ctr_type out = Gen()(ctr_, key_);
  for (int i = 0; i < 4; ++i) buf_[i] = out.v[i];
  ++ctr_.v[1];
  used_ = 0;
}

std::uint64_t Stream::bits() {
  if (used_ == 4) refill();
  return buf_[used_++];
}

double Stream::uniform() {
  // (k + 1/2) / 2^53 for k uniform in [0, 2^53): never 0, never 1.
  return (static_cast<double>(bits() >> 11) + 0.5) * 0x1.0p-53;
}

double Stream::normal() {
  if (has_spare_) {
    has_spare_ = false;
    return spare_normal_;
  }
  const double u1 = uniform();
  const double u2 = uniform();
  const double r = std::sqrt(-2.0 * std::log(u1));
  const double theta = 2.0 * std::numbers::pi * u2;
  spare_normal_ = r * std::sin(theta);
  has_spare_ = true;
  return r * std::cos(theta);
}

std::uint64_t Stream::below(std::uint64_t n) {
  return static_cast<std::uint64_t>((static_cast<unsigned __int128>(bits()) * n) >> 64);
}

}  // namespace fw::rng
