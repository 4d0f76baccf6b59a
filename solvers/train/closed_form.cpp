#include "closed_form.hpp"

#include <fmt/format.h>

#include <cmath>

#include "fwkit/core/error.hpp"
#include "fwkit/rng/stream.hpp"
#include "trainer.hpp"

namespace fw::train {
namespace {

[[noreturn]] void reject(const std::string& field, double value, const std::string& rule) {
  throw Error(ExitCode::kConfig, fmt::format("train.{} = {:g}: {}", field, value, rule));
}

bool finite_positive(double v) { return v > 0 && std::isfinite(v); }

}  // namespace

DenoiserKind parse_denoiser_kind(const std::string& name) {
  if (name == "network") return DenoiserKind::kNetwork;
  if (name == "optimal") return DenoiserKind::kOptimal;
  if (name == "blurred") return DenoiserKind::kBlurred;
  throw Error(ExitCode::kConfig, "denoiser \"" + name + "\": must be network, optimal or blurred");
}

const char* to_string(DenoiserKind k) {
  switch (k) {
    case DenoiserKind::kNetwork: return "network";
    case DenoiserKind::kOptimal: return "optimal";
    case DenoiserKind::kBlurred: return "blurred";
  }
  return "?";
}

void ClosedFormOptions::validate() const {
  if (kind == DenoiserKind::kNetwork) throw Error(ExitCode::kSoftware, "closed form: the network is trained, not evaluated");
  if (kind == DenoiserKind::kBlurred && !finite_positive(blur)) reject("blur", blur, "the blurred model needs a finite width > 0");
  if (!finite_positive(gap_sigma_min)) reject("gap.sigma_min", gap_sigma_min, "must be a finite number > 0");
  if (!(gap_sigma_max >= gap_sigma_min) || !std::isfinite(gap_sigma_max))
    reject("gap.sigma_max", gap_sigma_max, fmt::format("must be finite and >= gap.sigma_min = {:g}", gap_sigma_min));
  if (gap_levels < 1) reject("gap.levels", gap_levels, "must be at least 1");
  if (draws < 1) reject("gap.draws", draws, "must be at least 1");
  if (samples < 2) reject("inference.samples", samples, "must be at least 2 (the Fréchet distance fits a covariance)");
  if (steps < 2) reject("inference.steps", steps, "must be at least 2");
  if (!finite_positive(sigma_min)) reject("inference.sigma_min", sigma_min, "must be a finite number > 0");
  if (!(sigma_max > sigma_min) || !std::isfinite(sigma_max))
    reject("inference.sigma_max", sigma_max, fmt::format("must be finite and > inference.sigma_min = {:g}", sigma_min));
  if (!finite_positive(rho)) reject("inference.rho", rho, "must be a finite number > 0");
  for (double s : stops)
    if (!finite_positive(s)) reject("inference.stop", s, "every stop must be a finite sigma > 0");
  if (!finite_positive(radius)) reject("monitor.radius", radius, "must be a finite number > 0");
}

void memorization_of(const Mat& x, const Mat& data, double radius, double& fraction, double& nearest) {
  double within = 0, sum = 0;
  for (Eigen::Index j = 0; j < x.cols(); ++j) {
    const double d = std::sqrt((data.colwise() - x.col(j)).colwise().squaredNorm().minCoeff());
    sum += d;
    within += d <= radius;
  }
  fraction = within / static_cast<double>(x.cols());
  nearest = sum / static_cast<double>(x.cols());
}

ClosedFormResult evaluate_closed_form(const ClosedFormOptions& o, const Split& split) {
  o.validate();
  const Denoiser d = o.kind == DenoiserKind::kBlurred ? blurred_denoiser(split.train, o.blur) : optimal_denoiser(split.train);
  ClosedFormResult r;
  const GapNoise noise = make_gap_noise(split, o.draws, o.seed, kGapKey);
  if (split.validation.cols() > 0) r.gap = denoising_gap(d, split, noise, o.gap_sigmas());
  const std::vector<double> grid = o.sampler_sigmas();
  for (double s : o.stops) r.stop_level.push_back(nearest_level(grid, s));
  rng::Stream rng(o.seed, kSamplerKey);
  Mat start(split.train.rows(), o.samples);
  for (Eigen::Index c = 0; c < start.cols(); ++c)
    for (Eigen::Index k = 0; k < start.rows(); ++k) start(k, c) = o.sigma_max * rng.normal();
  const FlowResult flow = probability_flow(d, grid, start, o.method, r.stop_level);
  r.samples = flow.samples;
  memorization_of(r.samples, split.train, o.radius, r.memorization, r.nearest_distance);
  if (split.validation.cols() > 0)
    r.inference = inference_distances(d, split, noise, make_gap_noise(split, o.draws, o.seed, kFreshKey), grid, r.stop_level, flow);
  return r;
}

}  // namespace fw::train
