// solvers/train/gap_io.hpp — the generalization gap and inference distances
// in HDF5 (docs/hdf5-schema.md, "train", groups gap and inference).
#pragma once

#include <string>
#include <vector>

#include "closed_form.hpp"
#include "fwkit/io/result_file.hpp"

namespace fw::train {

/// The validation split as `validation` (vpoint, component).
void write_validation(const io::Group& g, const Mat& validation);

/// /gap: loss_train, loss_val, their standard errors, gap and gap_se over
/// (member, monitor, sigma); curves[m][t] is member m at monitor t. The
/// attributes give the peak of the member-mean gap at the last monitor.
void write_gap(const io::Group& parent, const std::vector<std::vector<GapCurve>>& curves,
               const std::vector<double>& monitor_steps, const std::string& denoiser);

/// /inference: distances over (member, stop), beside the training gap at the
/// same sigma (from the last gap curve of each member, nearest sigma).
void write_inference(const io::Group& parent, const std::vector<std::vector<InferenceStop>>& stops,
                     const std::vector<GapCurve>& last_gap);

/// A closed-form evaluation: data, validation, samples, memorization, gap, inference.
void write_closed_form(const io::Group& g, const ClosedFormOptions& options, const Split& split,
                       const ClosedFormResult& result);

}  // namespace fw::train
