// solvers/compare/episode_sample.cpp — the ratio estimator of the mean
// episode length, clustered by member (episode_sample.hpp).
#include "episode_sample.hpp"

#include <cmath>
#include <limits>
#include <map>
#include <set>

#include "fwkit/core/error.hpp"

namespace fw::compare {

EpisodeSample episode_sample(const TransitionColumns& t, std::int64_t from, std::int64_t to, bool drop_first) {
  const std::size_t n = t.member.size();
  if (t.from.size() != n || t.to.size() != n || t.start_step.size() != n || t.end_step.size() != n)
    throw Error(ExitCode::kData, "transitions: the columns member, from, to, start_step, end_step differ in length");
  EpisodeSample out;
  std::set<std::int64_t> seen;  // members whose first episode of the kind was met
  std::map<std::int64_t, std::pair<double, double>> per_member;  // member -> (sum of lengths, count)
  for (std::size_t i = 0; i < n; ++i) {
    if (t.from[i] != from || t.to[i] != to) continue;
    const bool first = seen.insert(t.member[i]).second;
    if ((drop_first && first) || t.start_step[i] < 0) {
      ++out.dropped;
      continue;
    }
    const double length = static_cast<double>(t.end_step[i] - t.start_step[i]);
    out.steps.push_back(length);
    auto& [sum, count] = per_member[t.member[i]];
    sum += length;
    count += 1;
  }
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  out.members = static_cast<std::int64_t>(per_member.size());
  const double N = static_cast<double>(out.steps.size());
  if (N == 0) {
    out.mean_steps = out.standard_error = kNaN;
    return out;
  }
  double total = 0;
  for (double s : out.steps) total += s;
  out.mean_steps = total / N;
  const double M = static_cast<double>(out.members);
  if (out.members < 2) {
    out.standard_error = kNaN;
    return out;
  }
  double ss = 0;
  for (const auto& [member, sc] : per_member) {
    const double r = sc.first - out.mean_steps * sc.second;
    ss += r * r;
  }
  out.standard_error = std::sqrt(M / (M - 1) * ss) / N;
  return out;
}

}  // namespace fw::compare
