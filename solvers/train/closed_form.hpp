// solvers/train/closed_form.hpp — `fwkit train` with a closed-form denoiser
// (denoiser.hpp): nothing is trained; the generalization gap on a sigma
// grid, samples by the probability flow, and inference distances.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "generalization.hpp"

namespace fw::train {

enum class DenoiserKind { kNetwork, kOptimal, kBlurred };
DenoiserKind parse_denoiser_kind(const std::string& name);  // "network", "optimal", "blurred"
const char* to_string(DenoiserKind k);

struct ClosedFormOptions {
  DenoiserKind kind = DenoiserKind::kOptimal;
  double blur = 0;  // delta of the blurred model
  // The gap: `levels` sigmas geometric from sigma_min to sigma_max, `draws` fixed noise draws per point.
  double gap_sigma_min = 0.002, gap_sigma_max = 80;
  int gap_levels = 64, draws = 4;
  // Sampling: `samples` probability-flow runs from N(0, sigma_max^2 I) down `steps` EDM levels.
  int samples = 256, steps = 64;
  double sigma_min = 0.002, sigma_max = 80, rho = 7;
  FlowMethod method = FlowMethod::kHeun;
  std::vector<double> stops;  // sigmas at which inference distances are taken
  double radius = 0.05;       // memorization radius of the samples
  std::uint64_t seed = 1;
  /// Throws a config Error (exit 78) naming the field, the value and the rule.
  void validate() const;
  std::vector<double> gap_sigmas() const { return log_sigmas(gap_sigma_min, gap_sigma_max, gap_levels); }
  std::vector<double> sampler_sigmas() const { return edm_sigmas(sigma_min, sigma_max, steps, rho); }
};

struct ClosedFormResult {
  GapCurve gap;
  Mat samples;                 // d x samples
  std::vector<int> stop_level;  // sampler grid index of each stop
  std::vector<InferenceStop> inference;
  double memorization = 0;      // share of samples within radius of a training point
  double nearest_distance = 0;  // mean distance of a sample to its nearest training point
};

ClosedFormResult evaluate_closed_form(const ClosedFormOptions& options, const Split& split);

/// Share of the columns of x within `radius` of a column of data, and their
/// mean distance to the nearest one.
void memorization_of(const Mat& x, const Mat& data, double radius, double& fraction, double& nearest);

}  // namespace fw::train
