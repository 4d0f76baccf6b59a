// fwkit/core/checksum.hpp — a 64-bit FNV-1a hash, for fingerprints of
// configurations and checksums of files and checkpoints (to notice edits
// and damage, not to resist an adversary).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace fw {

class Checksum {
 public:
  Checksum& add(const void* data, std::size_t bytes) {
    const auto* p = static_cast<const unsigned char*>(data);
    for (std::size_t i = 0; i < bytes; ++i) h_ = (h_ ^ p[i]) * 1099511628211ull;
    return *this;
  }
  Checksum& add(std::string_view text) { return add(text.data(), text.size()); }

  std::uint64_t value() const { return h_; }
  /// 16 hex digits.
  std::string hex() const {
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h_));
    return buf;
  }

 private:
  std::uint64_t h_ = 14695981039346656037ull;
};

}  // namespace fw
