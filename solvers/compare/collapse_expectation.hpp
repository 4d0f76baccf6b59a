// solvers/compare/collapse_expectation.hpp — the exact expected statistics of
// the collapse chains of sim/collapse.hpp, generation by generation, with or
// without fresh data.
//
// Generation t+1 is k fresh draws from N(mu_0, Sigma_0) and N - k draws from
// the current model (the refitted Gaussian, or the empirical measure for
// resample), then the (1/N) moments; k ~ Binomial(N, alpha) independently
// each generation (the simulation's default), or k = round(alpha N). As k is
// independent of the state, each recursion below holds in expectation with
// its coefficients (k, N - k, k (N - k), (N - k)^2, (N - k)(N - k - 1))
// replaced by their means over k. For independent points with
// means m_i and covariances C_i,
//     E sum (x_i - xbar)(x_i - xbar)^T = (1 - 1/N) sum C_i + sum (m_i - mbar)(m_i - mbar)^T,
// so with v_t = E tr Sigma_t / d and s_t = E |mean_t - mu_0|^2 / d (both
// chains follow the same recursion; only generation 0 differs):
//     v_{t+1} = [(1 - 1/N)(k v_0* + (N - k) v_t) + k (N - k) / N s_t] / N
//     s_{t+1} = ((N - k) / N)^2 s_t + (k v_0* + (N - k) v_t) / N^2,
// v_0* = tr Sigma_0 / d. Gaussian refit starts at (v_0*, 0); resample at the
// moments of N draws, ((1 - 1/N) v_0*, v_0* / N). Without fresh data
// v_t = v_0 (1 - 1/N)^t.
//  - log det (Gaussian refit, k = 0): N Sigma_{t+1} is Wishart(Sigma_t, N - 1),
//    so E log det Sigma_t = log det Sigma_0 + t sum_{i=1..d} [psi((N-i)/2) + log(2/N)].
//  - homozygosity (resample): a pair of distinct individuals shares an origin
//    only if both were resampled, from one parent or from two that share one:
//    H_{t+1} = (N-k)(N-k-1) / (N(N-1)) [1/N + (1 - 1/N) H_t], H_0 = 0.
#pragma once

#include <vector>

namespace fw::compare {

struct CollapseChain {
  bool resample = false;   // resample (Wright–Fisher) or Gaussian refit
  int samples = 0;         // N
  double alpha = 0;        // fraction of fresh points
  bool binomial = true;    // k ~ Binomial(N, alpha); false: k = round(alpha N)
  int dim = 1;             // d
  double variance0 = 1;    // tr Sigma_0 / d
  double log_det0 = 0;     // log det Sigma_0
};

struct CollapseExpectation {
  std::vector<double> variance;      // E tr Sigma_t / d, t = 0..T
  std::vector<double> mean_square;   // E |mean_t - mu_0|^2 / d
  std::vector<double> log_det;       // E log det Sigma_t (Gaussian refit without fresh data; empty otherwise)
  std::vector<double> homozygosity;  // resample only (empty otherwise)
};

/// The expectations for t = 0..generations. Throws a config Error for N < 2,
/// alpha outside [0, 1] or d < 1, or d >= N for the log det.
CollapseExpectation collapse_expectation(const CollapseChain& chain, int generations);

}  // namespace fw::compare
