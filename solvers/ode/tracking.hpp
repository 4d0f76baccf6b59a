// solvers/ode/tracking.hpp — how closely constant-step SA follows its ODE limit.
//
// For each step size eta, M sample paths of
//     x_{n+1} = x_n + eta (b(x_n) + Z_{n+1}(x_n))
// (the model's own noise; member m draws from the Philox stream (seed, m))
// start from x0 beside the ODE limit phi' = b(phi), phi(0) = x0, integrated
// with Dopri5 at tight tolerance. The distance of a path to the limit is
//     sup_{n eta <= T} |x_n - phi(n eta)|;
// its mean over members, with a standard error, shrinks like sqrt(eta) (the
// fluctuations; the O(eta) Euler bias is smaller for small eta). The fitted
// slope of log(mean distance) against log(eta) is reported.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "fwkit/model/model.hpp"

namespace fw::ode {

struct TrackingOptions {
  std::vector<double> step_sizes;  // eta values, each > 0
  double horizon = 2;              // T, in clock time n eta
  int members = 100;
  std::uint64_t seed = 1;
  void validate() const;
};

struct TrackingPoint {
  double eta;
  double mean_distance;   // mean over members of the sup distance
  double standard_error;  // of that mean
  long steps;             // steps per path
};

struct TrackingResult {
  std::vector<TrackingPoint> points;
  double slope = 0;  // least-squares slope of log(mean distance) vs log(eta)
  std::string brief_report() const;
};

TrackingResult track_limit(const model::Model& model, const Vec& x0, const TrackingOptions& options);

}  // namespace fw::ode
