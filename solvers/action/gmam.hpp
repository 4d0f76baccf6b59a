// solvers/action/gmam.hpp — the geometric minimum action method.
//
// Heymann & Vanden-Eijnden's gMAM for any Hamiltonian H(x, p) of the model
// layer (convex in p, H(x, 0) = 0): the quasi-potential cost of reaching B
// from A,
//     V(A -> B) = inf over curves phi from A to B of  int <p_hat, dphi>,
// where at each point p_hat maximises <p, phi'> on {H(phi, p) = 0}, so that
//     H(phi, p_hat) = 0,   H_p(phi, p_hat) = lambda phi',   lambda >= 0.
// For Gaussian noise (D = Sigma(x)) this is closed-form:
//     lambda = |b|_D / |phi'|_D,  p_hat = D^{-1}(lambda phi' - b);
// otherwise (minibatch, Rademacher, mixtures, Markov) a damped Newton
// iteration on (p, lambda) from the Gaussian guess with D = H_pp(x, 0).
//
// The curve (N + 1 nodes, equal arclength, ends fixed) relaxes along
//     phi_t = lambda^2 phi'' - lambda H_px phi' + H_pp H_x + lambda lambda' phi',
// implicit in lambda^2 phi'' (a tridiagonal solve per coordinate), with the
// explicit terms projected normal to the curve (tangential motion, including
// the purely tangential lambda lambda' phi', is what the redistribution to
// equal arclength that follows each step takes care of). In up to 8
// dimensions the step is preconditioned: the Gauss-Newton Jacobian
// J = D Db^T D^{-1} Db of the stiff term -D Db^T D^{-1} b (D = H_pp(x, p_hat)
// for non-Gaussian noise) is added to both sides (J phi_new on the left, J phi on the right; a block
// tridiagonal solve), which leaves the discrete minimiser unchanged but lets
// the step grow past the drift's fast time scales (Muller-Brown: 32
// iterations instead of 828). With constant Gaussian noise and both ends
// fixed (no seeding), the transport term lambda T phi', T = D Db^T D^{-1} - Db,
// goes to both sides as well (off-diagonal blocks; Maier-Stein beta = 10:
// 36 -> 27 iterations); with a sliding start it provokes early step
// rejections that cap the step for good, so seeded runs do without it;
// the same holds for nested iteration (Options::nested: fixed ends start
// from the minimiser on a coarser curve). The pseudo-time step adapts: it
// doubles while the action decreases and is halved (the step retried, and
// never grown back past that value) when the action rises above round-off
// level. Converged when the discrete equations hold:
// the flow's right-hand side normal to the curve, relative to the size of its
// terms, is below `tolerance` (and, when seeded, p_hat at the start is normal
// to the ellipse to the same relative accuracy); converged to rounding when
// that residual stops falling within 100x its round-off level (eps times
// the terms that cancel in it); stalled otherwise (Status).
// minimize_action adds restarts from other first paths when a relaxation
// stalls, and a saddle check after convergence (Options).
//
// Known limitation: where A is a focus (complex eigenvalues of Db(A)), the
// optimal path leaves A along a spiral. Seeding absorbs the innermost turns,
// but nodes at equal arclength cannot resolve many shrinking turns and the
// flow does not wind a straight first path into them: for strongly
// rotational problems the result is a local minimum of the discrete action
// with an O(1/N) error (e.g. b = (-2x - 10y, 20x - y)). Equidistributing
// the nodes in action rather than arclength is the remedy still to build.
//
//   fw::action::Options o;  o.nodes = 201;
//   auto r = fw::action::minimize_action(hamiltonian, a, b, o);
//   std::cout << r.brief_report();   // r.action ~ V(a -> b)
#pragma once

#include <cmath>
#include <limits>
#include <string>

#include "fwkit/core/progress.hpp"
#include "fwkit/core/types.hpp"
#include "fwkit/model/hamiltonian.hpp"

namespace fw::action {

struct Options {
  int nodes = 201;             // N + 1 points on the curve, ends included
  /// Outer iterations per relaxation; 0: 500 x nodes. A relaxation whose
  /// residual has not fallen by 30% over max(2000, 10 x nodes) iterations
  /// stops before (stalled, or converged to rounding; see Status).
  int max_iterations = 0;
  double tolerance = 1e-8;     // relative residual of the discrete equations
  double initial_step = 1e-3;  // pseudo-time step, adapted during the run
  int inner_iterations = 50;   // Newton iterations of the inner problem
  /// Take the drift's stiff part implicitly (up to 8 dimensions; see
  /// above). Off: the plain flow, same minimiser.
  bool precondition = true;
  /// Nested iteration with both ends fixed (no seeding) and at least 201
  /// nodes, when `tolerance` < 1e-4: the path is first relaxed on a curve
  /// of (nodes - 1) / 4 intervals to 1e-4, interpolated (cubic), and the
  /// full relaxation starts there at the coarse run's final step. Same
  /// minimiser; Maier-Stein beta = 10 at 401 nodes: 27 iterations become
  /// 17 coarse + 10, 1.6x faster.
  bool nested = true;
  /// When A is a stable equilibrium, start on the ellipse V_lin = seed
  /// around it, where V_lin(x) = (x - a)^T Sigma^{-1} (x - a) / 2 solves the
  /// linearised problem (J Sigma + Sigma J^T + D = 0); the start point slides
  /// on the ellipse and the result is V_lin(start) + S. This resolves the
  /// infinitely many turns with which paths leave a focus. 0 disables it.
  /// Negative (the default): 1e-6, except at a focus (J with complex
  /// eigenvalues), where V_lin = 2 h^2, h the chord from A to B in the
  /// Sigma^{-1} metric over the number of intervals: an ellipse of about two
  /// node spacings' radius. A small ellipse is crossed by the first segment
  /// while the path still turns around the focus (FitzHugh-Nagumo: with
  /// 1e-6 the N -> 2N extrapolation from 201 nodes was 1.1e-5 off and its
  /// convergence irregular; scaled, 5e-8). Its linearisation error,
  /// O(seed^{3/2}) = O(h^3), is why nodes keep 1e-6 (2e-6 on Maier-Stein's
  /// exact 1/2 when scaled). The N -> 2N refinement keeps the coarse run's
  /// ellipse (refinement_options).
  double seed = -1;
  /// When a relaxation stalls or fails, try other first paths: unseeded (if
  /// the first was seeded), then bent off the chord a -> b to either side in
  /// up to two normal directions (Result::start says which one served).
  bool restarts = true;
  /// After convergence, relax again from the path displaced to either side
  /// normal to the chord (up to two directions) and keep a lower action
  /// found there: a converged path can be a saddle point of the action
  /// (Maier-Stein with beta > 4 from the straight path: S = 0.5 on the axis,
  /// lower off it). Result::saddle_check says what was found.
  bool saddle_check = true;
  /// Reports, in thousandths, how far the residual has fallen towards the
  /// tolerance (log scale; never backwards across relaxations); may be null.
  Progress* progress = nullptr;
  /// The cap on iterations for `nodes` (max_iterations, or 500 x nodes).
  int iteration_cap() const { return max_iterations > 0 ? max_iterations : 500 * nodes; }
  void validate() const;
};

/// kConverged: the relative residual is below `tolerance`.
/// kConvergedToRounding: it stopped falling at the round-off floor of the
///   discrete equations (Result::rounding_floor), above the tolerance.
/// kStalled: it stopped falling above that floor, or the iteration cap or a
///   step-size underflow ended the run (Result::residual, Result::message).
/// kFailure: no path could be evaluated; Result::message says why and where,
///   and Result::action is +inf when the cost is infinite on every path tried.
enum class Status { kNotRun, kConverged, kConvergedToRounding, kStalled, kFailure };

/// "converged", "converged to rounding", "stalled", "failed", "not run".
std::string status_name(Status s);

struct Result {
  Status status = Status::kNotRun;
  std::string message = "not run";
  Mat path;          // d x nodes, equal arclength from A to B
  Mat momentum;      // d x nodes, p_hat along the path
  Vec lambda;        // nodes
  Vec cumulative;    // V(s): the action from A to each node (seed included)
  double action = std::numeric_limits<double>::quiet_NaN();  // V(A -> B) on this discretisation
  double seed_action = 0;  // V_lin at the first node (0 without seeding)
  double hamiltonian_residual = 0;  // max |H(phi, p_hat)| along the path
  double residual = std::numeric_limits<double>::quiet_NaN();  // final relative residual
  double rounding_floor = 0;  // its estimated round-off level on the final path
  int iterations = 0;
  int coarse_iterations = 0;  // on the coarser curve first (Options::nested)
  int relaxations = 0;        // relaxations run (restarts and saddle checks included)
  std::string start = "given";  // the first path that served: given, unseeded, bent +1, ...
  std::string saddle_check = "not run";
  /// Converged, to the tolerance or to rounding.
  bool ok() const { return status == Status::kConverged || status == Status::kConvergedToRounding; }
  std::string brief_report() const;
};

/// Minimum action from `a` to `b`; `initial` (d x k, k >= 2, from a to b) is
/// an optional first guess, resampled to `nodes` points; default: the
/// straight segment. Restarts and the saddle check as Options say.
Result minimize_action(const model::Hamiltonian& h, const Vec& a, const Vec& b, const Options& options,
                       const Mat* initial = nullptr);

/// One relaxation from `initial` (or the straight segment), without
/// restarts or saddle check.
Result relax_once(const model::Hamiltonian& h, const Vec& a, const Vec& b, const Options& options,
                  const Mat* initial = nullptr);

/// The options of the N -> 2N refinement of `coarse` (run with `options`):
/// twice the intervals, no saddle check (the coarse run made it; the fine
/// one starts from its path), and the coarse run's start ellipse (its
/// V_lin, or none when it ran unseeded), so that the pair of runs
/// discretises one problem and the extrapolation removes its O(h^2) error.
inline Options refinement_options(const Options& options, const Result& coarse) {
  Options fine = options;
  fine.nodes = 2 * (options.nodes - 1) + 1;
  fine.saddle_check = false;
  fine.seed = coarse.seed_action;  // 0: unseeded
  return fine;
}

/// Richardson extrapolation of actions computed with N and 2N intervals for
/// a method of order `order`.
inline double richardson(double coarse, double fine, double order) {
  return fine + (fine - coarse) / (std::pow(2.0, order) - 1);
}

}  // namespace fw::action
