#include "equilibria.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include <fmt/format.h>

#include "fwkit/core/error.hpp"

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

void Options::validate(int dim) const {
  auto bad = [](const std::string& field, const std::string& value, const std::string& rule) {
    throw config_error("analyze." + field + " = " + value + ": " + rule);
  };
  if (static_cast<int>(lower.size()) != dim)
    bad("lower", std::to_string(lower.size()) + " entries", "needs one entry per dimension (" + std::to_string(dim) + ")");
  if (static_cast<int>(upper.size()) != dim)
    bad("upper", std::to_string(upper.size()) + " entries", "needs one entry per dimension (" + std::to_string(dim) + ")");
  for (int k = 0; k < dim; ++k)
    if (!(lower[k] < upper[k]))
      bad("upper", fmt::format("{} in dimension {}", upper[k], k),
          fmt::format("must exceed analyze.lower ({})", lower[k]));
  if (starts < 0) bad("starts", std::to_string(starts), "must be >= 0 (0: automatic)");
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

Result find_equilibria(const model::System& sys, const Options& opt, Progress* progress) {
  const int d = sys.dim();
  opt.validate(d);
  const Vec lo = Eigen::Map<const Vec>(opt.lower.data(), d);
  const Vec hi = Eigen::Map<const Vec>(opt.upper.data(), d);
  const double diag = (hi - lo).norm();
  const double slack = 1e-9 * diag;
  Result r;
  r.starts = opt.starts > 0 ? opt.starts : 256 * d;
  for (int i = 0; i < r.starts; ++i) {
    Vec x = lo + halton(i, d).cwiseProduct(hi - lo);
    if (progress && i % 64 == 0) progress->update(static_cast<std::uint64_t>(i));
    if (!newton(sys, x, opt)) continue;
    if (((x - lo).array() < -slack).any() || ((hi - x).array() < -slack).any()) continue;
    ++r.converged;
    auto same = std::find_if(r.equilibria.begin(), r.equilibria.end(), [&](const Equilibrium& e) {
      return (e.x - x).norm() <= opt.merge_distance * diag;
    });
    if (same != r.equilibria.end()) {
      ++same->hits;
      continue;
    }
    Equilibrium e;
    e.x = x;
    e.hits = 1;
    r.equilibria.push_back(e);
  }
  if (progress) progress->finish();
  for (auto& e : r.equilibria) classify(sys, e, opt.zero_tolerance);
  std::sort(r.equilibria.begin(), r.equilibria.end(), [](const Equilibrium& a, const Equilibrium& b) {
    if (a.index != b.index) return a.index < b.index;
    for (Eigen::Index k = 0; k < a.x.size(); ++k)
      if (a.x[k] != b.x[k]) return a.x[k] < b.x[k];
    return false;
  });
  r.status = r.equilibria.empty() ? Status::kNoEquilibrium : Status::kSuccess;
  r.message = fmt::format("{} equilibria ({} stable, {} saddles, {} unstable, {} degenerate) from "
                          "{} starts, {} converged in the box",
                          r.equilibria.size(), r.count(Stability::kStable),
                          r.count(Stability::kSaddle), r.count(Stability::kUnstable),
                          r.count(Stability::kDegenerate), r.starts, r.converged);
  return r;
}

std::string Result::brief_report() const {
  std::ostringstream os;
  os << message << "\n";
  if (equilibria.empty()) return os.str();
  const bool loss = equilibria.front().has_loss;
  os << fmt::format("{:>3}  {:<28} {:<10} {:>5} {:>14}  {}\n", "#", "x", "type", "index",
                    loss ? "f(x)" : "|b(x)|", "eigenvalues of Db(x)");
  for (std::size_t i = 0; i < equilibria.size(); ++i) {
    const auto& e = equilibria[i];
    std::string xs = "(";
    for (Eigen::Index k = 0; k < e.x.size(); ++k) xs += fmt::format("{}{:.6g}", k ? ", " : "", e.x[k]);
    xs += ")";
    std::string ev;
    for (Eigen::Index k = 0; k < e.eigenvalues.size(); ++k) {
      const auto z = e.eigenvalues[k];
      ev += k ? "  " : "";
      ev += std::abs(z.imag()) > 0 ? fmt::format("{:.4g}{:+.4g}i", z.real(), z.imag())
                                   : fmt::format("{:.4g}", z.real());
    }
    os << fmt::format("{:>3}  {:<28} {:<10} {:>5} {:>14.8g}  {}\n", i, xs, to_string(e.stability),
                      e.index, loss ? e.loss : e.residual, ev);
  }
  return os.str();
}

}  // namespace fw::analyze
