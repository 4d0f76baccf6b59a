// Checks that a model is defined where a run starts, before any work.
#include <cmath>
#include <sstream>

#include <fmt/format.h>

#include "fwkit/config/model_config.hpp"
#include "fwkit/core/error.hpp"

namespace fw::config {
namespace {

std::string show(const Vec& x) {
  std::ostringstream os;
  for (Eigen::Index i = 0; i < x.size(); ++i) os << (i ? ", " : "") << x[i];
  return "(" + os.str() + ")";
}

/// The key that defines component i of the drift, as the user wrote it.
std::string drift_key(const Table& model, int i) {
  const Table sys = model.table("system");
  const Table noise = model.table("noise");
  if (!sys.present()) return noise.path() + ".increments (the kernel-averaged drift, component " + std::to_string(i) + ")";
  if (sys.has("drift")) return sys.path() + ".drift[" + std::to_string(i) + "]";
  if (sys.has("loss")) return sys.path() + ".loss (its gradient, component " + std::to_string(i) + ")";
  if (sys.has("component")) return sys.path() + ".component (the mean gradient, component " + std::to_string(i) + ")";
  return sys.path() + " (the drift of kind '" + sys.string("kind", "") + "', component " + std::to_string(i) + ")";
}

/// The key that defines the noise's covariance.
std::string noise_key(const Table& model) {
  const Table noise = model.table("noise");
  if (!noise.present()) return model.table("system").has("diffusion") ? "model.system.diffusion" : "model.noise";
  for (const char* k : {"sigma", "covariance", "kernel", "atoms", "scale", "covariances"})
    if (noise.has(k)) return noise.path() + "." + k;
  return noise.path();
}

}  // namespace

void check_defined_at(const model::Model& m, const Table& model, const Vec& x, const std::string& start) {
  const std::string at = start + " = " + show(x);
  Vec b(m.dim());
  try {
    m.system->drift(x.data(), b.data());
  } catch (const Error& e) {
    throw Error(e.code(), fmt::format("{}: at {}: {}", drift_key(model, 0), at, e.what()));
  }
  for (int i = 0; i < m.dim(); ++i)
    if (!std::isfinite(b[i]))
      throw data_error(fmt::format("{} is {} at {}: the model is undefined there (a logarithm, root or power outside its "
                                   "domain?)", drift_key(model, i),
                                   b[i], at));
  Mat c;
  try {
    c = m.noise->covariance(x);
  } catch (const Error& e) {
    throw Error(e.code(), fmt::format("{}: at {}: {}", noise_key(model), at, e.what()));
  }
  if (!c.allFinite())
    throw data_error(fmt::format("{}: the noise covariance at {} is not finite: the model is undefined there",
                                 noise_key(model), at));
}

}  // namespace fw::config
