#include "ensemble.hpp"

#include <fmt/format.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <optional>

#include "estimators.hpp"
#include "fwkit/core/parallel_errors.hpp"
#include "fwkit/rng/block.hpp"
#include "share.hpp"
#include "fwkit/core/error.hpp"
#include "fwkit/core/vector_clones.hpp"

namespace fw::sim {
namespace {

/// What every block needs to know about the scheme, fixed for the run.
struct Plan {
  const model::System* system = nullptr;
  const model::NoiseModel* noise = nullptr;  // null when the fast Gaussian path is used
  Mat factor;                      // d x r: Z = factor xi (fast Gaussian path)
  int d = 0, r = 0;
  std::vector<double> step_factor;  // per coordinate: 1, or timescale if slow
  bool needs_chain = false;
  /// The noise model draws the whole stochastic drift b + Z (minibatch SGD:
  /// the batch-mean gradient), so the full drift b is never evaluated.
  bool drift_from_noise = false;
  /// Noise drawn a block at a time (sample_block); false for the zeroth-order
  /// estimators, which continue each member's stream after its noise draw.
  bool block_noise = false;
};

Plan make_plan(const model::Model& model, const Options& o, const Vec& x_probe) {
  Plan p;
  p.system = model.system.get();
  p.d = model.dim();
  const model::NoiseModel& noise = *model.noise;
  if (o.scheme == Scheme::kLangevin && !noise.is_gaussian())
    throw config_error("simulate.scheme = \"langevin\": needs Gaussian noise (model.noise.kind = " + noise.kind() + ")");
  const bool needs_loss = o.scheme == Scheme::kUla || o.gradient != Gradient::kExact;
  if (needs_loss && !p.system->is_gradient())
    throw config_error(fmt::format("simulate: scheme \"{}\" with gradient \"{}\" needs a gradient system (a loss)",
                                   to_string(o.scheme), to_string(o.gradient)));
  if (o.scheme == Scheme::kUla) {
    p.factor = Mat::Identity(p.d, p.d);
  } else if (noise.is_gaussian() && !noise.depends_on_state() && noise.chain_states() == 0) {
    const Mat cov = noise.covariance(x_probe);
    Eigen::LLT<Mat> llt(cov);
    if (llt.info() == Eigen::Success) {
      p.factor = llt.matrixL();
    } else {  // semi-definite: the symmetric square root
      Eigen::SelfAdjointEigenSolver<Mat> eig(cov);
      p.factor = eig.eigenvectors() * eig.eigenvalues().cwiseMax(0.0).cwiseSqrt().asDiagonal();
    }
  } else {
    p.noise = &noise;
    p.needs_chain = noise.chain_states() > 0;
    p.block_noise = o.gradient == Gradient::kExact;
    p.drift_from_noise = p.block_noise && o.scheme == Scheme::kSgd && noise.estimates_drift(*model.system);
  }
  p.r = static_cast<int>(p.factor.cols());
  p.step_factor.assign(p.d, 1.0);
  for (int k : o.slow) p.step_factor[k] = o.timescale;
  return p;
}

/// Per-thread scratch and partial reductions, allocated once per advance().
struct Worker {
  std::vector<double> x, b, z, normals, point, noise_out, work;
  std::vector<rng::Stream> streams;
  std::vector<char> alive;
  std::vector<std::int64_t> histogram;
  std::int64_t outside = 0;
  std::vector<Transition> transitions;
  model::BlockScratch scratch;

  Worker(const Plan& p, int block, std::size_t hist_size) {
    const std::size_t B = block, d = p.d;
    x.resize(B * d);
    b.resize(B * d);
    z.resize(B * d);
    normals.resize(B * std::max(p.r, 1));
    point.resize(d);
    noise_out.resize(d);
    work.resize(2 * d);
    alive.resize(B);
    histogram.assign(hist_size, 0);
  }
};

/// x_k <- x_k + hk b_k + ck z_k on the live lanes of one coordinate.
FWKIT_VECTOR_CLONES
void step_coordinate(double* __restrict x, const double* __restrict b, const double* __restrict z,
                     const char* __restrict alive, double hk, double ck, int lanes) {
  for (int j = 0; j < lanes; ++j) x[j] = alive[j] ? x[j] + hk * b[j] + ck * z[j] : x[j];
}

/// Live lanes whose coordinate is beyond the bound (or not finite).
FWKIT_VECTOR_CLONES
int count_outside(const double* __restrict x, const char* __restrict alive, double bound, int lanes) {
  int out = 0;
  for (int j = 0; j < lanes; ++j) out += (alive[j] != 0) & !(std::abs(x[j]) <= bound);
  return out;
}

/// Records the state of member m (point x) after step n.
void record(const Options& o, EnsembleState& s, Worker& w, std::int64_t m, std::int64_t n, const double* x) {
  const int d = s.dim;
  const std::size_t R = o.regions.size();
  const std::size_t unit = static_cast<std::size_t>(m) * o.batches + o.batch_of(n);
  std::size_t r = 0;
  while (r < R && !o.regions[r].contains(x)) ++r;
  ++s.occupation[unit * (R + 1) + r];
  const std::int64_t c = ++s.moment_count[unit];
  for (int k = 0; k < d; ++k) {
    double& mean = s.moment_mean[unit * d + k];
    const double delta = x[k] - mean;
    mean += delta / static_cast<double>(c);
    s.moment_m2[unit * d + k] += delta * (x[k] - mean);
  }
  if (r < R) {
    std::int64_t& cur = s.region[m];
    double* entry = &s.region_state[static_cast<std::size_t>(m) * d];
    if (cur >= 0 && cur != static_cast<std::int64_t>(r)) {
      w.transitions.push_back({m, cur, static_cast<std::int64_t>(r), s.region_step[m], n,
                               std::vector<double>(entry, entry + d), std::vector<double>(x, x + d)});
    }
    if (cur != static_cast<std::int64_t>(r)) {
      // Inside already at the first recorded step: the entry time is unknown
      // (censored), marked by a negative step.
      const bool censored = cur < 0 && n == o.burn_in + o.stride;
      cur = static_cast<std::int64_t>(r);
      s.region_step[m] = censored ? -n : n;
      std::copy(x, x + d, entry);
    }
  }
  if (o.histogram) {
    const std::int64_t node = o.histogram->locate(x);
    if (node >= 0) ++w.histogram[static_cast<std::size_t>((m % o.histogram_groups) * o.histogram->size() + node)];
    else ++w.outside;
  }
}

/// Steps members [m0, m0 + B) from step n0 to n1.
void run_block(const Plan& p, const Options& o, EnsembleState& s, Worker& w, std::int64_t m0, int B,
               std::int64_t n0, std::int64_t n1) {
  const int d = p.d;
  double* xs = w.x.data();
  double* bs = w.b.data();
  double* zs = w.z.data();
  w.streams.clear();
  for (int j = 0; j < B; ++j) {
    const std::int64_t m = m0 + j;
    w.streams.emplace_back(o.seed, static_cast<std::uint64_t>(m));
    w.alive[j] = s.blown[m] < 0;
    for (int k = 0; k < d; ++k) xs[k * B + j] = s.x[static_cast<std::size_t>(m) * d + k];
  }
  const std::int64_t samples = EnsembleState::trajectory_samples(o);
  if (p.drift_from_noise) std::fill(zs, zs + static_cast<std::size_t>(B) * d, 0.0);
  for (std::int64_t n = n0; n < n1; ++n) {
    const double h = o.step.at(static_cast<std::uint64_t>(n));
    const double noise_scale = o.scheme == Scheme::kSgd       ? 1.0
                               : o.scheme == Scheme::kLangevin ? std::sqrt(o.eps / h)
                                                               : std::sqrt(2 * o.temperature / h);
    // Noise: zs[k * B + j] = Z_k of member j (times the scheme's factor later).
    if (p.noise == nullptr) {  // constant Gaussian: Z = factor xi, xi from the lane-parallel generator
      rng::normal_block(o.seed, m0, B, static_cast<std::uint64_t>(n), p.r, w.normals.data());
      for (int k = 0; k < d; ++k) {
        double* zk = zs + static_cast<std::size_t>(k) * B;
        std::fill(zk, zk + B, 0.0);
        for (int l = 0; l < p.r; ++l) {
          const double f = p.factor(k, l);
          const double* xi = w.normals.data() + static_cast<std::size_t>(l) * B;
          for (int j = 0; j < B; ++j) zk[j] += f * xi[j];
        }
      }
    } else if (p.block_noise) {
      const model::BlockDraw draw{o.seed, m0, B, static_cast<std::uint64_t>(n), xs, w.alive.data(),
                                  p.needs_chain ? &s.chain[static_cast<std::size_t>(m0)] : nullptr};
      if (p.drift_from_noise) p.noise->sample_drift_block(draw, bs, w.scratch);  // zs stays 0
      else p.noise->sample_block(draw, zs, w.scratch);
    } else {
      for (int j = 0; j < B; ++j) {
        if (!w.alive[j]) continue;
        rng::Stream& rng = w.streams[j];
        rng.seek(static_cast<std::uint64_t>(n));
        for (int k = 0; k < d; ++k) w.point[k] = xs[k * B + j];
        p.noise->sample(w.point.data(), rng, w.noise_out.data(), p.needs_chain ? &s.chain[m0 + j] : nullptr);
        for (int k = 0; k < d; ++k) zs[k * B + j] = w.noise_out[k];
      }
    }
    // Drift (or its zeroth-order estimate) at the current states.
    if (p.drift_from_noise) {
      // b + Z is in bs already.
    } else if (o.gradient == Gradient::kExact && o.scheme != Scheme::kUla) {
      p.system->drift_batch(xs, bs, static_cast<std::size_t>(B));
    } else {
      const Gradient g = o.scheme == Scheme::kUla && o.gradient == Gradient::kExact ? Gradient::kExact : o.gradient;
      for (int j = 0; j < B; ++j) {
        if (!w.alive[j]) continue;
        if (p.noise == nullptr) w.streams[j].seek(static_cast<std::uint64_t>(n));  // else sample() moved it
        for (int k = 0; k < d; ++k) w.point[k] = xs[k * B + j];
        descent_estimate(*p.system, g, o.delta, w.point.data(), w.streams[j], w.noise_out.data(), w.work.data());
        for (int k = 0; k < d; ++k) bs[k * B + j] = w.noise_out[k];
      }
    }
    for (int k = 0; k < d; ++k) {
      const double hk = h * p.step_factor[k];
      const double ck = o.scheme == Scheme::kSgd ? hk : std::sqrt(p.step_factor[k]) * h * noise_scale;
      const std::size_t at = static_cast<std::size_t>(k) * B;
      step_coordinate(xs + at, bs + at, zs + at, w.alive.data(), hk, ck, B);
    }
    const std::int64_t step = n + 1;
    const bool rec = o.records(step);
    const bool traj = step % o.trajectory_stride == 0 && m0 < o.trajectory_members;
    if (!rec && !traj) {  // the common case: only look for members leaving the bound
      int out = 0;
      for (int k = 0; k < d; ++k) out += count_outside(xs + static_cast<std::size_t>(k) * B, w.alive.data(), o.bound, B);
      if (out == 0) continue;
    }
    for (int j = 0; j < B; ++j) {
      if (!w.alive[j]) continue;
      const std::int64_t m = m0 + j;
      bool ok = true;
      for (int k = 0; k < d; ++k) {
        w.point[k] = xs[k * B + j];
        ok = ok && std::abs(w.point[k]) <= o.bound;  // false for NaN too
      }
      if (!ok) {
        w.alive[j] = 0;
        s.blown[m] = step;
        continue;
      }
      if (rec) record(o, s, w, m, step, w.point.data());
      if (traj && m < o.trajectory_members) {
        double* out = &s.trajectory[static_cast<std::size_t>((m * samples + step / o.trajectory_stride) * d)];
        std::copy(w.point.begin(), w.point.end(), out);
      }
    }
  }
  for (int j = 0; j < B; ++j)
    for (int k = 0; k < d; ++k) s.x[static_cast<std::size_t>(m0 + j) * d + k] = xs[k * B + j];
}

}  // namespace

void check_model(const model::Model& model, const Options& o) {
  make_plan(model, o, Vec::Zero(model.dim()));
}

void advance(const model::Model& model, const Options& o, EnsembleState& s, std::int64_t until,
             Progress* progress, const std::function<void(const EnsembleState&)>& on_segment,
             const par::Comm* comm) {
  until = std::min<std::int64_t>(until, o.steps);
  if (s.dim != model.dim()) throw Error(ExitCode::kSoftware, "simulate: state and model dimensions differ");
  const Vec probe = Eigen::Map<const Vec>(s.x.data(), s.dim);
  const Plan plan = make_plan(model, o, probe);
  const std::int64_t segment = o.segment > 0 ? o.segment : o.steps;
  const par::Comm& team = comm != nullptr ? *comm : par::Comm::serial();
  const MemberRange mine = member_share(o.members, o.block, team.rank(), team.size());
  const std::int64_t first_block = mine.begin / o.block, end_block = (mine.end + o.block - 1) / o.block;
  const int threads = o.threads > 0 ? o.threads : omp_get_max_threads();
  while (s.step < until) {
    const std::int64_t n0 = s.step, n1 = std::min(until, (n0 / segment + 1) * segment);
    SegmentYield yield;
    yield.histogram.assign(s.histogram.size(), 0);
    ParallelErrors errors;  // a bad value met mid-run ends the run with its message, not SIGABRT
#pragma omp parallel num_threads(threads)
    {
      std::optional<Worker> w;
      errors.run([&] { w.emplace(plan, o.block, s.histogram.size()); });
#pragma omp for schedule(dynamic, 1)
      for (std::int64_t blk = first_block; blk < end_block; ++blk) {
        const std::int64_t m0 = blk * o.block;
        const int B = static_cast<int>(std::min<std::int64_t>(o.block, mine.end - m0));
        errors.run([&] { run_block(plan, o, s, *w, m0, B, n0, n1); });
      }
#pragma omp critical(fwkit_sim_merge)
      if (w) {
        for (std::size_t i = 0; i < w->histogram.size(); ++i) yield.histogram[i] += w->histogram[i];
        yield.outside += w->outside;
        for (auto& t : w->transitions) yield.transitions.push_back(std::move(t));
      }
    }
    errors.rethrow();
    join_segment(team, o, n0, n1, s, yield);
    for (std::size_t i = 0; i < yield.histogram.size(); ++i) s.histogram[i] += yield.histogram[i];
    s.histogram_outside += yield.outside;
    std::vector<Transition>& found = yield.transitions;
    std::sort(found.begin(), found.end(), [](const Transition& a, const Transition& b) {
      return a.member != b.member ? a.member < b.member : a.end_step < b.end_step;
    });
    // Keep the whole list ordered by (member, end_step): merge the new tail.
    const auto mid = static_cast<std::ptrdiff_t>(s.transitions.size());
    for (auto& t : found) s.transitions.push_back(std::move(t));
    std::inplace_merge(s.transitions.begin(), s.transitions.begin() + mid, s.transitions.end(),
                       [](const Transition& a, const Transition& b) {
                         return a.member != b.member ? a.member < b.member : a.end_step < b.end_step;
                       });
    s.step = n1;
    if (progress) progress->update(static_cast<std::uint64_t>(s.step));
    if (on_segment) on_segment(s);
  }
}

}  // namespace fw::sim
