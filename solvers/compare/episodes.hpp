// solvers/compare/episodes.hpp — predicted lengths of memorization episodes in
// two-time-scale SGD (SCIENCE.md, "Two time scales"; the paper's relaxation
// oscillations).
//
// The recursion x_{n+1} = x_n + a (f(x_n, y_n) + Z^x), y_{n+1} = y_n +
// a eps (g(x_n, y_n) + Z^y) with Var Z^x = sigma_xx is, over clock time
// t = n a, the ODE limit x' = f, y' = eps g plus fast noise of diffusion
// a sigma_xx. An episode on the upper branch lasts from the step x first
// reaches `upper` until it reaches `lower` (and the other way round on the
// lower branch), which is how `fwkit simulate` measures it with two regions
// (x >= upper and x <= lower).
//
// Two predictions of the mean episode length, in clock time:
//  - deterministic: the relaxation cycle of the ODE limit at the given eps
//    (slow drift along the branch, the delayed jump past the fold, the fast
//    transit), integrated by RK4 from (upper, s) until x = lower; the exact
//    limit of the simulated mean as a -> 0. Its eps -> 0 limit is
//    slow_fast.hpp's leading-order half period.
//  - adiabatic hazard: the same path, but the fast variable leaves its branch
//    at the rate k(t) = 1 / M(x(t); y(t)), M the exact mean first-passage time
//    of the frozen fast diffusion dx = f(x, y) dt + sqrt(a sigma_xx) dW from x
//    to the other threshold (1-D quadrature of the fast potential
//    U(x; y) = -int f dx, i.e. of the fast quasi-potential
//    dV(y) = 2 dU(y) / sigma_xx, over its barrier); the episode ends at that
//    event or at the deterministic arrival, whichever comes first:
//        E T = int_0^{T_det} S(t) dt,  S(t) = exp(-int_0^t k).
//    For high barriers k is Kramers' rate sqrt(|f_x(x*)| |f_x(x0)|) / (2 pi)
//    exp(-dV(y) / a); M keeps the corrections when the barrier is comparable
//    to the noise, which is where the jumps of this model happen. The
//    approximation is adiabatic (the fast law quasi-stationary, y following
//    its mean path), exact as eps -> 0 at fixed a; it neglects the slow
//    variable's spread, which makes jumps earlier (the hazard is convex in y).
// Each branch's episode starts where the other one's ended (the mean end
// value of y), iterated to a fixed point: the cycle of mean episodes.
#pragma once

#include <string>

#include "fwkit/model/system.hpp"

namespace fw::compare {

struct EpisodeProblem {
  const model::System* system = nullptr;  // planar drift (f, g), dimension 2
  int fast = 0;            // index of the fast variable x
  int slow = 1;            // index of the slow variable y
  double timescale = 0;    // eps: y moves with step a * eps
  double step = 0;         // a, the SGD step (clock time per step)
  double noise_variance = 0;  // sigma_xx = Var Z^x per step (0: no noise)
  double lower = 0;        // thresholds on x: lower branch x <= lower,
  double upper = 0;        //                  upper branch x >= upper
};

struct EpisodeOptions {
  double dt = 0.01;        // RK4 step in clock time along the path
  double x_span = 4;       // the fast quadrature runs this far past the start,
                           // away from the target (reflecting end)
  int nodes = 1500;        // quadrature nodes for M
  int cycles = 12;         // fixed-point iterations of the episode cycle
  double max_time = 1e7;   // give up on a path that never reaches the threshold
  void validate() const;
};

/// One branch's mean episode: from x = threshold at y = y_start.
struct BranchEpisode {
  double y_start = 0;
  double mean_time = 0;    // E T, clock time
  double mean_y_end = 0;   // E y at the end of the episode
  double deterministic_time = 0;  // T_det of the path from the same start
};

struct EpisodePrediction {
  bool converged = false;
  BranchEpisode upper, lower;  // episodes on the upper and lower branch
  double mean_time = 0;    // average of the two branches' means, clock time
  double mean_steps = 0;   // mean_time / a
  std::string message;
};

/// Checks the problem: a planar system, distinct variables, eps, a > 0,
/// sigma_xx >= 0, lower < upper.
void validate(const EpisodeProblem& problem);

/// The noise-free relaxation cycle at the problem's eps (noise ignored).
EpisodePrediction deterministic_episodes(const EpisodeProblem& problem, double y_start,
                                         const EpisodeOptions& options = {});

/// The adiabatic hazard prediction (needs sigma_xx > 0).
EpisodePrediction hazard_episodes(const EpisodeProblem& problem, double y_start,
                                  const EpisodeOptions& options = {});

/// Mean first-passage time of dx = f(x) dt + sqrt(diffusion) dW from x0 to
/// `target`, reflecting at x0 + span on the far side: the quadrature
///   M = (2 / diffusion) int_target^x0 e^{2U(z)/diffusion}
///                       int_z^far e^{-2U(w)/diffusion} dw dz,  U' = -f,
/// by the trapezoid rule on `nodes` nodes, in logarithms (no overflow).
/// Returns +inf when M exceeds the range of a double.
template <class F>
double mean_first_passage(const F& f, double x0, double target, double diffusion, double span,
                          int nodes);

}  // namespace fw::compare

#include "episodes_mfpt.hpp"
