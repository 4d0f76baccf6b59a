// solvers/train/generalization.hpp — the denoising generalization gap of
// Kollmann & Kaiser 2026 and where sampling trajectories go (EDM
// conventions, see denoiser.hpp).
//
// Per split and noise level, with the noise n_{i,r} (r = 1 .. draws) fixed
// per point across sigma and across checkpoints:
//   l_i(sigma)       = (1/draws) sum_r |D(y_i + sigma n_{i,r}, sigma) - y_i|^2,
//   L_split(sigma)   = mean_i l_i(sigma), standard error sd_i(l_i) / sqrt(n),
//   G(sigma)         = (L_val - L_train) / L_train (+inf where L_train = 0),
// with the standard error of G from the delta method; the two splits hold
// different points and independent noise, so their errors are independent.
//
// Inference: sampling trajectories (the probability-flow ODE from
// N(0, sigma_max^2 I)) stopped at sigma_s give states x and one-step
// denoised outputs D(x, sigma_s). They are set beside the noisy training
// samples T = {y_i + sigma_s n_{i,r}} and noisy validation samples V at the
// same sigma (same fixed noise): mean nearest-neighbour distances of the
// states to T and to V, of the outputs to D(T) and D(V), and Fréchet
// distances between Gaussians fitted to D(x) and to D(T), D(V). The relative
// overfit (FD_val - FD_train) / FD_train is near zero when inference does not
// prefer the training samples, however large G(sigma_s) is. Fréchet distances
// see only means and covariances (on symmetric data they cannot tell the
// splits apart); the nearest-neighbour preference d_val / d_train - 1 of the
// states is set beside that of fresh noisy training samples, the inputs on
// which the gap is measured.
#pragma once

#include <cstdint>
#include <limits>
#include <vector>

#include "denoiser.hpp"

namespace fw::train {

/// The two splits (d x n each, one point per column).
struct Split {
  Mat train, validation;
};

/// Fixed standard normal noise per point: column i * draws + r is n_{i,r}.
struct GapNoise {
  Mat train, validation;
  int draws = 1;
};
/// Drawn from the stream (seed, key): training points first, then validation.
GapNoise make_gap_noise(const Split& split, int draws, std::uint64_t seed, std::uint64_t key);

struct GapCurve {
  std::vector<double> sigma, loss_train, loss_train_se, loss_val, loss_val_se, gap, gap_se;
  /// The per-point losses l_i(sigma) (levels x points of each split): what
  /// paired comparisons of curves on the same points and noise need.
  Mat point_train, point_val;
  /// Index of the largest G, an infinite one first (-1 if every G is NaN).
  int peak() const;
};
GapCurve denoising_gap(const Denoiser& denoiser, const Split& split, const GapNoise& noise,
                       const std::vector<double>& sigmas);

/// The Fréchet distance between Gaussians fitted (mean, covariance) to the
/// columns of a and of b:  |m_a - m_b|^2 + tr(C_a + C_b - 2 (C_a^(1/2) C_b C_a^(1/2))^(1/2)).
/// This is the squared 2-Wasserstein distance of the two Gaussians.
double frechet_distance(const Mat& a, const Mat& b);

/// Mean over the columns of x of the distance to the nearest column of ref,
/// and its standard error over the columns.
struct MeanDistance {
  double value = std::numeric_limits<double>::quiet_NaN();
  double standard_error = std::numeric_limits<double>::quiet_NaN();
};
MeanDistance mean_nearest_distance(const Mat& x, const Mat& ref);

struct InferenceStop {
  double sigma = 0;
  MeanDistance state_to_train, state_to_val, output_to_train, output_to_val;
  /// The baseline: fresh noisy training samples (independent noise) against
  /// the same T and V. Where the gap lives, the denoiser sees inputs like
  /// these; states that prefer T as little as validation data do are far
  /// from that region.
  MeanDistance fresh_to_train, fresh_to_val;
  double frechet_train = 0, frechet_val = 0;
  double relative_overfit() const { return (frechet_val - frechet_train) / frechet_train; }
};

/// Inference diagnostics at the grid indices `stops` of a probability-flow
/// run (states kept there by probability_flow), against the splits' noisy
/// samples made with `noise`; `fresh` (its training block) makes the
/// baseline's fresh noisy training samples.
std::vector<InferenceStop> inference_distances(const Denoiser& denoiser, const Split& split, const GapNoise& noise,
                                               const GapNoise& fresh,
                                               const std::vector<double>& sigmas, const std::vector<int>& stops,
                                               const FlowResult& flow);

/// The grid index whose sigma is nearest sigma_stop on a log scale.
int nearest_level(const std::vector<double>& sigmas, double sigma_stop);

}  // namespace fw::train
