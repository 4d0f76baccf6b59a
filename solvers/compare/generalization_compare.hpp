// solvers/compare/generalization_compare.hpp — `fwkit compare kind =
// "generalization"`: the denoising generalization gap (Kollmann & Kaiser
// 2026; SCIENCE.md, the second paper) against the mechanism the paper
// states for its analytic error-prone model, and a trained network beside it.
//
// Differences of gaps measured on the same points with the same fixed noise
// (one curve at two monitors, or at two steps, or over delta) have errors
// that are correlated through that noise: their standard errors come from
// the per-point losses (the delta method applied to the difference itself,
// point by point), plus the spread over members.
//
// Judged, for the analytic model (a train file of denoiser = "blurred" swept
// over train.blur):
//   - the gap's peak lies near sigma ~ delta: |log(peak sigma / delta)| <=
//     log(location_factor);
//   - it vanishes far from delta: G at the grid's smallest sigma within
//     `standard_errors` of zero (judged when it is below delta / 30), and at
//     the largest within them of its sigma -> infinity limit, where D tends to
//     the training mean m and L_split to mean |y - m|^2 over the split (zero
//     for splits spread alike about m, e.g. the symmetric circle; judged when
//     the largest sigma exceeds 5 times the data's spread and 10 delta, to
//     `standard_errors` plus twice the next order, (spread / sigma)^2);
//     a peak at the grid's edge fails the location row (no location);
//   - more model error, less overfitting: the least-squares slope of
//     log(peak height) against delta is `standard_errors` below zero (and,
//     with a `points` file swept over data.n, the slope against the number
//     of training points: denser support generalizes);
//   - inference does not see the overfit: at the stop nearest the peak, the
//     sampling states' relative preference for the noisy training samples,
//     (d_val - d_train) / d_train of the mean nearest-neighbour distances,
//     is `standard_errors` below that of fresh noisy training samples (the
//     inputs on which the gap is measured): the states are far from them.
// For a network (`network`, a train file with a validation split): the gap
// grows in training (the member-mean gap at the last monitor's peak sigma
// above its value at the first monitor by `standard_errors`), the same
// inference row, and with `matched` (the analytic model swept over delta on
// the network's data) the delta whose gap curve is nearest the network's
// (its effective model error) and the peak location against it. A network
// file swept over train.step at a fixed budget (monitor.sharpness on)
// bridges to the first paper through linear stability: gradient descent
// with step eta cannot stay where the loss's sharpness exceeds 2 / eta.
// Where the initial sharpness is below 2 / eta the dynamics at a fixed
// budget is the same gradient flow, so the peak gap should not depend on
// the step (within `standard_errors` of the smallest step's); where it is
// above, training is pushed to flatter parameters and the gap should fall
// (`standard_errors` below the smallest step's).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "fwkit/io/reader.hpp"
#include "summary.hpp"

namespace fw::compare {

struct GeneralizationCompareOptions {
  double standard_errors = 3;
  double location_factor = 3;
  void validate() const;
};

/// One evaluated point (a sweep point or a single run) of a train file.
struct GapPoint {
  std::string group;     // "/sweep/point_000" or "/"
  std::string denoiser;  // "network", "optimal" or "blurred"
  int dimension = 0;     // of the data
  double spread = 0;     // largest distance of a point (either split) from the training mean
  double far_gap = 0;    // the sigma -> infinity limit of G: mean_val |y - m|^2 / mean_train |y - m|^2 - 1, m the training mean
  std::vector<double> far_train, far_val;  // each point's |y - m|^2, its loss's limit
  double value = 0;      // the sweep value (NaN for a single run)
  double blur = 0;       // delta (0 for a network or the optimal denoiser)
  double train_points = 0;
  std::vector<double> sigma, gap, gap_se, first_gap, first_gap_se;  // member-mean, last and first monitor
  double peak_sigma = 0, peak_gap = 0, peak_gap_se = 0;
  // The inference stop nearest the peak (member 0).
  double stop_sigma = 0, preference = 0, preference_se = 0, gap_at_stop = 0;
  double baseline = 0, baseline_se = 0;  // the preference of fresh noisy training samples
  bool has_inference = false;
  // A network: its step, 2 / step and the member-mean sharpness at the first
  // monitor (NaN unless monitored); `diverged` when no member has a finite gap.
  double two_over_step = 0, initial_sharpness = 0;
  bool diverged = false;
  // Per-point losses (member, monitor, sigma, point | vpoint): paired errors
  // for differences of curves on the same points and noise.
  io::Array point_train, point_val;
};

struct GeneralizationComparison {
  std::filesystem::path analytic, points, network, matched;
  std::string network_key;  // the network file's sweep key ("" for a single run)
  std::vector<GapPoint> analytic_points, point_counts, networks, matched_points;
  std::vector<SummaryRow> rows;
};

GeneralizationComparison compare_generalization(const std::filesystem::path& analytic, const std::filesystem::path& points,
                                                const std::filesystem::path& network, const std::filesystem::path& matched,
                                                const GeneralizationCompareOptions& options);

/// Writes /analytic (by delta), /network and /summary.
void write_generalization_comparison(const io::Group& root, const GeneralizationComparison& c);

}  // namespace fw::compare
