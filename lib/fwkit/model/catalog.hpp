// fwkit/model/catalog.hpp — built-in systems with analytic derivatives.
//
// `fwkit systems` lists these. Each entry has a name, a one-line summary, its
// parameters (with defaults and a doc line) and whether it is a gradient
// system. Parameters are scalars except where an entry says otherwise
// (the linear system takes its matrix A row by row).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "fwkit/model/system.hpp"

namespace fw::model {

/// A parameter value: a scalar or a matrix stored row by row.
struct ParamValue {
  std::vector<double> data;
  int rows = 1;
  int cols = 1;

  static ParamValue scalar(double v) { return {{v}, 1, 1}; }
  bool is_scalar() const { return rows == 1 && cols == 1; }
  double as_scalar() const { return data.at(0); }
};

using ParamValues = std::map<std::string, ParamValue>;

struct ParamSpec {
  std::string name;
  std::string doc;
  ParamValue default_value;
};

struct CatalogEntry {
  std::string name;
  std::string summary;
  int dim;  // -1: set by a parameter
  bool gradient;
  std::vector<ParamSpec> params;
};

/// Every built-in system, in the order `fwkit systems` prints them.
std::vector<CatalogEntry> system_catalog();

/// Builds catalog system `name` with `values` overriding the defaults.
/// Unknown names, unknown parameters and bad values throw a config Error
/// naming `key_path` (the config location being read, for messages).
std::unique_ptr<System> make_catalog_system(const std::string& name, const ParamValues& values,
                                            const std::string& key_path = "model.system");

}  // namespace fw::model
