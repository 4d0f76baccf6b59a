// solvers/hj/olim.hpp — the quasi-potential on a 2-D or 3-D grid by an
// ordered line integral method (OLIM, after Dahiya & Cameron 2018).
//
// V is the viscosity solution of H(x, grad V) = 0 with V = 0 on the
// attractor, computed as the value function of the geometric action
// (local_cost.hpp). Nodes are accepted in increasing V, as in Dijkstra's
// algorithm. When node x1 is accepted, every node x not yet accepted within
// `radius` grid steps of it gets
//   - the one-point update  V(x1) + c(x1 -> x), and
//   - triangle updates      min_s (1-s) V(x0) + s V(x1) + c(x_s -> x)
//     with each accepted grid neighbour x0 of x1 (x_s on the edge x0 x1),
// the segment costs by the midpoint rule. Long update segments (radius K)
// are what make the method converge for strongly rotational drifts, where
// plain fast marching on 8 neighbours does not. Error: first order in h in
// the tests here.
//
// Method::kJet marches V and grad V together (jet_cost.hpp): Hermite-cubic
// values on the base edges, curved paths along the minimum action direction,
// Simpson's rule, and grad V at each new node from the derivative of its
// update; in 3-D also face updates on triangles of accepted nodes (a cubic
// Bezier patch of V, started from an edge minimum where the value falls
// into the face: the KKT rejection of simplex updates). It converges at
// second order at a fixed radius K (Gaussian noise with an invertible D(x));
// grad V comes with the result.
//
// The attractor is seeded from its linearisation: nodes within `seed_radius`
// grid steps of it get V = (x - x*)^T Sigma^{-1} (x - x*) / 2 with
// J Sigma + Sigma J^T + D = 0 (J = Db(x*), D = Hess_p H(x*, 0)) and are
// never updated. A limit cycle can be the source instead (Problem::cycle).
//
// Gaussian noise must have D(x) positive definite on the box (checked on a
// sample of it and at the attractor; a config error otherwise): both
// methods price paths with D^{-1}, and rank-deficient noise (an
// underdamped oscillator driven on its velocity only) would march
// meaningless values.
//
//   fw::hj::Problem p{hamiltonian, grid, attractor};
//   fw::hj::Result r = fw::hj::solve<2>(p, fw::hj::Options{});
//   std::cout << r.brief_report();
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "fwkit/core/progress.hpp"
#include "fwkit/grid/grid.hpp"
#include "fwkit/model/hamiltonian.hpp"

namespace fw::hj {

enum class Method {
  kOlim,  ///< straight segments, linear interpolation on base edges: first order, any Hamiltonian
  kJet,   ///< marches V and grad V with Hermite data and curved paths (jet_cost.hpp): second order;
          ///< 2-D and 3-D, Gaussian noise with an invertible D(x)
};

/// Whether Method::kJet applies to this Hamiltonian on a D-dimensional grid;
/// `why` (if given) gets the reason when it does not.
bool jet_applies(const model::Hamiltonian& h, int dim, std::string* why = nullptr);

const char* method_name(Method m);

struct Options {
  Method method = Method::kOlim;
  /// Update radius K in grid steps (segments up to K h long). 0 picks, for
  /// the jet method, 5 + 3.5 rho in 2-D and 4 + 2 rho in 3-D, and for OLIM (0.5 + 0.5 rho) sqrt(n) in 2-D, rho in [0, 2] the RMS ratio of the
  /// antisymmetric to the symmetric part of Db over the box (long segments
  /// follow spirals; short ones avoid the midpoint rule's undercharge where
  /// |b| is convex), at least 3; and sqrt(n) / 2 in 3-D; n the largest node
  /// count per dimension.
  int radius = 0;
  /// Nodes within this many grid steps of the attractor are seeded from the
  /// linearisation. Update segments that would cross this ball are skipped
  /// (the midpoint rule prices a segment centred on the attractor at 0).
  double seed_radius = 2.5;
  /// Segment quadrature: the midpoint rule (OLIM-MID), or Simpson's rule.
  bool simpson = false;
  /// Method::kJet with a point attractor, no other equilibrium in the box,
  /// the whole box (not stop_at_boundary), at least 257 nodes a side in 2-D
  /// and 65 in 3-D, and in 3-D a rotation ratio up to 1.75: solve first at
  /// half the resolution (recursively), then, beyond a core around the
  /// attractor marched as usual, compute each node once, in the coarse V's
  /// order, from the segment (2-D) or square (3-D) of computed nodes that
  /// the coarse solution's backward characteristic crosses (guide.hpp).
  /// On the benchmarks 2.5x to 8x faster with the same or smaller errors
  /// (docs/performance.md); false: the ordered march everywhere.
  bool guided = true;
  /// Stop when the first node on the boundary of the box is accepted (the
  /// escape cost from the basin through its cheapest boundary point);
  /// otherwise march through the whole box.
  bool stop_at_boundary = false;
  /// Throws a config Error naming the field, the value and the rule.
  void validate() const;
};

struct Problem {
  const model::Hamiltonian& hamiltonian;
  grid::Grid grid;
  Vec attractor;  // a stable equilibrium of the drift inside the box
  /// Other equilibria in the box (saddles, other attractors). The midpoint
  /// rule prices a segment centred on an equilibrium at nearly nothing, so
  /// no update segment may pass within `seed_radius` grid steps of one (of
  /// the attractor too); segments that start or end there are allowed.
  std::vector<Vec> equilibria = {};
  /// A limit cycle as the source instead of the point attractor: points
  /// along it in order (closed: the last joins the first). Nodes within
  /// 0.75 h of it are seeded with V = 0; `attractor` is then ignored.
  std::vector<Vec> cycle = {};
};

enum class NodeStatus : std::int8_t { kFar = 0, kTrial = 1, kAccepted = 2, kSeed = 3 };

struct Result {
  enum class Status { kNotRun, kSuccess, kStoppedAtBoundary, kFailed };
  Status status = Status::kNotRun;
  std::string message = "not run";
  grid::Grid grid;
  std::vector<double> value;          // V at every node (+inf: not reached)
  /// grad V at every node, node-major (grad[node * d + k]), as marched by
  /// Method::kJet; empty for Method::kOlim (use gradient()).
  std::vector<double> grad;
  std::vector<std::int8_t> node_status;  // NodeStatus
  int radius = 0;
  std::int64_t accepted = 0;
  std::int64_t updates = 0;          // one-point + triangle updates tried
  double seconds = 0;
  double boundary_value = 0;         // V at the first boundary node accepted (stop_at_boundary)
  std::vector<double> boundary_point;
  Method method = Method::kOlim;
  /// Options::guided: the coarse grid that guided the solve (empty: none),
  /// and the nodes for which the guide found no segment (computed by the
  /// march's updates from every computed node within the radius).
  std::vector<int> guide_grid;
  std::int64_t guide_fallbacks = 0;
  /// Memory the solver needs for a grid (bytes), reported before a run.
  static std::size_t memory_estimate(const grid::Grid& grid);
  static std::size_t memory_estimate(const grid::Grid& grid, Method method);
  std::string brief_report() const;
  bool ok() const { return status == Status::kSuccess || status == Status::kStoppedAtBoundary; }
};

/// Runs the marching. D is the dimension (2 or 3) and must equal the
/// model's and the grid's.
template <int D>
Result solve(const Problem& problem, const Options& options, Progress* progress = nullptr);

/// Bilinear/trilinear interpolation of the node values at x (NaN outside the
/// box or where a corner is not reached).
double interpolate(const grid::Grid& grid, const std::vector<double>& values, const double* x);

/// grad V at every node by central differences (one-sided at the box and
/// next to unreached nodes), node-major: grad[node * d + k].
std::vector<double> gradient(const grid::Grid& grid, const std::vector<double>& values);

}  // namespace fw::hj
