#include "fwkit/io/reader.hpp"

#include <numeric>

#include "fwkit/io/h5_handle.hpp"

namespace fw::io {

using detail::check;
using detail::check_status;
using detail::Handle;

struct Reader::Impl {
  Handle file;
  std::string name;
};

double Array::at(std::initializer_list<std::size_t> index) const {
  std::size_t flat = 0, k = 0;
  for (std::size_t i : index) flat = flat * shape.at(k++) + i;
  return data.at(flat);
}

Reader::Reader(const std::filesystem::path& path) : impl_(std::make_unique<Impl>()) {
  detail::quiet_errors();
  impl_->name = path.string();
  if (!std::filesystem::exists(path))
    throw Error(ExitCode::kNoInput, "cannot open " + path.string() + ": no such file");
  if (H5Fis_hdf5(path.c_str()) <= 0)
    throw Error(ExitCode::kData, "cannot open " + path.string() + ": not an HDF5 file");
  impl_->file = check(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose,
                      "cannot open " + path.string(), ExitCode::kData);
}

Reader::~Reader() = default;

bool Reader::exists(const std::string& object_path) const {
  if (object_path == "/") return true;
  // Check each prefix: H5Lexists fails if an intermediate link is missing.
  std::size_t pos = 1;
  while (true) {
    const std::size_t next = object_path.find('/', pos);
    const std::string prefix = object_path.substr(0, next);
    if (H5Lexists(impl_->file.get(), prefix.c_str(), H5P_DEFAULT) <= 0) return false;
    if (next == std::string::npos) return true;
    pos = next + 1;
  }
}

Array Reader::read(const std::string& dataset_path) const {
  const std::string where = impl_->name + ":" + dataset_path;
  if (!exists(dataset_path)) throw Error(ExitCode::kData, where + ": no such dataset");
  Handle ds = check(H5Dopen2(impl_->file.get(), dataset_path.c_str(), H5P_DEFAULT), H5Dclose,
                    where + ": not a dataset", ExitCode::kData);
  Handle space = check(H5Dget_space(ds.get()), H5Sclose, "space of " + where);
  const int rank = H5Sget_simple_extent_ndims(space.get());
  std::vector<hsize_t> dims(static_cast<std::size_t>(std::max(rank, 0)));
  H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
  Array a;
  a.shape.assign(dims.begin(), dims.end());
  a.data.resize(std::accumulate(dims.begin(), dims.end(), std::size_t{1},
                                [](std::size_t x, hsize_t y) { return x * y; }));
  if (!a.data.empty())
    check_status(H5Dread(ds.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, a.data.data()),
                 where + ": not numeric", ExitCode::kData);
  return a;
}

std::vector<std::string> Reader::members(const std::string& group_path) const {
  Handle g = check(H5Gopen2(impl_->file.get(), group_path.c_str(), H5P_DEFAULT), H5Gclose,
                   impl_->name + ":" + group_path + ": not a group", ExitCode::kData);
  H5G_info_t info;
  check_status(H5Gget_info(g.get(), &info), "group info");
  std::vector<std::string> names;
  for (hsize_t i = 0; i < info.nlinks; ++i) {
    const ssize_t len = H5Lget_name_by_idx(g.get(), ".", H5_INDEX_NAME, H5_ITER_INC, i, nullptr,
                                           0, H5P_DEFAULT);
    std::string name(static_cast<std::size_t>(len), '\0');
    H5Lget_name_by_idx(g.get(), ".", H5_INDEX_NAME, H5_ITER_INC, i, name.data(),
                       static_cast<std::size_t>(len) + 1, H5P_DEFAULT);
    names.push_back(name);
  }
  return names;
}

namespace {

Handle open_attribute(hid_t file, const std::string& file_name, const std::string& object_path,
                      const std::string& name) {
  const std::string where = file_name + ":" + object_path + "@" + name;
  if (H5Aexists_by_name(file, object_path.c_str(), name.c_str(), H5P_DEFAULT) <= 0)
    throw Error(ExitCode::kData, where + ": no such attribute");
  return check(H5Aopen_by_name(file, object_path.c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT),
               H5Aclose, where, ExitCode::kData);
}

}  // namespace

std::string Reader::string_attribute(const std::string& object_path,
                                     const std::string& name) const {
  Handle a = open_attribute(impl_->file.get(), impl_->name, object_path, name);
  Handle type = check(H5Aget_type(a.get()), H5Tclose, "attribute type");
  if (H5Tget_class(type.get()) != H5T_STRING)
    throw Error(ExitCode::kData, impl_->name + ":" + object_path + "@" + name + ": not a string");
  if (H5Tis_variable_str(type.get()) > 0) {
    Handle mem = check(H5Tcopy(H5T_C_S1), H5Tclose, "string type");
    H5Tset_size(mem.get(), H5T_VARIABLE);
    H5Tset_cset(mem.get(), H5Tget_cset(type.get()));
    char* p = nullptr;
    check_status(H5Aread(a.get(), mem.get(), &p), "reading attribute " + name);
    std::string s = p ? p : "";
    H5free_memory(p);
    return s;
  }
  const std::size_t n = H5Tget_size(type.get());
  std::string s(n, '\0');
  check_status(H5Aread(a.get(), type.get(), s.data()), "reading attribute " + name);
  return s.substr(0, s.find('\0'));
}

double Reader::number_attribute(const std::string& object_path, const std::string& name) const {
  Handle a = open_attribute(impl_->file.get(), impl_->name, object_path, name);
  Handle space = check(H5Aget_space(a.get()), H5Sclose, "attribute space");
  const hssize_t n = H5Sget_simple_extent_npoints(space.get());
  std::vector<double> v(static_cast<std::size_t>(std::max<hssize_t>(n, 1)));
  check_status(H5Aread(a.get(), H5T_NATIVE_DOUBLE, v.data()),
               impl_->name + ":" + object_path + "@" + name + ": not numeric", ExitCode::kData);
  return v.at(0);
}

}  // namespace fw::io
