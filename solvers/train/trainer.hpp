// solvers/train/trainer.hpp — `fwkit train`: ensembles of diffusion-model
// training runs by SGD / GD on a small data set, watched for memorization.
//
// Member m (m = 0 .. members-1) is one training run: its initial parameters
// come from the stream (seed, kInitKey + m), its minibatches at step n from
// (seed, m) positioned at n, so every member is reproducible on its own and
// results do not depend on the thread count. The design and the sampler
// noise of the monitors are shared by all members (streams kDesignKey and
// kSamplerKey): differences between members and over training time are the
// model's, not the sampler's.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "fwkit/core/progress.hpp"
#include "generalization.hpp"
#include "options.hpp"

namespace fw::train {

inline constexpr std::uint64_t kInitKey = 1ull << 40;
inline constexpr std::uint64_t kDesignKey = 1ull << 41;
inline constexpr std::uint64_t kSamplerKey = 1ull << 42;
inline constexpr std::uint64_t kGapKey = 1ull << 43;
inline constexpr std::uint64_t kFreshKey = 1ull << 44;

/// The full-batch design: every training point x every level x `draws`
/// noise draws, the empirical-optimal eps* at each of its inputs, and the
/// irreducible loss (1/2) mean |eps* - z|^2. Since eps* = E[z | x], the
/// loss splits in expectation over the draws as irreducible + excess risk,
/// excess = (1/2) mean |eps_hat - eps*|^2 (what the monitors report).
struct Design {
  Batch batch;
  Mat eps_star;
  double irreducible = 0;
};
Design make_design(const Schedule& schedule, const Mat& data, int draws, std::uint64_t seed);

/// Fixed sampler noise for `samples` generated points (common random numbers).
SamplerNoise make_sampler_noise(int dim, int levels, int samples, std::uint64_t seed);
/// Sampler noise for `samples` points drawn from `rng` (start, then one
/// block per reverse step, each column by column).
SamplerNoise draw_sampler_noise(rng::Stream& rng, int dim, int levels, int samples);

/// Top eigenvalue of the Hessian of the design loss by power iteration on
/// Hessian-vector products, starting from (and updating) `direction`. The
/// Rayleigh quotient of the last iterate is returned.
double sharpness(const ScoreNet& net, const Vec& theta, const Batch& design, Vec& direction, int iterations);

/// What one member records; series have one entry per monitor (NaN after a
/// divergence).
struct MemberRecord {
  std::vector<double> loss, excess_risk, memorization, nearest_distance, sharpness;
  std::vector<double> point_fraction;  // monitors x points: share of samples within radius of point i
  std::vector<int> label;              // monitors x samples: memorized point, or -1
  std::vector<GapCurve> gap;           // per monitor, at the levels (with a validation split)
  std::vector<InferenceStop> inference;  // at the end (with a validation split and stops)
  Mat samples;                         // d x samples, at the last monitor
  Vec parameters;                      // final theta
  std::int64_t diverged_at = -1;       // step at which it was flagged, -1 if never
};

/// Memorization episodes: maximal runs of monitors during which one
/// generated sample (fixed sampler noise) stays within `radius` of the same
/// training point. Completed ones (ended by leaving it) are listed; runs
/// still going at the end of training are only counted (censored).
struct Episodes {
  std::vector<std::int64_t> member, sample, point, start_step, length_steps;
  std::int64_t censored = 0;
};
Episodes find_episodes(const std::vector<MemberRecord>& members, std::int64_t monitors, int samples,
                       std::int64_t stride);

struct Estimate {
  double value = std::numeric_limits<double>::quiet_NaN();
  double standard_error = std::numeric_limits<double>::quiet_NaN();
};

/// Ensemble summaries: per-member averages over the last `window` of the
/// monitors, then mean and standard error over the members that did not
/// diverge.
struct Summary {
  std::int64_t members = 0, diverged = 0;
  double eta = 0;
  Estimate loss, excess_risk, memorization, nearest_distance, sharpness;
  Estimate episode_steps;  // mean completed episode length (SE over members)
  std::int64_t episodes = 0, censored = 0;
  std::string brief_report() const;
};

struct Result {
  Schedule schedule;
  std::vector<std::int64_t> monitor_steps;
  std::vector<MemberRecord> members;
  Episodes episodes;
  Summary summary;
  double irreducible = 0;
  Eigen::Index parameters = 0;
};

/// Trains `options.members` runs on `data` (d x n, one point per column).
Result train(const Options& options, const Mat& data, Progress* progress = nullptr);
/// The same on split.train, watching the denoising gap against
/// split.validation when it has points (generalization.hpp).
Result train(const Options& options, const Split& split, Progress* progress = nullptr);

/// A run on data divided by `scale` (the network sees y / scale: unit-size
/// data condition it as EDM's sigma_data does), reported in the data's own
/// units: samples, nearest distances, gap sigmas and losses, inference
/// distances and the radius-free quantities as they are. The options are
/// read in data units (sigma_min, sigma_max, radius, inference stops).
Result train_scaled(const Options& options, const Split& split, double scale, Progress* progress = nullptr);

Summary summarize(const Options& options, const std::vector<MemberRecord>& members, const Episodes& episodes);

}  // namespace fw::train
