// solvers/action/string_method.hpp — minimum energy paths and saddles of
// gradient systems by the string method with a climbing image.
//
// For b = -grad U the minimum energy path between two minima is a curve
// along which grad U is tangent; its highest point is an index-1 saddle. The
// string (after E, Ren & Vanden-Eijnden's simplified method) moves its
// images by the part of the drift normal to it, x <- x + dt (b - <b, t> t),
// t the unit tangent, and redistributes them to equal arclength (moving
// them along the string would only be undone by the redistribution, whose
// corner cutting then leaves an O(h^2) normal error that stalls the
// residual). The highest image instead climbs: x <- x + dt (b - 2 <b, t> t), t the unit
// tangent, which drives it up along the path and down across it, onto the
// saddle; the redistribution keeps it fixed and spaces the others evenly on
// either side. Converged when the drift normal to the path, and the whole
// drift at the climbing image, are below `tolerance` relative to the largest
// drift on the first string. The saddle is then polished by Newton on b.
//
//   auto r = fw::action::string_method(system, a, b, fw::action::StringOptions{});
//   r.saddle; r.path;
#pragma once

#include <string>

#include "fwkit/core/progress.hpp"
#include "fwkit/core/types.hpp"
#include "fwkit/model/system.hpp"

namespace fw::action {

struct StringOptions {
  int images = 41;            // including both ends
  double step = 0;            // pseudo-time step; 0 picks 0.2 / max |Db| over the first string
  int max_iterations = 200000;
  double tolerance = 1e-8;
  bool climbing = true;
  void validate() const;
};

struct StringResult {
  bool converged = false;
  std::string message;
  Mat path;            // d x images, from a to b, equal arclength on either side of the climbing image
  Vec energy;          // U at the images (System::loss)
  int climbing = -1;   // index of the climbing image
  Vec saddle;          // the climbing image after Newton on the drift
  double saddle_residual = 0;  // |b(saddle)|
  int iterations = 0;
};

/// The minimum energy path from a to b (both minima of U; ends fixed) of a
/// gradient system (System::is_gradient()).
/// `progress` (optional) counts iterations against max_iterations.
StringResult string_method(const model::System& system, const Vec& a, const Vec& b, const StringOptions& options,
                           Progress* progress = nullptr);

}  // namespace fw::action
