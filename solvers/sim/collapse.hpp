// solvers/sim/collapse.hpp — model collapse: a generative model refitted,
// generation after generation, on N samples of its own output.
//
//   gaussian_refit  theta_t = (mu_t, Sigma_t); draw N points from
//                   N(mu_t, Sigma_t) and refit by maximum likelihood,
//                   Sigma_{t+1} = (1/N) sum (x_i - xbar)(x_i - xbar)^T. Then
//                   log det Sigma_t is a random walk with drift
//                   sum_{i=1..d} [psi((N-i)/2) + log(2/N)] < 0: Sigma_t -> 0.
//   resample        the empirical measure of N points resampled with
//                   replacement (Wright–Fisher): it fixes on one of the
//                   original points; the homozygosity (probability that two
//                   distinct individuals carry the same original point) is
//                   1 - (1 - 1/N)^t on average.
// A fraction alpha of each generation can be fresh draws from the original
// law N(mu_0, Sigma_0), which stops the collapse: each of the N points is
// fresh with probability alpha (a Binomial(N, alpha) count per generation,
// the default), or exactly round(alpha N) are (fresh_count = "exact").
// A member has collapsed at the first generation with one origin left
// (resample) or, for the refit, with tr Sigma_t / d at or below
// `collapse_variance` times its start (-1: not within the run).
// Member m uses the stream (seed, m) at counter t for generation t, so the
// results do not depend on the thread count.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ensemble.hpp"
#include "fwkit/io/result_file.hpp"
#include "fwkit/par/comm.hpp"

namespace fw::sim {

enum class CollapseKind { kGaussianRefit, kResample };

struct CollapseOptions {
  CollapseKind kind = CollapseKind::kGaussianRefit;
  int samples = 100;         // N
  int generations = 100;     // T
  double alpha = 0;          // fraction of fresh data per generation
  bool exact_fresh = false;  // exactly round(alpha N) fresh points, not Binomial(N, alpha)
  double collapse_variance = 1e-3;  // refit: collapsed when tr Sigma_t / d <= this x tr Sigma_0 / d
  Vec mean;                  // mu_0 (its size is the dimension)
  Mat covariance;            // Sigma_0
  std::int64_t members = 1000;
  std::uint64_t seed = 1;
  int threads = 0;
  /// Throws a config Error naming the field, the value and the rule.
  void validate() const;
};

struct CollapseResult {
  int dim = 0;
  /// Per generation t = 0..T, mean over members with its standard error:
  std::vector<Estimate> log_det;        // log det of the fitted (refit) or empirical (resample) covariance
  std::vector<Estimate> variance;       // trace of that covariance / d
  std::vector<Estimate> mean_shift;     // |mean_t - mu_0|
  std::vector<Estimate> homozygosity;   // resample only: P(two distinct individuals share an origin)
  std::vector<Estimate> distinct;       // resample only: number of distinct origins left
  std::vector<std::int64_t> collapse_generation;  // per member: first collapsed generation (-1: none)
  std::string brief_report() const;
};

/// With `comm`, every process calls it alike and runs its share of the
/// members; all get the whole result, the same as one process alone.
CollapseResult run_collapse(const CollapseOptions& options, Progress* progress = nullptr,
                            const par::Comm* comm = nullptr);

/// Writes the result under parent/collapse.
void write_collapse(const io::Group& parent, const CollapseOptions& options, const CollapseResult& result);

}  // namespace fw::sim
