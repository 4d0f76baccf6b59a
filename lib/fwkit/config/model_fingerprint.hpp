// fwkit/config/model_fingerprint.hpp — the [model] section of a run's
// configuration as a fingerprint, so that results computed for different
// models are not compared by mistake.
//
// Every result file's /provenance carries `model_hash` (FNV-1a over the
// flattened, sorted `key = value` lines of the resolved [model] table);
// `fwkit compare` refuses inputs whose models differ and names the keys.
//
//   auto diff = fw::config::model_differences(config_a, config_b);
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace fw::config {

/// The [model] table of a TOML text flattened to "model.a.b" -> value
/// (TOML syntax); empty when there is none.
std::map<std::string, std::string> flatten_model(const std::string& config_toml);

/// 16 hex digits of FNV-1a over the flattened model; "" when there is none.
std::string model_hash(const std::string& config_toml);

/// One line per key whose value differs ("key: A vs B", "absent" for a
/// missing key); empty when the models agree or either has none.
std::vector<std::string> model_differences(const std::string& config_a, const std::string& config_b);

}  // namespace fw::config
