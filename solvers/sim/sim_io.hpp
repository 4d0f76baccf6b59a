// solvers/sim/sim_io.hpp — ensemble results in HDF5, and checkpoints.
//
// Result groups (docs/hdf5-schema.md, "simulate"): summary, occupation,
// transitions, histogram, trajectory and members, under the given parent.
// A checkpoint is an HDF5 file holding an EnsembleState exactly (doubles bit
// for bit) plus a fingerprint of the configuration that produced it; it is
// written to a temporary name and renamed, so a run killed while saving
// leaves the previous checkpoint intact.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "ensemble.hpp"
#include "fwkit/io/result_file.hpp"

namespace fw::sim {

/// Writes the results of a finished (or partial) run under `parent`.
/// `noise_scale` is the small parameter of the run's large deviations
/// (eta for sgd, eps for langevin, T for ula): the histogram's potential
/// estimate is -noise_scale log(density / max density).
void write_ensemble(const io::Group& parent, const Options& options, const EnsembleState& state,
                    const Summary& summary, const std::vector<std::string>& variables);

/// Writes estimates as two datasets over `dims`: `name` (the values, with
/// `info`) and `se_name` (their standard errors, described by `se_long_name`).
void write_estimates(const io::Group& g, const std::string& name, const std::string& se_name,
                     const std::vector<std::string>& dims, const std::vector<Estimate>& estimates,
                     const io::VarInfo& info, const std::string& se_long_name);

/// The large-deviation scale of a run (see write_ensemble).
double noise_scale(const Options& options);

void save_checkpoint(const std::filesystem::path& path, const EnsembleState& state,
                     const std::string& fingerprint);

/// Reads a checkpoint written by save_checkpoint for the same options.
/// Throws an Error (exit 65) if the file is not one, or if its fingerprint
/// differs (the configuration changed since it was written).
EnsembleState load_checkpoint(const std::filesystem::path& path, const Options& options, int dim,
                              const std::string& fingerprint);

}  // namespace fw::sim
