// fwkit/io/reader.hpp — reading fwkit's own result files (later subcommands
// read what earlier ones wrote).
#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace fw::io {

/// A dataset read into memory as doubles, row-major.
struct Array {
  std::vector<std::size_t> shape;
  std::vector<double> data;

  std::size_t size() const { return data.size(); }
  /// Element at a row-major multi-index.
  double at(std::initializer_list<std::size_t> index) const;
};

class Reader {
 public:
  /// Opens `path` read-only. Throws an Error with exit code 66 if it does not
  /// exist and 65 if it is not an HDF5 file.
  explicit Reader(const std::filesystem::path& path);
  ~Reader();
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;

  /// Whether a group or dataset exists at `object_path` ("/a/b").
  bool exists(const std::string& object_path) const;
  /// A numeric dataset converted to double.
  Array read(const std::string& dataset_path) const;
  /// Names of the members of a group.
  std::vector<std::string> members(const std::string& group_path) const;
  /// A string attribute (fixed or variable length).
  std::string string_attribute(const std::string& object_path, const std::string& name) const;
  /// A numeric attribute; its first element for an array attribute.
  double number_attribute(const std::string& object_path, const std::string& name) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace fw::io
