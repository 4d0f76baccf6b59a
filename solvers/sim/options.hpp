// solvers/sim/options.hpp — what an ensemble simulation runs and records.
//
// Schemes (SCIENCE.md conventions; h_n is the step at step n):
//   sgd       x_{n+1} = x_n + h_n (g(x_n) + Z_{n+1}(x_n))       constant-step SA / SGD
//   langevin  x_{n+1} = x_n + h_n b(x_n) + sqrt(eps h_n) Z,      Euler–Maruyama for
//             Z ~ N(0, D(x_n)) from the model's Gaussian noise    dX = b dt + sqrt(eps) sigma dW
//   ula       x_{n+1} = x_n - h_n grad f(x_n) + sqrt(2 T h_n) xi, xi ~ N(0, I)
//             (unadjusted Langevin: targets exp(-f/T) as h -> 0; gradient systems)
// g is the drift b or, for gradient systems whose loss is known only by its
// values, a zeroth-order estimate of -grad f (Gradient below). Two time
// scales: coordinates listed in `slow` move with step h_n * timescale.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "fwkit/core/types.hpp"
#include "fwkit/grid/grid.hpp"

namespace fw::sim {

enum class Scheme { kSgd, kLangevin, kUla };
const char* to_string(Scheme s);

/// Estimators of g = -grad f from loss values (the paper's appendix). delta
/// is the finite-difference radius; u is drawn afresh each step.
enum class Gradient {
  kExact,             // g = b(x)
  kKieferWolfowitz,   // g_k = -(f(x + delta e_k) - f(x - delta e_k)) / (2 delta)
  kSpsa,              // g = -(f(x + delta u) - f(x - delta u)) / (2 delta) u, u Rademacher
  kSpsaSingle,        // g = -f(x + delta u) / delta u, u Rademacher
  kOnePoint,          // g = -(d / delta) f(x + delta u) u, u uniform on the unit sphere
};
const char* to_string(Gradient g);

/// h_n = eta / (1 + n / n0)^gamma: constant when gamma = 0, a Robbins–Monro
/// schedule (sum h_n = inf, sum h_n^2 < inf) for gamma in (1/2, 1].
struct StepSchedule {
  double eta = 0.01;
  double gamma = 0;
  double n0 = 1;
  double at(std::uint64_t n) const;
  /// Clock time t_n = sum_{k < n} h_k.
  double clock(std::uint64_t n) const;
};

/// A named region of state space: a ball (centre, radius) or a box (lower,
/// upper; infinite bounds allowed). Occupation and transitions use them.
struct Region {
  std::string name;
  Vec center;      // ball
  double radius = 0;
  Vec lower, upper;  // box (used when center is empty)
  bool contains(const double* x) const;
};

struct Options {
  Scheme scheme = Scheme::kSgd;
  StepSchedule step;
  double eps = 1;          // langevin noise strength
  double temperature = 1;  // ula temperature T
  Gradient gradient = Gradient::kExact;
  double delta = 1e-2;
  std::vector<int> slow;   // coordinates on the slow scale
  double timescale = 1;    // their step factor (eps of the two-time-scale SA)

  std::int64_t members = 1000;
  std::int64_t steps = 10000;
  std::int64_t burn_in = 0;  // steps before anything is recorded
  std::int64_t stride = 1;   // record every stride-th step after burn-in
  std::uint64_t seed = 1;
  int threads = 0;           // 0: OpenMP's default
  int block = 64;            // members stepped together (structure of arrays)
  double bound = 1e6;        // |x_k| beyond this (or non-finite) flags a member
  int batches = 20;          // time batches for batch-means standard errors
  /// Steps per segment: between segments the state can be checkpointed and
  /// progress is reported. 0 picks one segment.
  std::int64_t segment = 0;

  std::vector<Region> regions;
  std::optional<grid::Grid> histogram;
  /// Member groups of the histogram: member m counts into group m % groups,
  /// so that error bars can come from independent groups of members.
  int histogram_groups = 1;
  std::int64_t trajectory_members = 0;  // members whose paths are kept
  std::int64_t trajectory_stride = 100;

  /// Throws a config Error naming the field, the value and the rule.
  void validate(int dim) const;
  /// Number of recorded steps per member.
  std::int64_t recorded() const;
  /// Whether step n (the state after n steps) is recorded.
  bool records(std::int64_t n) const { return n > burn_in && (n - burn_in) % stride == 0; }
  /// Time batch of recorded step n.
  int batch_of(std::int64_t n) const;
};

}  // namespace fw::sim
