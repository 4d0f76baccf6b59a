// solvers/compare/option_checks.hpp — the checks the comparisons' options
// share, with one wording: "<key> = <value>: must be > 0".
#pragma once

#include <fmt/format.h>

#include <string_view>

#include "fwkit/core/error.hpp"

namespace fw::compare {

/// Throws a config Error naming `key` and `value` unless value > 0 (NaN fails).
inline void require_positive(std::string_view key, double value) {
  if (!(value > 0)) throw config_error(fmt::format("{} = {}: must be > 0", key, value));
}

}  // namespace fw::compare
