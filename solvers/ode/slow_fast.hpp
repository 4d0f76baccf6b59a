// solvers/ode/slow_fast.hpp — slow–fast analysis of a planar system.
//
// For x' = b_x(x, y) fast and y' = b_y(x, y) slow (e.g. x' = f(x, y),
// y' = eps g(x, y)), in the limit of infinite time-scale separation:
//  - the critical manifold C = {b_x = 0}, traced as y = Y(x) over the fast
//    variable (requires d b_x / d y != 0 on the range), attracting where
//    d b_x / d x < 0;
//  - folds: the points of C where d b_x / d x = 0 (branch ends);
//  - jumps: from a fold along the fast fibre y = y_fold to the attracting
//    branch the fast flow reaches;
//  - the reduced slow flow y' = b_y(x, Y(x)) on attracting branches; the
//    time from a landing point x_a to the fold x_f is
//        T = int_{x_a}^{x_f} Y'(x) / b_y(x, Y(x)) dx,  Y' = -d_x b_x / d_y b_x;
//  - the relaxation cycle, fold -> jump -> slow drift -> fold ..., and its
//    leading-order period (jumps take no time in the limit).
// For van der Pol in Liénard form this gives folds (+-1, +-2/3), jumps to
// x = -+2 and the period (3 - 2 ln 2) mu.
#pragma once

#include <string>
#include <vector>

#include "fwkit/model/system.hpp"

namespace fw::ode {

struct SlowFastOptions {
  int fast = 0;         // index of the fast variable x
  int slow = 1;         // index of the slow variable y
  double x_min = -3;    // range of the fast variable to trace C over
  double x_max = 3;
  int samples = 4000;   // grid used to bracket folds
  double tolerance = 1e-13;  // on fold positions and the slow-time quadrature
  void validate(int dim) const;
};

struct Fold {
  double x, y;
  double x_landing = 0;  // where the jump from this fold lands (fast variable)
  bool has_landing = false;
};

struct SlowSegment {
  double x_start, x_end;  // landing point -> fold, along an attracting branch
  double time;            // slow time of the segment
};

struct SlowFastResult {
  std::vector<double> x, y;       // C sampled on the grid: y = Y(x)
  std::vector<int> attracting;    // 1 where d b_x / d x < 0
  std::vector<Fold> folds;
  bool has_cycle = false;
  std::vector<SlowSegment> cycle;  // the relaxation cycle's slow segments
  double period = 0;               // leading-order period (sum of segment times)
  std::string message;
  std::string brief_report() const;
};

SlowFastResult analyze_slow_fast(const model::System& system, const SlowFastOptions& options);

}  // namespace fw::ode
