// drivers/commands.hpp — one registration function per subcommand. Each adds
// its CLI11 subcommand and sets `action`, run if that subcommand is chosen.
#pragma once

#include <functional>
#include <string>

#include "common.hpp"
#include "fwkit/core/error.hpp"
#include "fwkit/par/comm.hpp"

namespace fw::driver {

void register_systems(CLI::App& app, std::function<int()>& action);
void register_action(CLI::App& app, std::function<int()>& action, CommonOptions& options,
                     const std::string& cmdline);
void register_ode(CLI::App& app, std::function<int()>& action, CommonOptions& options,
                  const std::string& cmdline);
void register_quasipotential(CLI::App& app, std::function<int()>& action, CommonOptions& options,
                             const std::string& cmdline);
/// `comm`: the processes of an MPI run (members or sweep points are shared
/// among them; the root writes the one result file).
void register_simulate(CLI::App& app, std::function<int()>& action, CommonOptions& options,
                       const std::string& cmdline, const par::Comm& comm);
void register_train(CLI::App& app, std::function<int()>& action, CommonOptions& options,
                    const std::string& cmdline);
/// Exit status of `compare` and `run` when every result was written but a
/// judged comparison missed its tolerance.
inline constexpr int kOutsideTolerance = 1;

void register_compare(CLI::App& app, std::function<int()>& action, CommonOptions& options,
                      const std::string& cmdline);
/// `fwkit run`: the stages run as child processes of this executable.
void register_run(CLI::App& app, std::function<int()>& action, CommonOptions& options);
void register_analyze(CLI::App& app, std::function<int()>& action, CommonOptions& options,
                      const std::string& cmdline);

}  // namespace fw::driver
