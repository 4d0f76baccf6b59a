// fwkit/core/error.hpp — the error type every fwkit layer throws for bad input.
//
// Each error carries a sysexits-style exit code so that the `fwkit` driver
// can map any failure to a meaningful process status without inspecting
// messages:
//   64 usage (bad command line), 65 data (malformed input data),
//   66 no input (missing file), 70 software (internal error),
//   73 cannot create output, 78 config (invalid configuration).
#pragma once

#include <stdexcept>
#include <string>

namespace fw {

enum class ExitCode : int {
  kOk = 0,
  kUsage = 64,
  kData = 65,
  kNoInput = 66,
  kSoftware = 70,
  kCannotCreate = 73,
  kTempFail = 75,  // another process holds the output: try again later
  kConfig = 78,
};

/// An error caused by what the user asked for (bad config, bad data, missing
/// file, unwritable output). The message names the offending key or path,
/// the value and the rule it breaks.
class Error : public std::runtime_error {
 public:
  Error(ExitCode code, const std::string& message)
      : std::runtime_error(message), code_(code) {}
  ExitCode code() const { return code_; }

 private:
  ExitCode code_;
};

/// A configuration error (exit code 78).
inline Error config_error(const std::string& message) {
  return Error(ExitCode::kConfig, message);
}

/// A malformed-data error (exit code 65).
inline Error data_error(const std::string& message) {
  return Error(ExitCode::kData, message);
}

}  // namespace fw
