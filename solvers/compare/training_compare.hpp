// solvers/compare/training_compare.hpp — a diffusion model trained by SGD at
// several step sizes (`fwkit train`, swept over train.step) against the
// claim the paper makes for it (SCIENCE.md item 5): a bigger step means more
// noise, earlier jumps, less memorization. Judged: the memorization fraction
// and the mean episode length in clock time (steps x step) fall with the
// step, as weighted least-squares slopes against log(step) at least
// `standard_errors` below zero. Set beside it, when an episodes comparison
// file is given: the two-time-scale model's clock-time episode lengths over
// its own step sweep (simulated and the hazard prediction), as ratios to
// the smallest step, reported.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "summary.hpp"

namespace fw::compare {

struct TrainingCompareOptions {
  double standard_errors = 3;  // how far below zero the slopes must be
  void validate() const;
};

struct TrainingComparison {
  std::filesystem::path training, episodes;  // episodes: empty if not given
  std::vector<double> step, memorization, memorization_se, episode_time, episode_time_se;
  double memorization_slope = 0, memorization_slope_se = 0, episode_slope = 0, episode_slope_se = 0;
  // The two-time-scale model (from the episodes file): its steps, and the
  // clock-time episode lengths, simulated and predicted by the hazard.
  std::vector<double> tts_step, tts_simulated, tts_simulated_se, tts_hazard;
  std::vector<SummaryRow> rows;
};

TrainingComparison compare_training(const std::filesystem::path& training, const std::filesystem::path& episodes,
                                    const TrainingCompareOptions& options);

/// Writes /training (by step) and, with an episodes file, /two_time_scale; then /summary.
void write_training_comparison(const io::Group& root, const TrainingComparison& c);

}  // namespace fw::compare
