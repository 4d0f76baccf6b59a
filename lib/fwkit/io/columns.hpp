// fwkit/io/columns.hpp — named numeric columns (a data set for a finite-sum
// loss) read from a CSV file with a header, or from HDF5 datasets.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace fw::io {

using Columns = std::map<std::string, std::vector<double>>;

/// The columns of a CSV file: the first line that is not blank or a comment
/// ('#') is the header, naming the columns (comma-separated, or
/// tab-separated when it holds no comma; surrounding quotes and spaces are
/// dropped); every later row holds one finite number per column. `wanted`
/// selects columns by name (empty: all, in header order); the name of a
/// vector selects all its entries ("x" takes the columns x[1], x[2], ...). Errors (exit 66 for
/// a missing file, 65 for bad data) name the file, the line, the column and
/// the rule: a missing column, a row with too few or too many fields, a
/// field that is not a number, NaN or infinity, a file with no rows.
Columns read_csv_columns(const std::filesystem::path& path, const std::vector<std::string>& wanted = {});

/// Columns from HDF5: name -> dataset path, each dataset 1-D (or n x 1) and
/// all of one length n >= 1, finite.
Columns read_hdf5_columns(const std::filesystem::path& path, const std::map<std::string, std::string>& datasets);

}  // namespace fw::io
