#include "fwkit/io/result_file.hpp"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <numeric>
#include <system_error>

#include "fwkit/io/file_lock.hpp"
#include "fwkit/io/h5_handle.hpp"

namespace fw::io {

using detail::check;
using detail::check_status;
using detail::Handle;

struct Group::Impl {
  std::shared_ptr<Handle> file;  // keeps the file open while groups live
  Handle group;
  std::string path;
  bool compress = true;
};

namespace {

std::string this_host() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0) return "unknown";
  std::string h(buf);
  std::replace(h.begin(), h.end(), '-', '_');  // the name is split at '-'
  return h;
}

/// Whether process `pid` has ended (gone, or a zombie nobody reaped: in a
/// container whose first process does not reap, killed children stay so).
bool process_ended(pid_t pid) {
  if (::kill(pid, 0) != 0) return errno == ESRCH;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return false;
  const auto close = line.rfind(')');
  return close != std::string::npos && close + 2 < line.size() && line[close + 2] == 'Z';
}

/// Removes temporaries "<final>.tmp-<host>-<pid>" left by processes of this
/// host that no longer exist (a run killed before it committed). Those of
/// live processes, and of other hosts sharing the folder, are left alone.
void remove_stale_temporaries(const std::filesystem::path& final_path, const std::string& host) {
  const std::string prefix = final_path.filename().string() + ".tmp-" + host + "-";
  std::error_code ec;
  const auto parent = final_path.has_parent_path() ? final_path.parent_path() : std::filesystem::path(".");
  for (const auto& entry : std::filesystem::directory_iterator(parent, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind(prefix, 0) != 0) continue;
    const std::string digits = name.substr(prefix.size());
    if (digits.empty() || digits.size() > 9 || !std::all_of(digits.begin(), digits.end(), ::isdigit)) continue;
    const pid_t pid = static_cast<pid_t>(std::stol(digits));
    if (pid > 0 && process_ended(pid)) std::filesystem::remove(entry.path(), ec);
  }
}

/// Throws exit 73 for a write the file system refused: the file's name
/// (from any object in it) and the system's reason (no space left, file too
/// large, read-only, permission) when the failed write set one.
void check_write(herr_t status, hid_t obj, const std::string& what) {
  if (status >= 0) return;
  const int e = errno;
  std::string file = "the result file";
  if (const ssize_t n = H5Fget_name(obj, nullptr, 0); n > 0) {
    std::string name(static_cast<std::size_t>(n) + 1, '\0');
    H5Fget_name(obj, name.data(), name.size());
    name.resize(static_cast<std::size_t>(n));
    file = name;
  }
  const bool system = e == ENOSPC || e == EDQUOT || e == EFBIG || e == EIO || e == EROFS || e == EACCES || e == EPERM;
  throw Error(ExitCode::kCannotCreate,
              "cannot write " + file + " (" + what + ")" + (system ? std::string(": ") + std::strerror(e) : std::string()));
}

Handle utf8_string_type() {
  Handle t = check(H5Tcopy(H5T_C_S1), H5Tclose, "copying the string type");
  check_status(H5Tset_size(t.get(), H5T_VARIABLE), "setting the string size");
  check_status(H5Tset_cset(t.get(), H5T_CSET_UTF8), "setting UTF-8");
  return t;
}

void write_attribute(hid_t obj, const std::string& name, hid_t type, hid_t space,
                     const void* data, const std::string& where) {
  if (H5Aexists(obj, name.c_str()) > 0) H5Adelete(obj, name.c_str());
  Handle a = check(H5Acreate2(obj, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT),
                   H5Aclose, "creating attribute " + where + "@" + name);
  errno = 0;
  check_write(H5Awrite(a.get(), type, data), obj, "writing attribute " + where + "@" + name);
}

void string_attribute(hid_t obj, const std::string& name, const std::string& value,
                      const std::string& where) {
  Handle t = utf8_string_type();
  Handle s = check(H5Screate(H5S_SCALAR), H5Sclose, "creating a scalar space");
  const char* p = value.c_str();
  write_attribute(obj, name, t.get(), s.get(), &p, where);
}

/// Chunk shape: halve the largest extent until a chunk fits in 1 MiB.
std::vector<hsize_t> chunk_shape(const std::vector<hsize_t>& dims, std::size_t elem) {
  std::vector<hsize_t> c = dims;
  constexpr std::size_t kMax = 1 << 20;
  auto bytes = [&] {
    return std::accumulate(c.begin(), c.end(), static_cast<std::size_t>(elem),
                           [](std::size_t a, hsize_t b) { return a * b; });
  };
  while (bytes() > kMax) {
    auto it = std::max_element(c.begin(), c.end());
    *it = (*it + 1) / 2;
  }
  return c;
}

/// Creates and writes a dataset; returns it open.
Handle create_dataset(hid_t group, const std::string& name, const std::vector<hsize_t>& dims,
                      hid_t mem_type, hid_t file_type, std::size_t elem, const void* data,
                      const std::string& where, bool compress) {
  Handle space = check(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr),
                       H5Sclose, "creating the space of " + where);
  Handle dcpl = check(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, "creating a property list");
  const bool empty = std::any_of(dims.begin(), dims.end(), [](hsize_t d) { return d == 0; });
  if (!empty && compress) {
    const auto chunk = chunk_shape(dims, elem);
    check_status(H5Pset_chunk(dcpl.get(), static_cast<int>(chunk.size()), chunk.data()),
                 "chunking " + where);
    check_status(H5Pset_shuffle(dcpl.get()), "shuffle filter for " + where);
    check_status(H5Pset_deflate(dcpl.get(), 4), "gzip filter for " + where);
  }
  Handle ds = check(H5Dcreate2(group, name.c_str(), file_type, space.get(), H5P_DEFAULT,
                               dcpl.get(), H5P_DEFAULT),
                    H5Dclose, "creating dataset " + where);
  errno = 0;
  if (!empty) check_write(H5Dwrite(ds.get(), mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), group, "writing dataset " + where);
  return ds;
}

void describe(hid_t ds, const VarInfo& info, const std::string& where) {
  if (!info.units.empty()) string_attribute(ds, "units", info.units, where);
  if (!info.long_name.empty()) string_attribute(ds, "long_name", info.long_name, where);
  if (!info.flag_values.empty()) {
    const hsize_t n = info.flag_values.size();
    Handle s = check(H5Screate_simple(1, &n, nullptr), H5Sclose, "attribute space");
    write_attribute(ds, "flag_values", H5T_NATIVE_INT64, s.get(), info.flag_values.data(), where);
    string_attribute(ds, "flag_meanings", info.flag_meanings, where);
  }
}

}  // namespace

Group Group::group(const std::string& name) const {
  auto impl = std::make_shared<Impl>();
  impl->file = impl_->file;
  impl->compress = impl_->compress;
  impl->path = impl_->path == "/" ? "/" + name : impl_->path + "/" + name;
  impl->group = check(H5Gcreate2(impl_->group.get(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT,
                                 H5P_DEFAULT),
                      H5Gclose, "creating group " + impl->path);
  return Group(impl);
}

void Group::set_attribute(const std::string& name, const std::string& value) const {
  string_attribute(impl_->group.get(), name, value, impl_->path);
}

void Group::set_attribute(const std::string& name, double value) const {
  set_attribute(name, std::span<const double>(&value, 1));
}

void Group::set_attribute(const std::string& name, std::int64_t value) const {
  set_attribute(name, std::span<const std::int64_t>(&value, 1));
}

void Group::set_attribute(const std::string& name, std::span<const double> values) const {
  const hsize_t n = values.size();
  Handle s = check(H5Screate_simple(1, &n, nullptr), H5Sclose, "attribute space");
  write_attribute(impl_->group.get(), name, H5T_NATIVE_DOUBLE, s.get(), values.data(),
                  impl_->path);
}

void Group::set_attribute(const std::string& name, std::span<const std::int64_t> values) const {
  const hsize_t n = values.size();
  Handle s = check(H5Screate_simple(1, &n, nullptr), H5Sclose, "attribute space");
  write_attribute(impl_->group.get(), name, H5T_NATIVE_INT64, s.get(), values.data(),
                  impl_->path);
}

void Group::add_dimension(const std::string& name, std::span<const double> coords,
                          const VarInfo& info) const {
  const std::string where = impl_->path + "/" + name;
  Handle ds = create_dataset(impl_->group.get(), name, {coords.size()}, H5T_NATIVE_DOUBLE,
                             H5T_IEEE_F64LE, sizeof(double), coords.data(), where, impl_->compress);
  check_status(H5DSset_scale(ds.get(), name.c_str()), "making " + where + " a dimension scale");
  describe(ds.get(), info, where);
}

void Group::add_index_dimension(const std::string& name, std::size_t n,
                                const std::string& long_name) const {
  std::vector<std::int64_t> idx(n);
  std::iota(idx.begin(), idx.end(), 0);
  const std::string where = impl_->path + "/" + name;
  Handle ds = create_dataset(impl_->group.get(), name, {n}, H5T_NATIVE_INT64, H5T_STD_I64LE,
                             sizeof(std::int64_t), idx.data(), where, impl_->compress);
  check_status(H5DSset_scale(ds.get(), name.c_str()), "making " + where + " a dimension scale");
  describe(ds.get(), VarInfo{"1", long_name}, where);
}

namespace {

void write_array(const Group::Impl& g, const std::string& name,
                 const std::vector<std::string>& dims, const void* data, std::size_t count,
                 hid_t mem_type, hid_t file_type, std::size_t elem, const VarInfo& info) {
  const std::string where = g.path + "/" + name;
  std::vector<hsize_t> shape;
  std::vector<Handle> scales;
  for (const auto& dim : dims) {
    Handle d = check(H5Dopen2(g.group.get(), dim.c_str(), H5P_DEFAULT), H5Dclose,
                     "dimension '" + dim + "' of " + where + " must be added to the group first");
    Handle sp = check(H5Dget_space(d.get()), H5Sclose, "space of " + dim);
    hsize_t n = 0;
    H5Sget_simple_extent_dims(sp.get(), &n, nullptr);
    shape.push_back(n);
    scales.push_back(std::move(d));
  }
  const std::size_t expected = std::accumulate(shape.begin(), shape.end(), std::size_t{1},
                                               [](std::size_t a, hsize_t b) { return a * b; });
  if (expected != count)
    throw Error(ExitCode::kSoftware, "HDF5: " + where + " has " + std::to_string(count) +
                                         " values but its dimensions hold " +
                                         std::to_string(expected));
  Handle ds = create_dataset(g.group.get(), name, shape, mem_type, file_type, elem, data, where, g.compress);
  for (std::size_t i = 0; i < scales.size(); ++i)
    check_status(H5DSattach_scale(ds.get(), scales[i].get(), static_cast<unsigned>(i)),
                 "attaching dimension " + dims[i] + " to " + where);
  describe(ds.get(), info, where);
}

}  // namespace

void Group::write_plain(const std::string& name, std::span<const double> data) const {
  create_dataset(impl_->group.get(), name, {data.size()}, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, sizeof(double), data.data(),
                 impl_->path + "/" + name, impl_->compress);
}

void Group::write_plain(const std::string& name, std::span<const std::int64_t> data) const {
  create_dataset(impl_->group.get(), name, {data.size()}, H5T_NATIVE_INT64, H5T_STD_I64LE, sizeof(std::int64_t),
                 data.data(), impl_->path + "/" + name, impl_->compress);
}

void Group::write(const std::string& name, const std::vector<std::string>& dims,
                  std::span<const double> data, const VarInfo& info) const {
  write_array(*impl_, name, dims, data.data(), data.size(), H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE,
              sizeof(double), info);
}

void Group::write(const std::string& name, const std::vector<std::string>& dims,
                  std::span<const std::int64_t> data, const VarInfo& info) const {
  write_array(*impl_, name, dims, data.data(), data.size(), H5T_NATIVE_INT64, H5T_STD_I64LE,
              sizeof(std::int64_t), info);
}

ResultFile::ResultFile(std::filesystem::path final_path, Compression compression)
    : final_path_(std::move(final_path)) {
  detail::quiet_errors();
  const std::string host = this_host();
  temp_path_ = final_path_;
  temp_path_ += ".tmp-" + host + "-" + std::to_string(::getpid());
  const auto parent = final_path_.has_parent_path() ? final_path_.parent_path()
                                                    : std::filesystem::path(".");
  if (!std::filesystem::is_directory(parent))
    throw Error(ExitCode::kCannotCreate, "cannot create output " + final_path_.string() +
                                             ": folder " + parent.string() + " does not exist");
  lock_ = std::make_unique<FileLock>(lock_path_for(final_path_), "the output " + final_path_.string());
  remove_stale_temporaries(final_path_, host);
  Handle fapl = check(H5Pcreate(H5P_FILE_ACCESS), H5Pclose, "file access list");
  // Closing the file closes every object still open in it.
  H5Pset_fclose_degree(fapl.get(), H5F_CLOSE_STRONG);
  open_root(check(H5Fcreate(temp_path_.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.get()), H5Fclose,
                  "cannot create output " + final_path_.string() + " (writing " + temp_path_.string() + ")",
                  ExitCode::kCannotCreate)
                .release());
  root_->compress = compression == Compression::kGzip;
}

ResultFile::ResultFile(const std::string& name, MemoryTag) : final_path_(name), temp_path_(name), in_memory_(true) {
  detail::quiet_errors();
  Handle fapl = check(H5Pcreate(H5P_FILE_ACCESS), H5Pclose, "file access list");
  H5Pset_fclose_degree(fapl.get(), H5F_CLOSE_STRONG);
  check_status(H5Pset_fapl_core(fapl.get(), 1 << 20, 0), "in-memory file driver", ExitCode::kSoftware);
  open_root(check(H5Fcreate(name.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.get()), H5Fclose,
                  "cannot create the in-memory file " + name, ExitCode::kSoftware)
                .release());
}

std::unique_ptr<ResultFile> ResultFile::in_memory(const std::string& name) {
  return std::unique_ptr<ResultFile>(new ResultFile(name, MemoryTag{}));
}

void ResultFile::open_root(std::int64_t file_id) {
  auto file = std::make_shared<Handle>(static_cast<hid_t>(file_id), H5Fclose);
  root_ = std::make_shared<Group::Impl>();
  root_->file = file;
  root_->path = "/";
  root_->group = check(H5Gopen2(file->get(), "/", H5P_DEFAULT), H5Gclose, "opening /");
}

ResultFile::~ResultFile() {
  if (committed_) return;
  root_.reset();
  if (in_memory_) return;
  std::error_code ec;
  std::filesystem::remove(temp_path_, ec);
}

void skip_hdf5_cleanup_at_exit() { H5dont_atexit(); }

Group ResultFile::root() const { return Group(root_); }

namespace {

/// This process's peak resident memory (VmHWM of /proc/self/status), bytes;
/// 0 where it cannot be read.
std::int64_t peak_memory() {
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("VmHWM:", 0) == 0) return 1024 * std::atoll(line.c_str() + 6);
  return 0;
}

}  // namespace

void ResultFile::commit() {
  if (committed_) return;
  // What the run held at its peak, to set against the estimate --dry-run gave.
  if (const std::int64_t peak = peak_memory(); peak > 0 && !in_memory_) Group(root_).set_attribute("peak_memory", peak);
  auto file = root_->file;
  root_->group.reset();
  errno = 0;
  check_write(H5Fflush(file->get(), H5F_SCOPE_GLOBAL), file->get(), "flushing it");
  file->reset();
  committed_ = in_memory_;
  if (in_memory_) return;
  std::error_code ec;
  std::filesystem::rename(temp_path_, final_path_, ec);
  if (ec)
    throw Error(ExitCode::kCannotCreate, "cannot move " + temp_path_.string() + " to " +
                                             final_path_.string() + ": " + ec.message());
  committed_ = true;
}

}  // namespace fw::io
