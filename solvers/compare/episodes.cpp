// solvers/compare/episodes.cpp — the deterministic and adiabatic-hazard
// predictions of episode lengths (episodes.hpp).
#include "episodes.hpp"

#include <fmt/format.h>

#include <array>
#include <cmath>

#include "fwkit/core/error.hpp"
#include "option_checks.hpp"

namespace fw::compare {

void EpisodeOptions::validate() const {
  require_positive("compare.episodes.dt", dt);
  require_positive("compare.episodes.x_span", x_span);
  if (nodes < 16) throw config_error(fmt::format("compare.episodes.nodes = {}: must be >= 16", nodes));
  if (cycles < 1) throw config_error(fmt::format("compare.episodes.cycles = {}: must be >= 1", cycles));
  require_positive("compare.episodes.max_time", max_time);
}

void validate(const EpisodeProblem& p) {
  if (p.system == nullptr) throw config_error("compare.episodes: no system given");
  if (p.system->dim() != 2)
    throw config_error(fmt::format("compare.episodes: needs a planar system (dimension 2, got {})", p.system->dim()));
  if (p.fast == p.slow || p.fast < 0 || p.fast > 1 || p.slow < 0 || p.slow > 1)
    throw config_error("compare.episodes: fast and slow must name the two different variables");
  require_positive("simulate.timescale", p.timescale);
  require_positive("simulate.step", p.step);
  if (!(p.noise_variance >= 0))
    throw config_error(fmt::format("noise variance of the fast variable = {}: must be >= 0", p.noise_variance));
  if (!(p.lower < p.upper))
    throw config_error(fmt::format("episode thresholds: lower = {} must be below upper = {}", p.lower, p.upper));
}

namespace {

/// The drift in (fast, slow) coordinates, clock time: (f, eps g).
class Planar {
 public:
  explicit Planar(const EpisodeProblem& p) : p_(p) {}
  double fast_drift(double x, double y) const {
    std::array<double, 2> z{}, b{};
    z[p_.fast] = x;
    z[p_.slow] = y;
    p_.system->drift(z.data(), b.data());
    return b[p_.fast];
  }
  std::array<double, 2> rate(double x, double y) const {
    std::array<double, 2> z{}, b{};
    z[p_.fast] = x;
    z[p_.slow] = y;
    p_.system->drift(z.data(), b.data());
    return {b[p_.fast], p_.timescale * b[p_.slow]};
  }
  std::array<double, 2> rk4(double x, double y, double dt) const {
    const auto k1 = rate(x, y);
    const auto k2 = rate(x + 0.5 * dt * k1[0], y + 0.5 * dt * k1[1]);
    const auto k3 = rate(x + 0.5 * dt * k2[0], y + 0.5 * dt * k2[1]);
    const auto k4 = rate(x + dt * k3[0], y + dt * k3[1]);
    return {x + dt / 6 * (k1[0] + 2 * k2[0] + 2 * k3[0] + k4[0]),
            y + dt / 6 * (k1[1] + 2 * k2[1] + 2 * k3[1] + k4[1])};
  }

 private:
  const EpisodeProblem& p_;
};

/// One branch from (start, y0) until x reaches `target`; with `hazard`, the
/// adiabatic escape rate 1 / M ends it earlier.
BranchEpisode run_branch(const EpisodeProblem& p, const EpisodeOptions& o, double start,
                         double target, double y0, bool hazard) {
  const Planar planar(p);
  const double diffusion = p.step * p.noise_variance;  // clock-time noise of x
  const double s = target < start ? -1.0 : 1.0;
  auto rate_at = [&](double x, double y) {
    if (!hazard) return 0.0;
    const auto f = [&](double z) { return planar.fast_drift(z, y); };
    const double m = mean_first_passage(f, x, target, diffusion, o.x_span, o.nodes);
    return m > 0 ? 1.0 / m : std::numeric_limits<double>::infinity();
  };
  BranchEpisode e;
  e.y_start = y0;
  double x = start, y = y0, t = 0;
  double survival = 1, k0 = rate_at(x, y);
  double time_sum = 0, y_sum = 0;
  constexpr double kNegligible = 1e-14;
  while (true) {
    if (t > o.max_time)
      throw data_error(fmt::format("episode prediction: the path from y = {} has not reached x = {} by time {}",
                                   y0, target, o.max_time));
    const auto next = planar.rk4(x, y, o.dt);
    if (s * (next[0] - target) >= 0) {  // deterministic arrival inside this step
      const double frac = (target - x) / (next[0] - x);
      const double y_end = y + frac * (next[1] - y);
      e.deterministic_time = t + frac * o.dt;
      time_sum += survival * frac * o.dt;
      y_sum += survival * y_end;
      break;
    }
    const double k1 = rate_at(next[0], next[1]);
    const double next_survival = survival * std::exp(-0.5 * o.dt * (k0 + k1));
    time_sum += 0.5 * o.dt * (survival + next_survival);
    y_sum += (survival - next_survival) * 0.5 * (y + next[1]);
    survival = next_survival;
    x = next[0];
    y = next[1];
    k0 = k1;
    t += o.dt;
    if (hazard && survival < kNegligible) {
      e.deterministic_time = std::numeric_limits<double>::quiet_NaN();  // not reached
      break;
    }
  }
  e.mean_time = time_sum;
  e.mean_y_end = y_sum / (1 - (survival < kNegligible ? survival : 0));
  return e;
}

EpisodePrediction cycle(const EpisodeProblem& p, double y_start, const EpisodeOptions& o, bool hazard) {
  validate(p);
  o.validate();
  if (hazard && !(p.noise_variance > 0))
    throw config_error("compare.episodes: the hazard prediction needs noise on the fast variable (variance > 0)");
  EpisodePrediction r;
  double y = y_start;
  constexpr double kTolerance = 1e-7;
  for (int i = 0; i < o.cycles; ++i) {
    r.upper = run_branch(p, o, p.upper, p.lower, y, hazard);
    r.lower = run_branch(p, o, p.lower, p.upper, r.upper.mean_y_end, hazard);
    const double change = std::abs(r.lower.mean_y_end - y);
    y = r.lower.mean_y_end;
    if (change < kTolerance * (1 + std::abs(y))) {
      r.converged = true;
      break;
    }
  }
  r.mean_time = 0.5 * (r.upper.mean_time + r.lower.mean_time);
  r.mean_steps = r.mean_time / p.step;
  r.message = r.converged ? "episode cycle converged"
                          : fmt::format("episode cycle not converged after {} cycles", o.cycles);
  return r;
}

}  // namespace

EpisodePrediction deterministic_episodes(const EpisodeProblem& problem, double y_start,
                                         const EpisodeOptions& options) {
  return cycle(problem, y_start, options, false);
}

EpisodePrediction hazard_episodes(const EpisodeProblem& problem, double y_start,
                                  const EpisodeOptions& options) {
  return cycle(problem, y_start, options, true);
}

}  // namespace fw::compare
