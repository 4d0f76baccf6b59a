#include "tracking.hpp"

#include <fmt/format.h>

#include <cmath>
#include <sstream>

#include "fwkit/core/error.hpp"
#include "ode.hpp"

namespace fw::ode {

void TrackingOptions::validate() const {
  if (step_sizes.empty()) throw config_error("ode.tracking.step_sizes: needs at least one step size");
  for (double eta : step_sizes)
    if (!(eta > 0)) throw config_error(fmt::format("ode.tracking.step_sizes: entry {} must be > 0", eta));
  if (!(horizon > 0)) throw config_error(fmt::format("ode.tracking.horizon = {}: must be > 0", horizon));
  if (members < 2) throw config_error(fmt::format("ode.tracking.members = {}: must be >= 2", members));
}

namespace {

/// The ODE limit at the times n eta, n = 0..steps.
Mat limit_path(const model::System& s, const Vec& x0, double eta, long steps) {
  Options o;
  o.method = Method::kDopri5;
  o.rtol = 1e-11;
  o.atol = 1e-13;
  for (long n = 0; n <= steps; ++n) o.output_times.push_back(n * eta);
  const Result r = integrate(from_system(s), 0, steps * eta, x0, o);
  if (!r.ok()) throw Error(ExitCode::kData, "ode.tracking: the ODE limit failed: " + r.message);
  return r.x;
}

/// sup_n |x_n - phi_n| along one sample path of member `member`.
double path_distance(const model::Model& m, const Vec& x0, double eta, const Mat& phi,
                     std::uint64_t seed, int member) {
  const int d = m.dim();
  rng::Stream stream(seed, static_cast<std::uint64_t>(member));
  Vec x = x0, b(d), z(d);
  int chain = -1;
  double sup = 0;
  for (Eigen::Index n = 1; n < phi.cols(); ++n) {
    stream.seek(static_cast<std::uint64_t>(n));
    m.system->drift(x.data(), b.data());
    m.noise->sample(x.data(), stream, z.data(), &chain);
    x += eta * (b + z);
    if (!x.allFinite()) return std::numeric_limits<double>::infinity();
    sup = std::max(sup, (x - phi.col(n)).norm());
  }
  return sup;
}

}  // namespace

TrackingResult track_limit(const model::Model& m, const Vec& x0, const TrackingOptions& o) {
  o.validate();
  TrackingResult r;
  for (double eta : o.step_sizes) {
    const long steps = std::max(1L, std::lround(o.horizon / eta));
    const Mat phi = limit_path(*m.system, x0, eta, steps);
    double sum = 0, sum2 = 0;
    for (int k = 0; k < o.members; ++k) {
      const double dist = path_distance(m, x0, eta, phi, o.seed, k);
      sum += dist;
      sum2 += dist * dist;
    }
    const double mean = sum / o.members;
    const double var = std::max(0.0, (sum2 - o.members * mean * mean) / (o.members - 1));
    r.points.push_back({eta, mean, std::sqrt(var / o.members), steps});
  }
  if (r.points.size() >= 2) {
    double sx = 0, sy = 0, sxx = 0, sxy = 0;
    const double n = static_cast<double>(r.points.size());
    for (const auto& p : r.points) {
      const double lx = std::log(p.eta), ly = std::log(p.mean_distance);
      sx += lx, sy += ly, sxx += lx * lx, sxy += lx * ly;
    }
    r.slope = (n * sxy - sx * sy) / (n * sxx - sx * sx);
  }
  return r;
}

std::string TrackingResult::brief_report() const {
  std::ostringstream os;
  os << fmt::format("tracking: sup distance of SA paths to the ODE limit{}\n",
                    points.size() >= 2 ? fmt::format(", fitted slope in eta {:.3f} (diffusive: 0.5)", slope) : "");
  os << fmt::format("  {:>10} {:>16} {:>14} {:>8}\n", "eta", "mean distance", "std. error", "steps");
  for (const auto& p : points)
    os << fmt::format("  {:>10.4g} {:>16.6g} {:>14.3g} {:>8}\n", p.eta, p.mean_distance, p.standard_error, p.steps);
  return os.str();
}

}  // namespace fw::ode
