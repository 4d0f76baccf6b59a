#include "options.hpp"

#include <fmt/format.h>

#include <cmath>

#include "fwkit/core/error.hpp"

namespace fw::train {

const char* to_string(Optimizer o) { return o == Optimizer::kSgd ? "sgd" : "gd"; }

const char* to_string(Gradient g) {
  switch (g) {
    case Gradient::kBackprop: return "backprop";
    case Gradient::kSpsa: return "spsa";
    case Gradient::kOnePoint: return "one_point";
  }
  return "?";
}

namespace {
[[noreturn]] void reject(const std::string& field, double value, const std::string& rule) {
  throw Error(ExitCode::kConfig, fmt::format("train.{} = {:g}: {}", field, value, rule));
}
}  // namespace

void Options::validate() const {
  if (width < 1) reject("width", width, "must be at least 1");
  if (!(t_min > 0)) reject("t_min", t_min, "must be > 0");
  if (!(t_max >= t_min)) reject("t_max", t_max, fmt::format("must be >= t_min = {:g}", t_min));
  if (spacing == Spacing::kEdm) {
    if (!(sigma_min > 0) || !std::isfinite(sigma_min)) reject("sigma_min", sigma_min, "must be a finite number > 0");
    if (!(sigma_max > sigma_min) || !std::isfinite(sigma_max)) reject("sigma_max", sigma_max, fmt::format("must be finite and > sigma_min = {:g}", sigma_min));
    if (!(rho > 0) || !std::isfinite(rho)) reject("rho", rho, "must be a finite number > 0");
    if (levels < 2) reject("levels", levels, "EDM spacing needs at least 2 levels");
  }
  if (gap_draws < 1) reject("gap.draws", gap_draws, "must be at least 1");
  for (double s : inference_stops)
    if (!(s > 0) || !std::isfinite(s)) reject("inference.stop", s, "every stop must be a finite sigma > 0");
  if (!inference_stops.empty() && samples < 2)
    reject("monitor.samples", samples, "inference stops need at least 2 samples (the Fréchet distance fits a covariance)");
  if (levels < 1) reject("levels", levels, "must be at least 1");
  if (levels < 2 && samples > 0) reject("levels", levels, "sampling needs at least 2 levels");
  if (!(step.eta > 0) || !std::isfinite(step.eta)) reject("step", step.eta, "must be a finite number > 0");
  if (!(delta > 0)) reject("delta", delta, "must be > 0");
  if (batch < 1) reject("batch", batch, "must be at least 1");
  if (steps < 1) reject("steps", static_cast<double>(steps), "must be at least 1");
  if (!(self_consuming >= 0 && self_consuming < 1)) reject("self_consuming", self_consuming, "must be in [0, 1)");
  if (self_consuming > 0 && optimizer == Optimizer::kGd)
    reject("self_consuming", self_consuming, "needs optimizer = \"sgd\" (the full-batch design is fixed)");
  if (design_draws < 1) reject("design_draws", design_draws, "must be at least 1");
  if (stride < 1 || stride > steps) reject("stride", static_cast<double>(stride), fmt::format("must be in [1, steps = {}]", steps));
  if (samples < 1) reject("samples", samples, "must be at least 1");
  if (!(clip > 0)) reject("clip", clip, "must be > 0");
  if (!(radius > 0)) reject("radius", radius, "must be > 0");
  if (power_iterations < 1) reject("power_iterations", power_iterations, "must be at least 1");
  if (!(window > 0 && window <= 1)) reject("window", window, "must be in (0, 1]");
  if (!(bound > 0)) reject("bound", bound, "must be > 0");
  if (members < 1) reject("members", static_cast<double>(members), "must be at least 1");
  if (threads < 0 || threads > 1024) reject("threads", threads, "must be in [0, 1024] (0: all cores)");
}

}  // namespace fw::train
