// drivers/pipeline.hpp — `fwkit run`: one experiment file declares the
// model, the stages (solvers, simulations, comparisons) and where results
// go; the stages run as fwkit subcommands, in dependency order, each on a
// configuration cut out of the experiment file.
//
//   [experiment]
//   name = "memorization_vs_step"   # results in out/<name> unless output is given
//   output = "out/memorization"      # optional, relative to the working folder
//   plots = true                     # PNGs of every result under <output>/figures
//
//   [model] ...                      # shared tables, handed to the stages that use them
//
//   [stages.steps]                   # a stage named "steps"
//   command = "simulate"             # analyze, ode, action, quasipotential, simulate, train, compare
//   use = ["model"]                  # shared tables it gets (default: [model] if there is one; compare: none)
//   after = []                       # stages that must run first (besides those it names)
//   scheme = "sgd"                   # ... every other key is the command's own section
//
//   [stages.episodes]
//   command = "compare"
//   kind = "episodes"
//   simulation = "steps"             # an input key (simulation, transitions, training, episodes,
//                                    # quasipotential) naming a stage stands for its result file;
//                                    # another relative path is taken from the experiment's folder
//
// Before any stage runs, every stage's configuration is checked by its
// command (`--dry-run`; stage_check.hpp), so a typo in the last stage costs
// no work; `fwkit run --dry-run` checks exactly that. A stage's
// configuration is written to <output>/<stage>.toml and its result to
// <output>/<stage>.h5 (log: <stage>.log). A stage is reused, not run, when
// its result exists, its fingerprint (its configuration, fwkit's version and
// the fingerprints of the stages it depends on) is the one recorded when it
// last finished, and the file's checksum is the one recorded then; a stage
// killed mid-run resumes from its checkpoints. One `fwkit run` at a time
// holds a results folder (<output>/.fwkit-run/lock); a signal that stops
// `fwkit run` is passed on to the stage it is running.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "fwkit/config/config.hpp"

namespace fw::driver {

struct Stage {
  std::string name, command;
  std::vector<std::string> depends;  // stage names, resolved from after and references
  std::string config_text;           // the stage's own configuration (TOML)
};

struct Plan {
  std::string name;
  std::filesystem::path folder;
  bool plots = true;
  std::vector<Stage> stages;  // in the order they run
};

/// Reads and checks the experiment: errors name the key, the value and the
/// rule (unknown command, a stage named twice or depending on itself or on
/// a missing stage, a shared table no stage uses, a cycle).
Plan plan_experiment(const config::Config& experiment);

}  // namespace fw::driver
