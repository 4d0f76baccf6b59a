#include "equilibria.hpp"

#include <algorithm>
#include <cmath>
#include <complex>
#include <limits>
#include <sstream>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "fwkit/core/error.hpp"
#include "lanczos.hpp"
#include "minimize.hpp"

namespace fw::analyze {
namespace {

/// The i-th point of the Halton sequence in d dimensions, in [0, 1)^d.
Vec halton(int i, int d) {
  static constexpr int kPrimes[] = {2,  3,  5,  7,  11, 13, 17, 19, 23, 29, 31, 37, 41,
                                    43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97};
  Vec u(d);
  for (int k = 0; k < d; ++k) {
    const int base = kPrimes[k % 25];
    double f = 1, r = 0;
    for (int n = i + 1; n > 0; n /= base) {
      f /= base;
      r += f * (n % base);
    }
    u[k] = r;
  }
  return u;
}

/// Damped Newton from x; returns whether it converged.
bool newton(const model::System& sys, Vec& x, const Options& opt) {
  const int d = sys.dim();
  Vec b(d), bn(d);
  Mat jac(d, d);
  sys.drift(x.data(), b.data());
  for (int it = 0; it < opt.max_iterations; ++it) {
    if (!b.allFinite()) return false;
    if (b.norm() <= opt.tolerance * (1 + x.norm())) return true;
    sys.jacobian(x.data(), jac.data());
    Eigen::FullPivLU<Mat> lu(jac);
    Vec dx = lu.isInvertible() ? Vec(lu.solve(-b))
                               : Vec(jac.completeOrthogonalDecomposition().solve(-b));
    if (!dx.allFinite()) return false;
    // Backtrack on |b|^2 (a Newton direction is a descent direction for it).
    double t = 1;
    const double f0 = b.squaredNorm();
    Vec xn;
    for (int ls = 0; ls < 30; ++ls, t *= 0.5) {
      xn = x + t * dx;
      sys.drift(xn.data(), bn.data());
      if (bn.allFinite() && bn.squaredNorm() <= (1 - 1e-4 * t) * f0) break;
    }
    if (!(bn.squaredNorm() < f0)) {
      // Stagnation: accept only if already converged to working precision.
      return b.norm() <= opt.tolerance * (1 + x.norm());
    }
    x = xn;
    b = bn;
  }
  return b.norm() <= opt.tolerance * (1 + x.norm());
}

/// A loss with more than Options::dense_max_dim parameters: the ends of the
/// Hessian's spectrum by Lanczos on Hessian-vector products, the smallest
/// and largest eigenvalues placed first and last in hessian_eigenvalues (NaN
/// in between); the index and the flat count are the numbers of distinct
/// converged Ritz values below -zero_tolerance and within it (lower bounds), and
/// a minimum is "stable" only when the smallest Ritz value has converged
/// (a Ritz value is an upper bound on the smallest eigenvalue).
void classify_by_lanczos(const model::System& sys, Equilibrium& e, const Options& opt) {
  const int d = sys.dim();
  const LanczosResult l = lanczos(
      [&](const Vec& v) {
        Vec hv(d);
        sys.loss_hessian_times(e.x.data(), v.data(), hv.data());
        return hv;
      },
      d, opt.lanczos_steps);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  // Lanczos finds each distinct eigenvalue once (a repeated one, common
  // under a network's symmetries, only once): only the two ends are placed.
  e.hessian_eigenvalues = Vec::Constant(d, nan);
  const int m = static_cast<int>(l.ritz.size());
  if (l.converged.front()) e.hessian_eigenvalues[0] = l.ritz[0];
  if (l.converged.back()) e.hessian_eigenvalues[d - 1] = l.ritz[m - 1];
  int negative = 0, flat = 0;
  for (int i = 0; i < m; ++i) {
    if (!l.converged[static_cast<std::size_t>(i)]) continue;
    negative += l.ritz[i] < -opt.zero_tolerance;
    flat += std::abs(l.ritz[i]) <= opt.zero_tolerance;
  }
  e.eigenvalues = (-e.hessian_eigenvalues).cast<std::complex<double>>();
  std::reverse(e.eigenvalues.data(), e.eigenvalues.data() + d);  // ascending real part
  const double smallest = l.ritz[0];
  // A Ritz value bounds the smallest eigenvalue from above: below zero, the
  // point is a saddle (or a maximum) even before that value has converged.
  e.index = smallest < -opt.zero_tolerance ? std::max(negative, 1) : negative;
  e.flat = flat;
  if (smallest < -opt.zero_tolerance) e.stability = negative == d ? Stability::kUnstable : Stability::kSaddle;
  else if (smallest > opt.zero_tolerance && l.converged[0]) e.stability = Stability::kStable;
  else e.stability = Stability::kDegenerate;
  e.residual = sys.drift_at(e.x).norm();
  e.has_loss = true;
  e.loss = sys.loss(e.x.data());
  e.spectrum_by_lanczos = true;
}

void classify(const model::System& sys, Equilibrium& e, double zero_tol) {
  const int d = sys.dim();
  const Mat jac = sys.jacobian_at(e.x);
  Eigen::EigenSolver<Mat> es(jac, false);
  e.eigenvalues = es.eigenvalues();
  std::sort(e.eigenvalues.data(), e.eigenvalues.data() + d,
            [](auto a, auto b) { return a.real() < b.real() || (a.real() == b.real() && a.imag() < b.imag()); });
  int pos = 0, neg = 0;
  for (int k = 0; k < d; ++k) {
    const double re = e.eigenvalues[k].real();
    if (re > zero_tol) ++pos;
    else if (re < -zero_tol) ++neg;
  }
  e.index = pos;
  e.flat = d - pos - neg;
  if (pos + neg < d) e.stability = Stability::kDegenerate;
  else if (pos == 0) e.stability = Stability::kStable;
  else if (neg == 0) e.stability = Stability::kUnstable;
  else e.stability = Stability::kSaddle;
  e.residual = sys.drift_at(e.x).norm();
  if (sys.is_gradient()) {
    e.has_loss = true;
    e.loss = sys.loss(e.x.data());
    const Mat hess = -0.5 * (jac + jac.transpose());
    e.hessian_eigenvalues = Eigen::SelfAdjointEigenSolver<Mat>(hess, Eigen::EigenvaluesOnly).eigenvalues();
  }
}

}  // namespace

const char* to_string(Stability s) {
  switch (s) {
    case Stability::kStable: return "stable";
    case Stability::kSaddle: return "saddle";
    case Stability::kUnstable: return "unstable";
    default: return "degenerate";
  }
}

void Options::validate(int dim, const std::string& table) const {
  auto bad = [&table](const std::string& field, const std::string& value, const std::string& rule) {
    throw config_error(table + "." + field + " = " + value + ": " + rule);
  };
  if (static_cast<int>(lower.size()) != dim)
    bad("lower", std::to_string(lower.size()) + " entries", "needs one entry per dimension (" + std::to_string(dim) + ")");
  if (static_cast<int>(upper.size()) != dim)
    bad("upper", std::to_string(upper.size()) + " entries", "needs one entry per dimension (" + std::to_string(dim) + ")");
  for (int k = 0; k < dim; ++k)
    if (!(lower[k] < upper[k]))
      bad("upper", fmt::format("{} in dimension {}", upper[k], k),
          fmt::format("must exceed {}.lower ({})", table, lower[k]));
  if (starts < 0) bad("starts", std::to_string(starts), "must be >= 0 (0: automatic)");
  for (std::size_t i = 0; i < start_points.size(); ++i)
    if (start_points[i].size() != dim)
      bad("starts_from", fmt::format("point {} with {} entries", i + 1, start_points[i].size()),
          "needs one entry per dimension (" + std::to_string(dim) + ")");
  if (lanczos_steps < 2) bad("lanczos_steps", std::to_string(lanczos_steps), "must be >= 2");
  if (dense_max_dim < 1) bad("dense_max_dim", std::to_string(dense_max_dim), "must be >= 1");
  if (minimize_iterations < 1) bad("minimize_iterations", std::to_string(minimize_iterations), "must be >= 1");
  if (!minimize && !newton) bad("newton", "false", "leaves nothing to do with analyze.minimize = false");
  if (!(tolerance > 0)) bad("tolerance", fmt::format("{}", tolerance), "must be > 0");
  if (max_iterations < 1) bad("max_iterations", std::to_string(max_iterations), "must be >= 1");
  if (!(merge_distance > 0 && merge_distance < 1))
    bad("merge_distance", fmt::format("{}", merge_distance), "must be in (0, 1)");
  if (!(zero_tolerance >= 0)) bad("zero_tolerance", fmt::format("{}", zero_tolerance), "must be >= 0");
}

int Result::count(Stability s) const {
  return static_cast<int>(std::count_if(equilibria.begin(), equilibria.end(),
                                        [s](const Equilibrium& e) { return e.stability == s; }));
}

int start_count(const Options& opt, int d) {
  const int halton_starts = opt.starts > 0 ? opt.starts : (opt.start_points.empty() ? 256 * d : 0);
  return static_cast<int>(opt.start_points.size()) + halton_starts;
}

std::vector<Vec> start_points(const Options& opt, int d) {
  std::vector<Vec> starts = opt.start_points;
  const int halton_starts = start_count(opt, d) - static_cast<int>(opt.start_points.size());
  const Vec lo = Eigen::Map<const Vec>(opt.lower.data(), d);
  const Vec hi = Eigen::Map<const Vec>(opt.upper.data(), d);
  for (int i = 0; i < halton_starts; ++i) starts.push_back(lo + halton(i, d).cwiseProduct(hi - lo));
  return starts;
}

namespace {

/// The search box and the merging of converged points into equilibria.
struct Collector {
  Vec lo, hi;
  double diag = 0, merge = 0;
  Result* result = nullptr;

  void add(const Vec& x) const {
    const double slack = 1e-9 * diag;
    if (((x - lo).array() < -slack).any() || ((hi - x).array() < -slack).any()) return;
    ++result->converged;
    auto& eqs = result->equilibria;
    auto same = std::find_if(eqs.begin(), eqs.end(), [&](const Equilibrium& e) { return (e.x - x).norm() <= merge * diag; });
    if (same != eqs.end()) {
      ++same->hits;
      return;
    }
    Equilibrium e;
    e.x = x;
    e.hits = 1;
    eqs.push_back(e);
  }
};

void tally(MinimizeTally& t, const Minimum& m) {
  ++t.runs;
  switch (m.status) {
    case MinimizeStatus::kConverged: ++t.converged; break;
    case MinimizeStatus::kRounding: ++t.rounding; break;
    case MinimizeStatus::kStalled:
      ++t.stalled;
      t.worst_gradient = std::max(t.worst_gradient, m.gradient_norm);
      t.last_reason = m.reason;
      break;
    default: ++t.failed, t.last_reason = m.reason;
  }
}

std::string describe(const MinimizeTally& t) {
  if (t.runs == 0) return "";
  std::string s = fmt::format("; minimisation from every start: {} converged, {} to rounding, {} stalled, {} failed",
                              t.converged, t.rounding, t.stalled, t.failed);
  if (t.stalled > 0) s += fmt::format(" (largest stalled |grad f| {:.3g})", t.worst_gradient);
  if (!t.last_reason.empty()) s += fmt::format(" (last: {})", t.last_reason);
  return s;
}

}  // namespace

Result find_equilibria(const model::System& sys, const Options& opt, Progress* progress) {
  const int d = sys.dim();
  opt.validate(d);
  Result r;
  Collector collect;
  collect.lo = Eigen::Map<const Vec>(opt.lower.data(), d);
  collect.hi = Eigen::Map<const Vec>(opt.upper.data(), d);
  collect.diag = (collect.hi - collect.lo).norm();
  collect.merge = opt.merge_distance;
  collect.result = &r;
  const bool minimise = opt.minimize && sys.is_gradient();
  MinimizeOptions mo;
  mo.tolerance = opt.tolerance;
  mo.max_iterations = opt.minimize_iterations;
  mo.lower = collect.lo;
  mo.upper = collect.hi;
  mo.names = sys.variable_names();
  const std::vector<Vec> starts = start_points(opt, d);
  r.starts = static_cast<int>(starts.size());
  Vec b(d);
  for (std::size_t i = 0; i < starts.size(); ++i) {
    if (progress && i % 16 == 0) progress->update(static_cast<std::uint64_t>(i));
    sys.drift(starts[i].data(), b.data());
    if (!b.allFinite() || (sys.is_gradient() && !std::isfinite(sys.loss(starts[i].data())))) {  // undefined here: no search can start
      if (r.undefined_starts++ == 0) r.first_undefined = starts[i];
      continue;
    }
    if (minimise) {
      const Minimum m = minimize(sys, starts[i], mo);
      tally(r.minimize, m);
      if (m.status == MinimizeStatus::kConverged || m.status == MinimizeStatus::kRounding) collect.add(m.x);
    }
    Vec x = starts[i];
    if ((opt.newton || !minimise) && newton(sys, x, opt)) collect.add(x);
  }
  if (progress) progress->finish();
  for (auto& e : r.equilibria) {
    if (sys.is_gradient() && d > opt.dense_max_dim) classify_by_lanczos(sys, e, opt);
    else classify(sys, e, opt.zero_tolerance);
  }
  std::sort(r.equilibria.begin(), r.equilibria.end(), [](const Equilibrium& a, const Equilibrium& b) {
    if (a.index != b.index) return a.index < b.index;
    for (Eigen::Index k = 0; k < a.x.size(); ++k)
      if (a.x[k] != b.x[k]) return a.x[k] < b.x[k];
    return false;
  });
  r.status = r.equilibria.empty() ? Status::kNoEquilibrium : Status::kSuccess;
  r.message = fmt::format("{} equilibria ({} stable, {} saddles, {} unstable, {} degenerate) from "
                          "{} starts, {} runs converged in the box{}",
                          r.equilibria.size(), r.count(Stability::kStable),
                          r.count(Stability::kSaddle), r.count(Stability::kUnstable),
                          r.count(Stability::kDegenerate), r.starts, r.converged, describe(r.minimize));
  if (r.undefined_starts > 0)
    r.message += fmt::format("; the model (drift or loss) is undefined (NaN or infinite) at {} of the starts, e.g. x = ({}), which were skipped",
                             r.undefined_starts, fmt::join(r.first_undefined, ", "));
  return r;
}

std::string Result::brief_report() const {
  std::ostringstream os;
  os << message << "\n";
  if (equilibria.empty()) return os.str();
  const bool loss = equilibria.front().has_loss;
  os << fmt::format("{:>3}  {:<28} {:<10} {:>5} {:>14}  {}\n", "#", "x", "type", "index",
                    loss ? "f(x)" : "|b(x)|", "eigenvalues of Db(x)");
  constexpr std::size_t kShown = 24;  // printed; every one is in the file
  for (std::size_t i = 0; i < std::min(equilibria.size(), kShown); ++i) {
    const auto& e = equilibria[i];
    std::string xs = "(";
    for (Eigen::Index k = 0; k < e.x.size(); ++k) xs += fmt::format("{}{:.6g}", k ? ", " : "", e.x[k]);
    xs += ")";
    std::string ev;
    for (Eigen::Index k = 0; k < e.eigenvalues.size(); ++k) {
      const auto z = e.eigenvalues[k];
      const bool gap = std::isnan(z.real());  // between the ends Lanczos resolved
      if (gap && k > 0 && std::isnan(e.eigenvalues[k - 1].real())) continue;
      ev += k ? "  " : "";
      if (gap) {
        ev += "...";
        continue;
      }
      ev += std::abs(z.imag()) > 0 ? fmt::format("{:.4g}{:+.4g}i", z.real(), z.imag())
                                   : fmt::format("{:.4g}", z.real());
    }
    os << fmt::format("{:>3}  {:<28} {:<10} {:>5} {:>14.8g}  {}\n", i, xs, to_string(e.stability),
                      e.index, loss ? e.loss : e.residual, ev);
  }
  if (equilibria.size() > kShown)
    os << fmt::format("... and {} more (all in /equilibria)\n", equilibria.size() - kShown);
  os << loss_levels();
  return os.str();
}

std::string Result::loss_levels() const {
  // Minima of a loss with symmetries come in copies at one level of f.
  std::vector<std::pair<double, int>> levels;
  for (const auto& e : equilibria) {
    if (!e.has_loss || e.stability != Stability::kStable) continue;
    auto same = std::find_if(levels.begin(), levels.end(), [&](const auto& l) {
      return std::abs(l.first - e.loss) <= 1e-9 * (1 + std::abs(e.loss));
    });
    if (same != levels.end()) ++same->second;
    else levels.emplace_back(e.loss, 1);
  }
  if (levels.empty()) return "";
  std::sort(levels.begin(), levels.end());
  std::string s = "stable minima by loss:";
  for (const auto& [f, n] : levels) s += fmt::format(" f = {:.10g} (x{})", f, n);
  return s + "\n";
}

}  // namespace fw::analyze
