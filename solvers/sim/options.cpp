#include "options.hpp"

#include <fmt/format.h>

#include <cmath>

#include "fwkit/core/error.hpp"
#include "state.hpp"

namespace fw::sim {

const char* to_string(Scheme s) {
  switch (s) {
    case Scheme::kSgd: return "sgd";
    case Scheme::kLangevin: return "langevin";
    case Scheme::kUla: return "ula";
  }
  return "?";
}

const char* to_string(Gradient g) {
  switch (g) {
    case Gradient::kExact: return "exact";
    case Gradient::kKieferWolfowitz: return "kiefer_wolfowitz";
    case Gradient::kSpsa: return "spsa";
    case Gradient::kSpsaSingle: return "spsa_single";
    case Gradient::kOnePoint: return "one_point";
  }
  return "?";
}

double StepSchedule::at(std::uint64_t n) const {
  if (gamma == 0) return eta;
  return eta / std::pow(1.0 + static_cast<double>(n) / n0, gamma);
}

double StepSchedule::clock(std::uint64_t n) const {
  if (gamma == 0) return static_cast<double>(n) * eta;
  double t = 0;
  for (std::uint64_t k = 0; k < n; ++k) t += at(k);
  return t;
}

bool Region::contains(const double* x) const {
  if (center.size() > 0) {
    double r2 = 0;
    for (Eigen::Index k = 0; k < center.size(); ++k) r2 += (x[k] - center[k]) * (x[k] - center[k]);
    return r2 <= radius * radius;
  }
  for (Eigen::Index k = 0; k < lower.size(); ++k)
    if (!(x[k] >= lower[k] && x[k] <= upper[k])) return false;
  return true;
}

namespace {
[[noreturn]] void bad(const std::string& field, const std::string& value, const std::string& rule) {
  throw config_error(fmt::format("simulate.{} = {}: {}", field, value, rule));
}
}  // namespace

void Options::validate(int dim) const {
  if (!(step.eta > 0) || !std::isfinite(step.eta)) bad("step", fmt::format("{}", step.eta), "must be > 0");
  if (!(step.gamma >= 0 && step.gamma <= 1)) bad("schedule.gamma", fmt::format("{}", step.gamma), "must be in [0, 1]");
  if (!(step.n0 > 0)) bad("schedule.n0", fmt::format("{}", step.n0), "must be > 0");
  if (members < 1) bad("members", std::to_string(members), "must be >= 1");
  if (steps < 1) bad("steps", std::to_string(steps), "must be >= 1");
  if (burn_in < 0 || burn_in >= steps)
    bad("burn_in", std::to_string(burn_in), fmt::format("must be in [0, steps) = [0, {})", steps));
  if (stride < 1) bad("stride", std::to_string(stride), "must be >= 1");
  if (stride > steps - burn_in)
    bad("stride", std::to_string(stride), fmt::format("must be <= steps - burn_in = {}", steps - burn_in));
  if (block < 1 || block > 4096) bad("block", std::to_string(block), "must be in [1, 4096]");
  if (threads < 0 || threads > 1024) bad("threads", std::to_string(threads), "must be in [0, 1024] (0: all cores)");
  if (!(bound > 0)) bad("bound", fmt::format("{}", bound), "must be > 0");
  if (batches < 1 || batches > recorded())
    bad("batches", std::to_string(batches), fmt::format("must be in [1, recorded steps = {}]", recorded()));
  if (segment < 0) bad("segment", std::to_string(segment), "must be >= 0");
  if (!(eps > 0)) bad("eps", fmt::format("{}", eps), "must be > 0");
  if (!(temperature > 0)) bad("temperature", fmt::format("{}", temperature), "must be > 0");
  if (!(delta > 0)) bad("delta", fmt::format("{}", delta), "must be > 0");
  if (!(timescale > 0 && timescale <= 1)) bad("timescale", fmt::format("{}", timescale), "must be in (0, 1]");
  for (int k : slow)
    if (k < 0 || k >= dim) bad("slow", std::to_string(k), "not a state coordinate");
  for (const auto& r : regions) {
    const auto n = r.center.size() > 0 ? r.center.size() : r.lower.size();
    if (n != dim) bad("regions." + r.name, std::to_string(n) + " coordinates", fmt::format("needs {}", dim));
    if (r.center.size() > 0 && !(r.radius > 0)) bad("regions." + r.name + ".radius", fmt::format("{}", r.radius), "must be > 0");
    if (r.center.size() == 0 && ((r.upper - r.lower).array() < 0).any())
      bad("regions." + r.name, "lower/upper", "lower must be <= upper");
  }
  if (histogram) {
    const std::string why = histogram->check(dim);
    if (!why.empty()) bad("histogram", "grid", why);
    if (histogram_groups < 1 || histogram_groups > members)
      bad("histogram.groups", std::to_string(histogram_groups), "must be in [1, members]");
    if (static_cast<double>(histogram_groups) * static_cast<double>(histogram->size()) > 5e8)
      bad("histogram.groups", std::to_string(histogram_groups), "groups x nodes must be <= 5e8");
  }
  if (trajectory_members < 0 || trajectory_members > members)
    bad("trajectory.members", std::to_string(trajectory_members), "must be in [0, members]");
  if (trajectory_stride < 1) bad("trajectory.stride", std::to_string(trajectory_stride), "must be >= 1");
  const double traj = static_cast<double>(trajectory_members) * (steps / trajectory_stride + 1) * dim;
  if (traj > 5e8) bad("trajectory", fmt::format("{:.3g} values", traj), "must be <= 5e8 (raise the stride)");
  const double units = static_cast<double>(members) * batches;
  if (units * (2.0 * dim + 1 + static_cast<double>(regions.size()) + 1) > 2e9) {
    const bool members_alone = static_cast<double>(members) * (2.0 * dim + 2 + static_cast<double>(regions.size())) > 2e9;
    bad(members_alone || batches == 1 ? "members" : "batches", std::to_string(members_alone || batches == 1 ? members : batches),
        fmt::format("members x batches = {:.3g} runs would need {:.3g} GB for their states alone (at most 2e9 values)",
                    units, units * (2.0 * dim + 2 + static_cast<double>(regions.size())) * 8e-9));
  }
}

std::int64_t Options::recorded() const { return (steps - burn_in) / stride; }

int Options::batch_of(std::int64_t n) const {
  const std::int64_t r = (n - burn_in) / stride - 1;
  return static_cast<int>(r * batches / recorded());
}

std::int64_t EnsembleState::trajectory_samples(const Options& o) {
  return o.trajectory_members > 0 ? o.steps / o.trajectory_stride + 1 : 0;
}

double EnsembleState::bytes(const Options& o, int d) {
  const double M = static_cast<double>(o.members), units = M * o.batches, regions = static_cast<double>(o.regions.size());
  double values = M * d + 2 * M + units * (regions + 1) + units * (1 + 2.0 * d) + 2 * M + M * d;  // as start() below
  if (o.histogram) values += static_cast<double>(o.histogram->size()) * o.histogram_groups;
  values += static_cast<double>(o.trajectory_members) * static_cast<double>(trajectory_samples(o)) * d;
  return 8 * values;
}

EnsembleState EnsembleState::start(const Options& o, const Vec& x0) {
  EnsembleState s;
  const int d = static_cast<int>(x0.size());
  s.dim = d;
  s.members = o.members;
  const auto M = static_cast<std::size_t>(o.members);
  s.x.resize(M * d);
  for (std::size_t m = 0; m < M; ++m)
    for (int k = 0; k < d; ++k) s.x[m * d + k] = x0[k];
  s.chain.assign(M, -1);
  s.blown.assign(M, -1);
  const std::size_t units = M * static_cast<std::size_t>(o.batches);
  s.occupation.assign(units * (o.regions.size() + 1), 0);
  s.moment_count.assign(units, 0);
  s.moment_mean.assign(units * d, 0.0);
  s.moment_m2.assign(units * d, 0.0);
  s.region.assign(M, -1);
  s.region_step.assign(M, -1);
  s.region_state.assign(M * d, 0.0);
  if (o.histogram) s.histogram.assign(o.histogram->size() * o.histogram_groups, 0);
  const std::int64_t samples = trajectory_samples(o);
  s.trajectory.assign(static_cast<std::size_t>(o.trajectory_members * samples * d),
                      std::numeric_limits<double>::quiet_NaN());
  for (std::int64_t m = 0; m < o.trajectory_members; ++m)
    for (int k = 0; k < d; ++k) s.trajectory[static_cast<std::size_t>(m * samples * d + k)] = x0[k];
  return s;
}

}  // namespace fw::sim
