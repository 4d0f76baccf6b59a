// drivers/train_data.hpp — the `[data]` table of `fwkit train`: the points
// (given, generated or read from a file) and their split into training and
// validation points ([data.validation]).
#pragma once

#include <filesystem>

#include "fwkit/config/config.hpp"
#include "train/generalization.hpp"

namespace fw::driver {

/// The data set: given points, generated from a law ("gaussian", "mixture",
/// "circle"), or read from a file (a relative path starts at the config's folder).
Mat read_train_data(const config::Table& t);

/// The split of the data: with no [data.validation] every point trains;
/// `every = k` (offset o, default 1) holds out the points i with i mod k = o;
/// `fraction = f` (seed s) a seeded random share f; `points` or `file` an
/// explicit validation set (then every data point trains).
train::Split read_train_split(const config::Table& t);

}  // namespace fw::driver
