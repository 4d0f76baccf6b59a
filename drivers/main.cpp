// The `fwkit` command: one executable, one subcommand per task.
#include <iostream>
#include <map>

#include "commands.hpp"
#include "fwkit/core/build_info.hpp"
#include "fwkit/io/result_file.hpp"

int main(int argc, char** argv) {
  using namespace fw::driver;
  fw::io::skip_hdf5_cleanup_at_exit();
  // Under mpirun: every process runs the same command; only the root speaks
  // on stdout and writes files (errors still reach stderr from any rank).
  fw::par::Session session(argc, argv);
  const fw::par::Comm comm = session.world();
  if (!comm.is_root()) std::cout.setstate(std::ios_base::badbit);
  CLI::App app{"fwkit: large deviations of stochastic training dynamics"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("fwkit ") + fw::build_info().version +
                                        (fw::par::Session::mpi_built() ? " (MPI)" : ""));
  const std::string cmdline = command_line(argc, argv);
  CommonOptions options;
  std::map<std::string, std::function<int()>> actions;
  register_systems(app, actions["systems"]);
  register_analyze(app, actions["analyze"], options, cmdline);
  register_ode(app, actions["ode"], options, cmdline);
  register_action(app, actions["action"], options, cmdline);
  register_simulate(app, actions["simulate"], options, cmdline, comm);
  register_quasipotential(app, actions["quasipotential"], options, cmdline);
  register_train(app, actions["train"], options, cmdline);
  register_compare(app, actions["compare"], options, cmdline);
  register_run(app, actions["run"], options);
  if (argc > 1 && argv[1][0] != '-' && !actions.count(argv[1])) {
    std::string known;
    for (const auto& [name, run] : actions) known += (known.empty() ? "" : ", ") + name;
    std::cerr << "fwkit: error: unknown command '" << argv[1] << "' (commands: " << known << "; fwkit --help)\n";
    return static_cast<int>(fw::ExitCode::kUsage);
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? 0 : static_cast<int>(fw::ExitCode::kUsage);
  }
  for (auto* sub : app.get_subcommands())
    if (auto it = actions.find(sub->get_name()); it != actions.end()) return guarded(it->second, comm, &options);
  return static_cast<int>(fw::ExitCode::kUsage);
}
