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

/// The key that defines the loss of a gradient system.
std::string loss_key(const Table& model) {
  const Table sys = model.table("system");
  for (const char* k : {"loss", "component"})
    if (sys.has(k)) return sys.path() + "." + k;
  return sys.path() + " (the loss of kind '" + sys.string("kind", "") + "')";
}

/// The key that defines the noise's covariance.
std::string noise_key(const Table& model) {
  const Table noise = model.table("noise");
  if (!noise.present()) return model.table("system").has("diffusion") ? "model.system.diffusion" : "model.noise";
  // The state-dependent parts first: they are what can be undefined at x.
  for (const char* k : {"sigma", "scale", "logits", "kernel", "covariance", "atoms", "covariances"})
    if (noise.has(k)) return noise.path() + "." + k;
  return noise.path();
}

}  // namespace

void check_defined_at(const model::Model& m, const Table& model, const Vec& x, const std::string& start) {
  const std::string at = start + " = " + show(x);
  Vec b(m.dim());
  // An error that names its key already (a Markov row) keeps it; others get the drift's.
  auto named = [&](const Error& e, const std::string& key) {
    const std::string m = e.what();
    return m.find("model.") != std::string::npos ? Error(e.code(), fmt::format("at {}: {}", at, m))
                                                 : Error(e.code(), fmt::format("{}: at {}: {}", key, at, m));
  };
  try {
    m.system->drift(x.data(), b.data());
  } catch (const Error& e) {
    throw named(e, drift_key(model, 0));
  }
  if (m.system->is_gradient() && !std::isfinite(m.system->loss(x.data())))
    throw data_error(fmt::format("{}: the loss is {} at {}: the model is undefined there (a logarithm, root or power "
                                 "outside its domain?)", loss_key(model), m.system->loss(x.data()), at));
  for (int i = 0; i < m.dim(); ++i)
    if (!std::isfinite(b[i]))
      throw data_error(fmt::format("{} is {} at {}: the model is undefined there ({})", drift_key(model, i), b[i], at,
                                   std::isnan(b[i]) ? "a logarithm, root or power outside its domain?"
                                                    : "an overflow: an exponential or power too large, or a division by zero?"));
  Mat c;
  try {
    c = m.noise->covariance(x);
  } catch (const Error& e) {
    throw named(e, noise_key(model));
  }
  if (!c.allFinite())
    throw data_error(fmt::format("{}: the noise covariance at {} is not finite: the model is undefined there",
                                 noise_key(model), at));
}

}  // namespace fw::config
