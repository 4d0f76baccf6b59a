// solvers/train/train_io.hpp — `fwkit train` results in HDF5
// (docs/hdf5-schema.md, "train").
#pragma once

#include "fwkit/io/result_file.hpp"
#include "trainer.hpp"

namespace fw::train {

/// Writes the training set, the noise levels, the monitor series of every
/// member, the final samples and parameters, the episodes and the summary
/// under `parent`.
void write_training(const io::Group& parent, const Options& options, const Mat& data, const Result& result);
/// The same for a run on split.train; with a validation split also the
/// validation points, /gap over the monitors and /inference at the end.
void write_training(const io::Group& parent, const Options& options, const Split& split, const Result& result);

}  // namespace fw::train
