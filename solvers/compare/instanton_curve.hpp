// solvers/compare/instanton_curve.hpp — the curve a transition is predicted
// to follow, and distances to it.
//
// As the noise scale s -> 0, the paths by which a process leaves attractor
// i for attractor j concentrate, in a tube of width O(sqrt(s)), on the
// instanton: the minimum action path from i up to the saddle (the leg an
// `fwkit action` transitions file stores), then the deterministic flow from
// the saddle down into j (zero action). For a gradient drift with isotropic
// noise the two halves are the minimum energy path; in general the uphill
// half is not the time-reversed flow.
#pragma once

#include <vector>

#include "fwkit/core/types.hpp"
#include "fwkit/model/system.hpp"

namespace fw::compare {

/// The flow line x' = b(x) from `saddle` down to `target`: started a small
/// step along the saddle's unstable eigenvector (the side facing `target`)
/// and integrated by RK4 in arclength (x' = b / |b|) with steps of
/// `spacing`, until it is within `spacing` of `target`. Throws a data Error
/// if it does not get there within 10^5 steps (it fell into another basin).
std::vector<Vec> descent(const model::System& system, const Vec& saddle, const Vec& target, double spacing);

/// A polyline; distance() is the Euclidean distance from x to its nearest segment.
class Polyline {
 public:
  /// Repeated consecutive points are dropped; at least two distinct points are needed.
  explicit Polyline(const std::vector<Vec>& points);
  double distance(const double* x) const;
  const std::vector<Vec>& points() const { return points_; }

 private:
  std::vector<Vec> points_;
};

}  // namespace fw::compare
