// solvers/train/denoiser.hpp — denoisers in the EDM conventions of Kollmann &
// Kaiser 2026 (SCIENCE.md, the second paper) and the probability-flow sampler.
//
// A noisy input is x = y + sigma n, n ~ N(0, I); a denoiser D(x, sigma)
// estimates the clean y. For a finite training set {y_i} (d x n, one point
// per column):
//   optimal   D*(x, sigma) = sum_i y_i softmax_i( -|x - y_i|^2 / (2 sigma^2) ),
//             the posterior mean when the data law is the empirical measure:
//             it memorizes (sampling with it returns training points);
//   blurred   every training point replaced by N(y_i, delta^2 I) (the paper's
//             error-prone analytic model, delta the model error):
//             D_delta(x, sigma) = (delta^2 x + sigma^2 D*(x, s)) / s^2,
//             s^2 = sigma^2 + delta^2 (the posterior mean of that mixture).
// Both are evaluated with log-sum-exp weights: exact for any sigma > 0.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "fwkit/core/types.hpp"

namespace fw::train {

/// D(x, sigma) for every column of x into out (d x B). `level` is the index
/// of sigma in the grid the caller walks (a network trained on discrete
/// levels needs it; closed forms ignore it).
using Denoiser = std::function<void(const Mat& x, int level, double sigma, Mat& out)>;

/// D* of `data` at every column of x.
Mat optimal_denoiser(const Mat& data, const Mat& x, double sigma);
/// D_delta of `data` at every column of x (delta = 0 gives D*).
Mat blurred_denoiser(const Mat& data, const Mat& x, double sigma, double delta);

/// The closed forms as Denoisers (they hold a copy of the data).
Denoiser optimal_denoiser(Mat data);
Denoiser blurred_denoiser(Mat data, double delta);

/// The EDM noise schedule sigma_i = (a + i/(N-1) (b - a))^rho, a =
/// sigma_max^(1/rho), b = sigma_min^(1/rho), i = 0 .. N-1: descending from
/// sigma_max to sigma_min (N >= 2).
std::vector<double> edm_sigmas(double sigma_min, double sigma_max, int count, double rho = 7);
/// `count` levels spaced geometrically from sigma_min to sigma_max (ascending).
std::vector<double> log_sigmas(double sigma_min, double sigma_max, int count);

enum class FlowMethod { kEuler, kHeun };
FlowMethod parse_flow_method(const std::string& name);  // "euler", "heun"
const char* to_string(FlowMethod m);

/// The probability-flow ODE dx/dsigma = (x - D(x, sigma)) / sigma integrated
/// down a descending grid sigmas[0] > ... > sigmas[N-1] > 0 from `start`
/// (d x M, states at sigmas[0]); Heun steps use the EDM predictor–corrector
/// (second order in the step), Euler steps are first order. The generated
/// points are the final denoised outputs D(x_{N-1}, sigmas[N-1]) (EDM's last
/// Euler step to sigma = 0). `stops` lists grid indices at which the states
/// are kept (for inference diagnostics).
struct FlowResult {
  Mat samples;                   // d x M, D(x at sigma_min, sigma_min)
  std::vector<Mat> stop_states;  // one d x M block per entry of stops
};
FlowResult probability_flow(const Denoiser& denoiser, const std::vector<double>& sigmas, const Mat& start,
                            FlowMethod method, const std::vector<int>& stops = {});

}  // namespace fw::train
