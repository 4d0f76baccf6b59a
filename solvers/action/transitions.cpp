#include "transitions.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "fwkit/core/error.hpp"
#include "hj/global.hpp"
#include "ode/ode.hpp"

namespace fw::action {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

/// The eigenvector of Db(s) for its one eigenvalue with a positive real
/// part (real for an index-1 saddle), normalised.
Vec unstable_direction(const model::System& sys, const Vec& s) {
  Eigen::EigenSolver<Mat> es(sys.jacobian_at(s));
  Eigen::Index k = -1;
  for (Eigen::Index i = 0; i < es.eigenvalues().size(); ++i)
    if (es.eigenvalues()[i].real() > 0) {
      if (k >= 0) throw config_error("action.transitions: an equilibrium given as a saddle has more than one unstable direction");
      k = i;
    }
  if (k < 0) throw config_error("action.transitions: an equilibrium given as a saddle has no unstable direction");
  return es.eigenvectors().col(k).real().normalized();
}

/// The attractor the drift carries x to (-1 when it settles elsewhere).
int settles_at(const model::System& sys, const Vec& x, const std::vector<Vec>& attractors, double time, double scale) {
  ode::Options o;
  o.outputs = 2;
  const ode::Result r = ode::integrate(ode::from_system(sys), 0, time, x, o);
  if (!r.ok()) return -1;
  const Vec end = r.x.col(r.x.cols() - 1);
  int best = -1;
  double dmin = 1e-3 * scale;
  for (std::size_t i = 0; i < attractors.size(); ++i)
    if ((end - attractors[i]).norm() < dmin) dmin = (end - attractors[i]).norm(), best = static_cast<int>(i);
  return best;
}

/// Whether Db is symmetric (b a gradient) over the box around the
/// attractors and saddles, widened by half its size: a deterministic sample
/// of 400 points (a Halton sequence), not just the equilibria, where even a
/// non-gradient drift can have a symmetric Jacobian (Maier–Stein on its axis).
bool symmetric_jacobian(const model::System& sys, const std::vector<Vec>& points) {
  const Eigen::Index d = points.front().size();
  Vec lo = points.front(), hi = points.front();
  for (const auto& p : points) lo = lo.cwiseMin(p), hi = hi.cwiseMax(p);
  const double width = (hi - lo).maxCoeff();
  lo.array() -= 0.5 * width;
  hi.array() += 0.5 * width;
  static constexpr int kPrimes[] = {2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53};
  for (int n = 1; n <= 400; ++n) {
    Vec x(d);
    for (Eigen::Index k = 0; k < d; ++k) {
      const int base = kPrimes[k % 16];
      double f = 1, v = 0;
      for (int i = n; i > 0; i /= base) f /= base, v += f * (i % base);
      x[k] = lo[k] + v * (hi[k] - lo[k]);
    }
    const Mat j = sys.jacobian_at(x);
    if ((j - j.transpose()).norm() > 1e-8 * (1 + j.norm())) return false;
  }
  return true;
}

/// Eyring–Kramers applies: b = -grad U and D = c I constant.
bool gradient_langevin(const model::Hamiltonian& h, const std::vector<Vec>& points) {
  const auto& noise = *h.model().noise;
  if (noise.depends_on_state() || !(h.kind() == model::HamiltonianKind::kLangevin || noise.is_gaussian())) return false;
  const Mat d = noise.covariance(Vec::Zero(h.dim()));
  const double c = d.trace() / static_cast<double>(d.rows());
  if (!(c > 0) || (d - c * Mat::Identity(d.rows(), d.cols())).norm() > 1e-12 * c) return false;
  return symmetric_jacobian(*h.model().system, points);
}

}  // namespace

void TransitionOptions::validate() const {
  action.validate();
  if (!(offset > 0 && offset < 0.1))
    throw config_error(fmt::format("action.transitions.offset = {}: must be in (0, 0.1)", offset));
  if (!(settle_time > 0)) throw config_error(fmt::format("action.transitions.settle_time = {}: must be > 0", settle_time));
}

TransitionResult transitions(const model::Hamiltonian& h, const std::vector<Vec>& attractors,
                             const std::vector<Vec>& saddles, const TransitionOptions& o, Progress* progress) {
  std::uint64_t runs = 0;
  auto ran = [&] {
    if (progress) progress->update(++runs);
  };
  o.validate();
  const std::size_t m = attractors.size();
  if (m < 2 || m > 8) throw config_error(fmt::format("action.transitions: {} attractors (need 2 to 8)", m));
  const model::System& sys = *h.model().system;
  double scale = 0;
  for (const auto& a : attractors)
    for (const auto& b : attractors) scale = std::max(scale, (a - b).norm());
  TransitionResult r;
  r.attractors = attractors;
  r.saddles = saddles;
  r.cost = Mat::Constant(static_cast<Eigen::Index>(m), static_cast<Eigen::Index>(m), kInf);
  r.cost.diagonal().setZero();
  std::vector<Vec> all = attractors;
  all.insert(all.end(), saddles.begin(), saddles.end());
  const bool gradient = gradient_langevin(h, all);
  for (std::size_t k = 0; k < saddles.size(); ++k) {
    const Vec& s = saddles[k];
    const Vec v = unstable_direction(sys, s);
    const int i = settles_at(sys, s + o.offset * scale * v, attractors, o.settle_time, scale);
    const int j = settles_at(sys, s - o.offset * scale * v, attractors, o.settle_time, scale);
    r.joins.emplace_back(i, j);
    if (i < 0 || j < 0 || i == j) continue;
    const Mat js = sys.jacobian_at(s);
    for (const auto& [from, to] : {std::pair{i, j}, std::pair{j, i}}) {
      Leg leg;
      leg.from = from, leg.to = to, leg.saddle = static_cast<int>(k);
      Options ao = o.action;
      const Result coarse = minimize_action(h, attractors[from], s, ao);
      ran();
      leg.message = coarse.message;
      leg.cost_n = coarse.action;
      leg.converged = coarse.ok();
      leg.cost = coarse.action;
      leg.path = coarse.path;
      if (o.refine && !std::isinf(coarse.action)) {
        ao = refinement_options(o.action, coarse);
        const Result fine = minimize_action(h, attractors[from], s, ao, &coarse.path);
        ran();
        if (!fine.ok()) leg.message = "2N intervals: " + fine.message;
        leg.converged = leg.converged && fine.ok();
        // An infinite cost stays infinite (no Richardson step on inf - inf).
        leg.cost = std::isinf(coarse.action) ? coarse.action : richardson(coarse.action, fine.action, 2);
        leg.error = std::isinf(coarse.action) ? 0.0 : std::abs(leg.cost - fine.action);
        leg.path = fine.path;
      }
      leg.gradient = gradient;
      if (leg.gradient) {
        const Mat jm = sys.jacobian_at(attractors[from]);
        // Hess U = -Db; lambda_-(s) = -(the unstable eigenvalue of Db(s)).
        const Eigen::SelfAdjointEigenSolver<Mat> hs(-js), hm(-jm);
        const double lambda_minus = hs.eigenvalues().minCoeff();
        leg.prefactor = 2 * M_PI / std::abs(lambda_minus) *
                        std::sqrt(std::abs(hs.eigenvalues().prod()) / hm.eigenvalues().prod());
      }
      if (leg.cost < r.cost(from, to)) r.cost(from, to) = leg.cost;
      r.legs.push_back(std::move(leg));
    }
  }
  if (progress) progress->finish();
  r.w = hj::w_graph_energies(r.cost);
  Eigen::Index ground = 0;
  r.w.minCoeff(&ground);
  r.ground = static_cast<int>(ground);
  r.log_occupation = -(r.w.array() - r.w.minCoeff());
  return r;
}

bool TransitionResult::connected() const { return w.size() > 0 && w.allFinite(); }

bool TransitionResult::all_converged() const {
  return std::all_of(legs.begin(), legs.end(), [](const Leg& l) { return l.converged; });
}

std::string TransitionResult::outcome() const {
  std::string unconverged;
  for (std::size_t l = 0; l < legs.size(); ++l)
    if (!legs[l].converged) unconverged += fmt::format("{}{} ({} -> {})", unconverged.empty() ? "" : ", ", l, legs[l].from, legs[l].to);
  std::string out;
  if (!unconverged.empty()) out = "not established: legs " + unconverged + " did not converge";
  if (!connected()) out += std::string(out.empty() ? "not established: " : "; ") + "the W-graph energies are infinite";
  return out.empty() ? "established" : out;
}

std::vector<std::string> TransitionResult::missing_legs() const {
  std::vector<std::string> out;
  const Eigen::Index m = cost.rows();
  for (Eigen::Index i = 0; i < m; ++i) {
    bool leaves = false, reached = false;
    for (Eigen::Index j = 0; j < m; ++j)
      if (j != i) leaves = leaves || std::isfinite(cost(i, j)), reached = reached || std::isfinite(cost(j, i));
    if (!leaves) out.push_back(fmt::format("attractor {}: no leg of finite cost leaves it (no saddle joins it to "
                                           "another attractor, or every leg out costs +inf)", i));
    if (!reached) out.push_back(fmt::format("attractor {}: no leg of finite cost reaches it", i));
  }
  if (!connected())
    out.push_back("the W-graph energies are infinite: the occupations between attractors are not determined");
  return out;
}

std::string TransitionResult::brief_report() const {
  std::string s = fmt::format("transitions: {} attractors, {} saddles; ground state {}\n", attractors.size(), saddles.size(), ground);
  for (std::size_t i = 0; i < attractors.size(); ++i) {
    s += fmt::format("  attractor {} at (", i);
    for (Eigen::Index k = 0; k < attractors[i].size(); ++k) s += fmt::format("{}{:.6g}", k ? ", " : "", attractors[i][k]);
    s += fmt::format("): W = {:.10g}, log occupation x eps = {:.6g}\n", w[static_cast<Eigen::Index>(i)],
                     log_occupation[static_cast<Eigen::Index>(i)]);
  }
  // Saddles by their own index, with coordinates (an equilibrium table
  // printed beside numbers all equilibria together).
  for (std::size_t k = 0; k < saddles.size(); ++k) {
    s += fmt::format("  saddle {} at (", k);
    for (Eigen::Index c = 0; c < saddles[k].size(); ++c) s += fmt::format("{}{:.6g}", c ? ", " : "", saddles[k][c]);
    s += ")\n";
  }
  for (const Leg& l : legs) {
    s += fmt::format("  {} -> {} over saddle {}: cost {:.10g} (+- {:.2g}){}", l.from, l.to, l.saddle, l.cost, l.error,
                     l.converged ? "" : " NOT CONVERGED (" + l.message + ")");
    if (l.gradient) s += fmt::format("; Eyring-Kramers E tau ~ {:.6g} exp(cost / eps)", l.prefactor);
    s += "\n";
  }
  for (const std::string& m : missing_legs()) s += "  " + m + "\n";
  s += "  outcome: " + outcome() + "\n";
  return s;
}

}  // namespace fw::action
