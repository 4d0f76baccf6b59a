#include "fwkit/model/catalog.hpp"

#include <cmath>
#include <sstream>

#include "fwkit/core/error.hpp"
#include "fwkit/model/catalog_systems.hpp"

namespace fw::model {
namespace {

ParamValue scalar(double v) { return ParamValue::scalar(v); }

std::string known_names(const std::vector<CatalogEntry>& entries) {
  std::string s;
  for (const auto& e : entries) s += (s.empty() ? "" : ", ") + e.name;
  return s;
}

/// Merges user values into the defaults, rejecting unknown names and shapes.
ParamValues resolve(const CatalogEntry& entry, const ParamValues& values,
                    const std::string& key_path) {
  ParamValues out;
  for (const auto& spec : entry.params) out[spec.name] = spec.default_value;
  for (const auto& [name, value] : values) {
    auto it = out.find(name);
    if (it == out.end()) {
      std::string allowed;
      for (const auto& spec : entry.params) allowed += (allowed.empty() ? "" : ", ") + spec.name;
      throw config_error(key_path + ".parameters." + name + ": unknown parameter of system '" +
                         entry.name + "' (known: " + (allowed.empty() ? "none" : allowed) + ")");
    }
    if (it->second.is_scalar() && !value.is_scalar())
      throw config_error(key_path + ".parameters." + name + ": must be a number");
    for (double v : value.data)
      if (!std::isfinite(v))
        throw config_error(key_path + ".parameters." + name + ": must be finite");
    it->second = value;
  }
  return out;
}

Mat matrix_param(const ParamValues& p, const std::string& name, const std::string& key_path) {
  const ParamValue& v = p.at(name);
  if (v.rows != v.cols || v.rows < 1)
    throw config_error(key_path + ".parameters." + name + ": must be a square matrix (got " +
                       std::to_string(v.rows) + " x " + std::to_string(v.cols) + ")");
  Mat a(v.rows, v.cols);
  for (int i = 0; i < v.rows; ++i)
    for (int j = 0; j < v.cols; ++j) a(i, j) = v.data[i * v.cols + j];
  return a;
}

}  // namespace

std::vector<CatalogEntry> system_catalog() {
  return {
      {"linear", "linear Ornstein-Uhlenbeck drift b = A x (any dimension)", -1, false,
       {{"A", "drift matrix, row by row; its eigenvalues need negative real parts",
         ParamValue{{-2, -10, 20, -1}, 2, 2}}}},
      {"double_well_1d", "f = (x^2-1)^2/4 - c x, b = -f'", 1, true,
       {{"tilt", "linear tilt c (0: symmetric)", scalar(0)}}},
      {"double_well_2d", "f = (x^2-1)^2/4 + k y^2/2 - c x, b = -grad f", 2, true,
       {{"tilt", "linear tilt c in x (0: symmetric)", scalar(0)},
        {"stiffness", "curvature k in y", scalar(1)}}},
      {"maier_stein", "b = (x - x^3 - beta x y^2, -mu (1 + x^2) y); gradient iff beta = mu", 2,
       false,
       {{"beta", "non-gradient coupling beta", scalar(10)},
        {"mu", "transverse rate mu", scalar(1)}}},
      {"muller_brown", "Mueller-Brown potential U (three minima, two saddles), b = -grad U", 2,
       true, {{"scale", "factor multiplying U", scalar(1)}}},
      {"rotational_double_well",
       "b = -(I + g J) grad U, U = (x^2-1)^2/4 + y^2/2; V = 2 (U - U_min) for D = I", 2, false,
       {{"g", "strength of the rotation orthogonal to grad U", scalar(1)}}},
      {"van_der_pol", "x' = mu (x - x^3/3 - y), y' = x/mu: fast x, slow y, eps = 1/mu^2", 2,
       false, {{"mu", "stiffness mu (relaxation period ~ (3 - 2 ln 2) mu)", scalar(10)}}},
  };
}

std::unique_ptr<System> make_catalog_system(const std::string& name, const ParamValues& values,
                                            const std::string& key_path) {
  const auto catalog = system_catalog();
  const CatalogEntry* entry = nullptr;
  for (const auto& e : catalog)
    if (e.name == name) entry = &e;
  if (!entry)
    throw config_error(key_path + ".kind = \"" + name +
                       "\": not a built-in system (known: " + known_names(catalog) +
                       ", or \"expression\")");
  const ParamValues p = resolve(*entry, values, key_path);
  auto s = [&](const char* n) { return p.at(n).as_scalar(); };
  if (name == "linear") return std::make_unique<LinearSystem>(matrix_param(p, "A", key_path));
  if (name == "double_well_1d") return std::make_unique<DoubleWell1D>(s("tilt"));
  if (name == "double_well_2d") return std::make_unique<DoubleWell2D>(s("tilt"), s("stiffness"));
  if (name == "maier_stein") return std::make_unique<MaierStein>(s("beta"), s("mu"));
  if (name == "muller_brown") return std::make_unique<MullerBrown>(s("scale"));
  if (name == "rotational_double_well") return std::make_unique<RotationalDoubleWell>(s("g"));
  if (name == "van_der_pol") {
    if (s("mu") <= 0) throw config_error(key_path + ".parameters.mu: must be > 0");
    return std::make_unique<VanDerPol>(s("mu"));
  }
  throw Error(ExitCode::kSoftware, "catalog entry '" + name + "' has no constructor");
}

}  // namespace fw::model
