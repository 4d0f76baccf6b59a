// fwkit/core/build_info.hpp — what this binary was built from (recorded in
// every result file's /provenance).
#pragma once

namespace fw {

struct BuildInfo {
  const char* version;
  const char* git_hash;
  const char* git_dirty;  // "true", "false" or "unknown"
  const char* eigen_version;
  const char* sundials_version;
  const char* boost_version;
  const char* hdf5_version;
};

const BuildInfo& build_info();

}  // namespace fw
