// fwkit/io/points.hpp — reading a set of points (a training set) from a file.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "fwkit/core/types.hpp"

namespace fw::io {

/// Reads points from `path`, one point per row, and returns them d x n (one
/// per column):
///  - ".csv" / ".txt": comma- (or whitespace-) separated numbers; a first
///    line that is not numeric is taken as a header; blank lines and lines
///    starting with '#' are skipped; every row must have the same length;
///  - ".h5" / ".hdf5": the numeric dataset `dataset` (n x d, or n for 1-D).
/// Errors name the file, the line or dataset, and the rule (exit 65 / 66).
Mat read_points(const std::filesystem::path& path, const std::string& dataset = "");

/// End states to start from: from an fwkit simulate file every member's
/// /members/final_state (members that blew up are skipped), from an fwkit
/// ode file the last row of /trajectory/state (every sweep point's), and
/// from a CSV / text file every row (as read_points). Empty when an HDF5
/// file holds none of these.
/// `skipped` (optional) counts the rows left out for holding non-finite values.
std::vector<Vec> read_end_states(const std::filesystem::path& path, std::size_t* skipped = nullptr);

}  // namespace fw::io
