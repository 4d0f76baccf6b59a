// fwkit/io/result_file.hpp — writing fwkit's HDF5 result files.
//
// Files are netCDF-4 compatible, so h5py, xarray (engine "h5netcdf"),
// MATLAB and Julia read them without help:
//  - every dimension of every dataset is a dimension scale: a coordinate
//    dataset named after the dimension, in the same group;
//  - variables carry CF-style `units` and `long_name` attributes; string
//    attributes are variable-length UTF-8;
//  - non-empty datasets are chunked (at most 1 MiB a chunk) and compressed
//    with shuffle + gzip (unless the file is made with Compression::kNone).
// A ResultFile writes to "<final>.tmp-<host>-<pid>" in the destination folder and
// renames it to the final name only on commit(); destroying it uncommitted
// removes the temporary. A run killed at any point therefore never leaves a
// truncated file under the final name, and the temporary a killed process
// left is removed by the next ResultFile for the same path on that host.
// While it lives it holds the lock "<final>.lock" (file_lock.hpp): a second
// process writing the same output is refused before it does any work.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace fw::io {

/// CF metadata of a variable.
struct VarInfo {
  std::string units;      // "1" for dimensionless
  std::string long_name;  // human-readable description
  /// CF flags for categorical integer variables (flag_values, flag_meanings).
  std::vector<std::int64_t> flag_values = {};
  std::string flag_meanings = {};
};

class Group {
 public:
  /// Creates the child group `name`.
  Group group(const std::string& name) const;

  void set_attribute(const std::string& name, const std::string& value) const;
  void set_attribute(const std::string& name, const char* value) const {
    set_attribute(name, std::string(value));
  }
  void set_attribute(const std::string& name, double value) const;
  void set_attribute(const std::string& name, std::int64_t value) const;
  void set_attribute(const std::string& name, std::span<const double> values) const;
  void set_attribute(const std::string& name, std::span<const std::int64_t> values) const;

  /// A dimension with coordinate values (a netCDF coordinate variable).
  void add_dimension(const std::string& name, std::span<const double> coords,
                     const VarInfo& info) const;
  /// A dimension indexed 0..n-1.
  void add_index_dimension(const std::string& name, std::size_t n,
                           const std::string& long_name) const;
  /// A dataset over dimensions of this group, data in row-major order (the
  /// last dimension varies fastest). Sizes must match the dimensions.
  void write(const std::string& name, const std::vector<std::string>& dims,
             std::span<const double> data, const VarInfo& info) const;
  void write(const std::string& name, const std::vector<std::string>& dims,
             std::span<const std::int64_t> data, const VarInfo& info) const;
  /// A 1-D dataset with no dimension scale or metadata: for files only
  /// fwkit reads back (checkpoints), where an index dimension would double
  /// the bytes written.
  void write_plain(const std::string& name, std::span<const double> data) const;
  void write_plain(const std::string& name, std::span<const std::int64_t> data) const;

 /// Opaque state (defined in result_file.cpp).
  struct Impl;

 private:
  friend class ResultFile;
  explicit Group(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<Impl> impl_;
};

/// Whether datasets are chunked and compressed (results) or stored
/// contiguous and raw (checkpoints, written often and read back once).
enum class Compression { kGzip, kNone };

class FileLock;

/// For a program's main(), before anything else touches HDF5: tells the
/// library not to close its files when the process exits. After a write the
/// file system refused (disk full), HDF5 1.10's own clean-up at exit crashes
/// on the file it could not close; fwkit closes (or abandons) every file
/// itself, so the clean-up has nothing to do.
void skip_hdf5_cleanup_at_exit();

class ResultFile {
 public:
  /// Locks `final_path` and creates the temporary file next to it. Throws
  /// an Error with exit code 73 if it cannot be created, 75 if another
  /// process is writing the same output.
  explicit ResultFile(std::filesystem::path final_path, Compression compression = Compression::kGzip);
  /// A file held in memory only and never stored: for processes of an MPI
  /// run that compute alongside the root but do not write. commit() only
  /// closes it.
  static std::unique_ptr<ResultFile> in_memory(const std::string& name);
  ~ResultFile();
  ResultFile(const ResultFile&) = delete;
  ResultFile& operator=(const ResultFile&) = delete;

  Group root() const;
  /// Closes the file and renames it to the final path (atomic on POSIX).
  void commit();

  const std::filesystem::path& final_path() const { return final_path_; }
  const std::filesystem::path& temporary_path() const { return temp_path_; }

 private:
  std::filesystem::path final_path_, temp_path_;
  std::unique_ptr<FileLock> lock_;  // released after the temporary is gone
  std::shared_ptr<Group::Impl> root_;
  bool committed_ = false;
  bool in_memory_ = false;

  struct MemoryTag {};
  ResultFile(const std::string& name, MemoryTag);
  void open_root(std::int64_t file_id);
};

}  // namespace fw::io
