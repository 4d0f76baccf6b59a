// fwkit/io/provenance.hpp — the /provenance group of every result file.
//
// Attributes (all strings unless noted): fwkit_version, git_hash, git_dirty,
// command_line, config (the resolved config as TOML), seed (int64, when the
// run is random), hostname, utc_time (ISO 8601), schema_version (int64),
// and the versions of hdf5, eigen, sundials and boost; for a run shared
// among MPI processes, processes (int64) and split (how the work was shared).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "fwkit/io/result_file.hpp"

namespace fw::io {

/// Version of the layout documented in docs/hdf5-schema.md.
inline constexpr std::int64_t kSchemaVersion = 1;

struct Provenance {
  std::string command_line;
  std::string config_toml;
  std::optional<std::uint64_t> seed;
  std::int64_t processes = 1;  // MPI processes that computed the result
  std::string split = {};      // how they shared it ("members", "points")
};

/// Writes root attributes (Conventions, fwkit_kind, title) and /provenance.
void write_provenance(const Group& root, const std::string& kind, const std::string& title,
                      const Provenance& provenance);

}  // namespace fw::io
