// Combining the per-(member, batch) reductions of an ensemble run.
#include <fmt/format.h>

#include <cmath>
#include <limits>

#include "ensemble.hpp"

namespace fw::sim {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

/// Mean of `values` and the standard error of that mean (sd / sqrt(n)).
Estimate mean_and_error(const std::vector<double>& values) {
  const auto n = static_cast<double>(values.size());
  if (values.empty()) return {kNaN, kNaN};
  double mean = 0;
  for (double v : values) mean += v;
  mean /= n;
  if (values.size() < 2) return {mean, kNaN};
  double ss = 0;
  for (double v : values) ss += (v - mean) * (v - mean);
  return {mean, std::sqrt(ss / (n - 1) / n)};
}

}  // namespace

Summary summarize(const Options& o, const EnsembleState& s) {
  Summary out;
  const int d = s.dim;
  const std::size_t R = o.regions.size(), units = s.moment_count.size();
  out.members = s.members;
  for (std::int64_t b : s.blown) out.blown += b >= 0;
  for (const auto& r : o.regions) out.region_names.push_back(r.name);
  out.region_names.push_back("none");

  std::vector<std::size_t> live;  // units with samples
  for (std::size_t u = 0; u < units; ++u)
    if (s.moment_count[u] > 0) {
      live.push_back(u);
      out.samples += s.moment_count[u];
    }
  const double N = static_cast<double>(out.samples);
  // Occupation: pooled fraction, batch-means error from the unit fractions.
  for (std::size_t r = 0; r <= R; ++r) {
    double total = 0;
    std::vector<double> per_unit;
    for (std::size_t u : live) {
      total += static_cast<double>(s.occupation[u * (R + 1) + r]);
      per_unit.push_back(static_cast<double>(s.occupation[u * (R + 1) + r]) / static_cast<double>(s.moment_count[u]));
    }
    out.occupation.push_back({N > 0 ? total / N : kNaN, mean_and_error(per_unit).standard_error});
  }
  // Moments: pooled (Chan) mean and variance; errors from the unit spread.
  for (int k = 0; k < d; ++k) {
    double mu = 0;
    for (std::size_t u : live) mu += static_cast<double>(s.moment_count[u]) * s.moment_mean[u * d + k];
    mu = N > 0 ? mu / N : kNaN;
    double m2 = 0;
    std::vector<double> unit_mean, unit_var;
    for (std::size_t u : live) {
      const double n = static_cast<double>(s.moment_count[u]), dm = s.moment_mean[u * d + k] - mu;
      m2 += s.moment_m2[u * d + k] + n * dm * dm;
      unit_mean.push_back(s.moment_mean[u * d + k]);
      unit_var.push_back(s.moment_m2[u * d + k] / n + dm * dm);
    }
    out.mean.push_back({mu, mean_and_error(unit_mean).standard_error});
    out.variance.push_back({N > 1 ? m2 / N : kNaN, mean_and_error(unit_var).standard_error});
  }
  // Transitions: counts and dwell times (entries censored by the start of
  // recording, start_step < 0, count as transitions but not as dwell times).
  out.transition_count.assign(R * R, 0);
  std::vector<std::vector<double>> dwell(R * R), exits(R);
  for (const auto& t : s.transitions) {
    ++out.transition_count[t.from * R + t.to];
    if (t.start_step < 0) continue;
    const double steps = static_cast<double>(t.end_step - t.start_step);
    dwell[t.from * R + t.to].push_back(steps);
    exits[t.from].push_back(steps);
  }
  for (const auto& v : dwell) out.mean_dwell_steps.push_back(mean_and_error(v));
  for (const auto& v : exits) out.mean_exit_steps.push_back(mean_and_error(v));
  return out;
}

std::string Summary::brief_report(const std::vector<std::string>& names) const {
  std::string s = fmt::format("members {}, flagged (blown up) {}, recorded samples {}\n", members, blown, samples);
  for (std::size_t k = 0; k < mean.size(); ++k)
    s += fmt::format("  {}: mean {:.6g} +- {:.2g}, variance {:.6g} +- {:.2g}\n",
                     k < names.size() ? names[k] : fmt::format("x{}", k), mean[k].value, mean[k].standard_error,
                     variance[k].value, variance[k].standard_error);
  if (region_names.size() > 1) {
    for (std::size_t r = 0; r < region_names.size(); ++r)
      s += fmt::format("  occupation {:<12} {:.6f} +- {:.2g}\n", region_names[r], occupation[r].value,
                       occupation[r].standard_error);
    const std::size_t R = region_names.size() - 1;
    for (std::size_t i = 0; i < R; ++i)
      if (!mean_exit_steps.empty() && std::isfinite(mean_exit_steps[i].value))
        s += fmt::format("  mean exit time from {:<12} {:.6g} +- {:.2g} steps ({} exits)\n", region_names[i],
                         mean_exit_steps[i].value, mean_exit_steps[i].standard_error,
                         [&] {
                           std::int64_t c = 0;
                           for (std::size_t j = 0; j < R; ++j) c += transition_count[i * R + j];
                           return c;
                         }());
  }
  return s;
}

}  // namespace fw::sim
