// fwkit/io/h5_handle.hpp — internal to lib/fwkit/io: RAII over HDF5 ids.
// The only header in fwkit that includes hdf5.h; never include it outside io.
#pragma once

#include <hdf5.h>
#include <hdf5_hl.h>

#include <string>
#include <utility>

#include "fwkit/core/error.hpp"

namespace fw::io::detail {

/// Owns one HDF5 identifier and closes it with the matching H5*close.
class Handle {
 public:
  using Closer = herr_t (*)(hid_t);
  Handle() = default;
  Handle(hid_t id, Closer close) : id_(id), close_(close) {}
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  Handle(Handle&& o) noexcept : id_(std::exchange(o.id_, -1)), close_(o.close_) {}
  Handle& operator=(Handle&& o) noexcept {
    if (this != &o) {
      reset();
      id_ = std::exchange(o.id_, -1);
      close_ = o.close_;
    }
    return *this;
  }
  ~Handle() { reset(); }
  void reset() {
    if (id_ >= 0 && close_ && H5Iis_valid(id_) > 0) close_(id_);
    id_ = -1;
  }
  hid_t get() const { return id_; }
  /// Gives up ownership: the caller closes the id.
  hid_t release() { return std::exchange(id_, -1); }
  bool valid() const { return id_ >= 0; }

 private:
  hid_t id_ = -1;
  Closer close_ = nullptr;
};

/// Throws an Error with `code` if `id` is negative; otherwise wraps it.
inline Handle check(hid_t id, Handle::Closer close, const std::string& what,
                    ExitCode code = ExitCode::kSoftware) {
  if (id < 0) throw Error(code, "HDF5: " + what);
  return Handle(id, close);
}

inline void check_status(herr_t status, const std::string& what,
                         ExitCode code = ExitCode::kSoftware) {
  if (status < 0) throw Error(code, "HDF5: " + what);
}

/// Silences HDF5's automatic error printing; fwkit reports errors itself.
inline void quiet_errors() { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); }

}  // namespace fw::io::detail
