// Memorization episodes and the ensemble summary of a training run.
#include <fmt/format.h>

#include <cmath>
#include <limits>

#include "trainer.hpp"

namespace fw::train {
namespace {

/// Mean and standard error of per-member values (NaN entries skipped).
Estimate over_members(const std::vector<double>& values) {
  double sum = 0, sum2 = 0;
  int n = 0;
  for (double v : values)
    if (std::isfinite(v)) {
      sum += v;
      sum2 += v * v;
      ++n;
    }
  Estimate e;
  if (n == 0) return e;
  e.value = sum / n;
  e.standard_error = n > 1 ? std::sqrt(std::max(0.0, (sum2 - n * e.value * e.value) / (n - 1)) / n) : std::numeric_limits<double>::quiet_NaN();
  return e;
}

}  // namespace

Episodes find_episodes(const std::vector<MemberRecord>& members, std::int64_t monitors, int samples,
                       std::int64_t stride) {
  Episodes ep;
  for (std::size_t m = 0; m < members.size(); ++m) {
    const MemberRecord& r = members[m];
    // Monitors actually taken: a diverged member stops early.
    std::int64_t taken = monitors;
    if (r.diverged_at >= 0) taken = std::min<std::int64_t>(monitors, r.diverged_at / stride + 1);
    for (int j = 0; j < samples; ++j) {
      auto label = [&](std::int64_t t) { return r.label[static_cast<std::size_t>(t * samples + j)]; };
      std::int64_t start = 0;
      for (std::int64_t t = 1; t <= taken; ++t) {
        if (t < taken && label(t) == label(start)) continue;
        if (label(start) >= 0) {
          if (t == taken) {
            ++ep.censored;
          } else {
            ep.member.push_back(static_cast<std::int64_t>(m));
            ep.sample.push_back(j);
            ep.point.push_back(label(start));
            ep.start_step.push_back(start * stride);
            ep.length_steps.push_back((t - start) * stride);
          }
        }
        start = t;
      }
    }
  }
  return ep;
}

Summary summarize(const Options& o, const std::vector<MemberRecord>& members, const Episodes& episodes) {
  Summary s;
  s.members = static_cast<std::int64_t>(members.size());
  s.eta = o.step.eta;
  const std::int64_t monitors = o.monitors();
  const std::int64_t first = monitors - std::max<std::int64_t>(1, static_cast<std::int64_t>(std::ceil(o.window * monitors)));
  auto window_mean = [&](const std::vector<double>& series) {
    double sum = 0;
    for (std::int64_t t = first; t < monitors; ++t) sum += series[static_cast<std::size_t>(t)];
    return sum / static_cast<double>(monitors - first);  // NaN if the member diverged in the window
  };
  std::vector<double> loss, excess, mem, near, sharp, episode_mean;
  for (const auto& r : members) {
    if (r.diverged_at >= 0) ++s.diverged;
    const bool ok = r.diverged_at < 0;
    loss.push_back(ok ? window_mean(r.loss) : NAN);
    excess.push_back(ok ? window_mean(r.excess_risk) : NAN);
    mem.push_back(ok ? window_mean(r.memorization) : NAN);
    near.push_back(ok ? window_mean(r.nearest_distance) : NAN);
    sharp.push_back(ok && o.sharpness ? window_mean(r.sharpness) : NAN);
  }
  s.loss = over_members(loss);
  s.excess_risk = over_members(excess);
  s.memorization = over_members(mem);
  s.nearest_distance = over_members(near);
  s.sharpness = over_members(sharp);
  // Episode lengths: the pooled mean; its standard error from the spread of
  // the per-member means (samples of one member share its model).
  std::vector<double> sum(members.size(), 0.0), count(members.size(), 0.0);
  double total = 0;
  for (std::size_t e = 0; e < episodes.length_steps.size(); ++e) {
    sum[static_cast<std::size_t>(episodes.member[e])] += static_cast<double>(episodes.length_steps[e]);
    count[static_cast<std::size_t>(episodes.member[e])] += 1;
    total += static_cast<double>(episodes.length_steps[e]);
  }
  for (std::size_t m = 0; m < members.size(); ++m) episode_mean.push_back(count[m] > 0 ? sum[m] / count[m] : NAN);
  s.episodes = static_cast<std::int64_t>(episodes.length_steps.size());
  s.censored = episodes.censored;
  if (s.episodes > 0) {
    s.episode_steps = over_members(episode_mean);
    s.episode_steps.value = total / static_cast<double>(s.episodes);
  }
  return s;
}

std::string Summary::brief_report() const {
  auto est = [](const Estimate& e) { return fmt::format("{:.4g} +- {:.2g}", e.value, e.standard_error); };
  std::string out = fmt::format("train: {} members ({} diverged), eta = {:g}, 2/eta = {:g}\n", members, diverged, eta, 2 / eta);
  out += fmt::format("  memorization fraction {}\n  excess risk {}\n  loss {}\n  nearest distance {}\n", est(memorization),
                     est(excess_risk), est(loss), est(nearest_distance));
  if (std::isfinite(sharpness.value)) out += fmt::format("  sharpness {} (2/eta = {:g})\n", est(sharpness), 2 / eta);
  out += fmt::format("  episodes: {} completed, mean {} steps, {} censored\n", episodes, est(episode_steps), censored);
  return out;
}

}  // namespace fw::train
