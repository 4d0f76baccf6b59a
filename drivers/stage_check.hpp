// drivers/stage_check.hpp — `fwkit run` checks every stage before any runs.
#pragma once

#include <filesystem>

#include "fwkit/config/config.hpp"
#include "pipeline.hpp"

namespace fw::driver {

/// Runs each stage's command with `--dry-run` on the stage's configuration
/// (in a private temporary folder; nothing is written in the results
/// folder), the results of earlier stages standing as inputs still to come.
/// The first stage that fails stops the experiment with its error, its keys
/// and lines translated to the experiment file's ("stages.b.tend = -1
/// (e.toml line 14)"), and its exit code.
void check_stages(const config::Config& experiment, const Plan& plan, const std::filesystem::path& self);

}  // namespace fw::driver
