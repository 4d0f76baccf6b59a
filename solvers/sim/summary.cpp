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

/// The error units: (member, time batch) reductions, or whole members.
struct Units {
  std::vector<std::int64_t> count, occupation;  // occupation[u * (R + 1) + r]
  std::vector<double> mean, m2;                 // mean[u * d + k], m2 likewise
};

/// Each member's batches merged into one unit (counts added, moments by
/// Chan's pairwise update).
Units per_member(const EnsembleState& s, std::size_t R, int batches) {
  const int d = s.dim;
  const std::size_t members = s.moment_count.size() / static_cast<std::size_t>(batches);
  Units u;
  u.count.assign(members, 0);
  u.occupation.assign(members * (R + 1), 0);
  u.mean.assign(members * d, 0.0);
  u.m2.assign(members * d, 0.0);
  for (std::size_t m = 0; m < members; ++m)
    for (int b = 0; b < batches; ++b) {
      const std::size_t from = m * static_cast<std::size_t>(batches) + static_cast<std::size_t>(b);
      const auto nb = static_cast<double>(s.moment_count[from]);
      if (nb == 0) continue;
      for (std::size_t r = 0; r <= R; ++r) u.occupation[m * (R + 1) + r] += s.occupation[from * (R + 1) + r];
      const auto na = static_cast<double>(u.count[m]);
      for (int k = 0; k < d; ++k) {
        double& mean = u.mean[m * d + k];
        const double delta = s.moment_mean[from * d + k] - mean;
        mean += delta * nb / (na + nb);
        u.m2[m * d + k] += s.moment_m2[from * d + k] + delta * delta * na * nb / (na + nb);
      }
      u.count[m] += s.moment_count[from];
    }
  return u;
}

}  // namespace

Summary summarize(const Options& o, const EnsembleState& s) {
  Summary out;
  const int d = s.dim;
  const std::size_t R = o.regions.size();
  out.members = s.members;
  for (std::int64_t b : s.blown) out.blown += b >= 0;
  for (const auto& r : o.regions) out.region_names.push_back(r.name);
  out.region_names.push_back("none");
  // Without burn-in every member starts in the same transient, so its time
  // batches are correlated: errors then come from whole members (independent
  // streams), or, with one member, from batches with a warning.
  const bool transient = o.burn_in == 0 && o.batches > 1;
  const bool whole_members = transient && s.moment_count.size() / static_cast<std::size_t>(o.batches) > 1;
  const Units u = whole_members ? per_member(s, R, o.batches)
                                : Units{s.moment_count, s.occupation, s.moment_mean, s.moment_m2};
  out.error_units = whole_members ? "members (no burn-in: time batches of a transient are correlated)"
                    : transient   ? "time batches of one member without burn-in: the errors may be too small"
                                  : "batch means over (member, time batch)";
  const std::size_t units = u.count.size();
  std::vector<std::size_t> live;  // units with samples
  for (std::size_t k = 0; k < units; ++k)
    if (u.count[k] > 0) {
      live.push_back(k);
      out.samples += u.count[k];
    }
  const double N = static_cast<double>(out.samples);
  // Occupation: pooled fraction, error from the unit fractions; their
  // covariance too (fractions summing to one are correlated).
  std::vector<std::vector<double>> per_unit(R + 1);
  for (std::size_t r = 0; r <= R; ++r) {
    double total = 0;
    for (std::size_t k : live) {
      total += static_cast<double>(u.occupation[k * (R + 1) + r]);
      per_unit[r].push_back(static_cast<double>(u.occupation[k * (R + 1) + r]) / static_cast<double>(u.count[k]));
    }
    out.occupation.push_back({N > 0 ? total / N : kNaN, mean_and_error(per_unit[r]).standard_error});
  }
  out.occupation_covariance.assign((R + 1) * (R + 1), kNaN);
  const auto n_live = static_cast<double>(live.size());
  if (live.size() > 1)
    for (std::size_t a = 0; a <= R; ++a)
      for (std::size_t b = 0; b <= R; ++b) {
        double ma = 0, mb = 0, c = 0;
        for (std::size_t k = 0; k < live.size(); ++k) ma += per_unit[a][k], mb += per_unit[b][k];
        ma /= n_live, mb /= n_live;
        for (std::size_t k = 0; k < live.size(); ++k) c += (per_unit[a][k] - ma) * (per_unit[b][k] - mb);
        out.occupation_covariance[a * (R + 1) + b] = c / (n_live - 1) / n_live;
      }
  // Moments: pooled (Chan) mean and variance; errors from the unit spread.
  for (int k = 0; k < d; ++k) {
    double mu = 0;
    for (std::size_t w : live) mu += static_cast<double>(u.count[w]) * u.mean[w * d + k];
    mu = N > 0 ? mu / N : kNaN;
    double m2 = 0;
    std::vector<double> unit_mean, unit_var;
    for (std::size_t w : live) {
      const double n = static_cast<double>(u.count[w]), dm = u.mean[w * d + k] - mu;
      m2 += u.m2[w * d + k] + n * dm * dm;
      unit_mean.push_back(u.mean[w * d + k]);
      unit_var.push_back(u.m2[w * d + k] / n + dm * dm);
    }
    out.mean.push_back({mu, mean_and_error(unit_mean).standard_error});
    out.variance.push_back({N > 1 ? m2 / N : kNaN, mean_and_error(unit_var).standard_error});
  }
  // Transitions: counts and dwell times. A member's first exit left a region
  // it was in when recording began (start_step < 0): without burn-in that
  // is the first passage from x0 (from step 0), reported apart from the
  // exits after an entry; with burn-in its entry time is unknown (left-
  // censored) and it is only counted. Members inside a region at the end
  // are right-censored sojourns, counted too.
  out.transition_count.assign(R * R, 0);
  out.exit_count.assign(R, 0);
  out.first_passage_count.assign(R, 0);
  out.left_censored_count.assign(R, 0);
  out.right_censored_count.assign(R, 0);
  std::vector<std::vector<double>> dwell(R * R), exits(R), first(R);
  for (const auto& t : s.transitions) {
    ++out.transition_count[t.from * R + t.to];
    const auto from = static_cast<std::size_t>(t.from);
    if (t.start_step < 0) {
      if (o.burn_in == 0) first[from].push_back(static_cast<double>(t.end_step)), ++out.first_passage_count[from];
      else ++out.left_censored_count[from];
      continue;
    }
    const double steps = static_cast<double>(t.end_step - t.start_step);
    dwell[t.from * R + t.to].push_back(steps);
    exits[from].push_back(steps);
    ++out.exit_count[from];
  }
  for (std::int64_t region : s.region)
    if (region >= 0 && static_cast<std::size_t>(region) < R) ++out.right_censored_count[static_cast<std::size_t>(region)];
  for (const auto& v : dwell) out.mean_dwell_steps.push_back(mean_and_error(v));
  for (const auto& v : exits) out.mean_exit_steps.push_back(mean_and_error(v));
  for (const auto& v : first) out.mean_first_passage_steps.push_back(mean_and_error(v));
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
    for (std::size_t i = 0; i < R && !exit_count.empty(); ++i) {
      const std::int64_t passages = exit_count[i] + first_passage_count[i] + left_censored_count[i];
      if (std::isfinite(mean_exit_steps[i].value))
        s += fmt::format("  mean exit time from {:<12} {:.6g} +- {:.2g} steps, mean over {} of {} exits", region_names[i],
                         mean_exit_steps[i].value, mean_exit_steps[i].standard_error, exit_count[i], passages);
      else
        s += fmt::format("  no completed exit from {} after an entry ({} exits in all)", region_names[i], passages);
      if (left_censored_count[i] > 0) s += fmt::format("; {} left since before recording began (entry unknown)", left_censored_count[i]);
      s += fmt::format("; {} members inside at the end (sojourns cut off)\n", right_censored_count[i]);
      if (first_passage_count[i] > 0)
        s += fmt::format("  first passage out of {:<12} {:.6g} +- {:.2g} steps from the start, {} members\n", region_names[i],
                         mean_first_passage_steps[i].value, mean_first_passage_steps[i].standard_error,
                         first_passage_count[i]);
    }
  }
  return s;
}

}  // namespace fw::sim
