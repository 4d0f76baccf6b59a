// The training loop of one member, its monitors, and the ensemble over members.
#include "trainer.hpp"

#include <omp.h>

#include "fwkit/core/parallel_errors.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "fwkit/core/error.hpp"

namespace fw::train {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

/// Everything the members share (read-only while they run).
struct Shared {
  const Options& o;
  const Mat& data;
  Schedule schedule;
  ScoreNet net;
  Design design;
  SamplerNoise noise;
  const Split& split;
  GapNoise gap_noise, fresh_noise;  // fresh: the inference baseline's
  bool watch_gap() const { return split.validation.cols() > 0; }
};

EpsModel model_of(const ScoreNet& net, const Vec& theta) {
  return [&net, &theta](const Mat& x, int level, Mat& eps) {
    Batch b{x, std::vector<int>(static_cast<std::size_t>(x.cols()), level), {}};
    net.predict(theta, b, eps);
  };
}

class Member {
 public:
  Member(const Shared& s, std::int64_t index, MemberRecord& rec) : s_(s), rec_(rec), rng_(s.o.seed, static_cast<std::uint64_t>(index)) {
    rng::Stream init(s.o.seed, kInitKey + static_cast<std::uint64_t>(index));
    theta_ = s.net.initial_parameters(init);
    direction_.resize(theta_.size());
    for (Eigen::Index i = 0; i < direction_.size(); ++i) direction_[i] = init.normal();
    const std::size_t monitors = static_cast<std::size_t>(s.o.monitors());
    for (auto* v : {&rec.loss, &rec.excess_risk, &rec.memorization, &rec.nearest_distance, &rec.sharpness})
      v->assign(monitors, kNaN);
    rec.point_fraction.assign(monitors * static_cast<std::size_t>(s.data.cols()), kNaN);
    rec.label.assign(monitors * static_cast<std::size_t>(s.o.samples), -1);
    if (s.watch_gap()) {  // NaN until measured (a diverged member keeps them)
      GapCurve nan;
      nan.sigma = s.schedule.ve_sigma();
      for (auto* v : {&nan.loss_train, &nan.loss_train_se, &nan.loss_val, &nan.loss_val_se, &nan.gap, &nan.gap_se})
        v->assign(nan.sigma.size(), kNaN);
      nan.point_train = Mat::Constant(static_cast<Eigen::Index>(nan.sigma.size()), s.split.train.cols(), kNaN);
      nan.point_val = Mat::Constant(static_cast<Eigen::Index>(nan.sigma.size()), s.split.validation.cols(), kNaN);
      rec.gap.assign(monitors, nan);
      // A diverged member's stops keep their sigma (the levels nearest the requested ones).
      std::vector<double> grid = s.schedule.ve_sigma();
      std::reverse(grid.begin(), grid.end());
      for (double stop : s.o.inference_stops) {
        InferenceStop none;
        none.sigma = grid[static_cast<std::size_t>(nearest_level(grid, stop))];
        none.frechet_train = none.frechet_val = kNaN;
        rec.inference.push_back(none);
      }
    }
  }

  void run() {
    monitor(0);
    const Options& o = s_.o;
    for (std::int64_t n = 0; n < o.steps; ++n) {
      rng_.seek(static_cast<std::uint64_t>(n));
      const Batch& batch = o.optimizer == Optimizer::kGd ? s_.design.batch : draw_batch();
      const double loss = descent(batch);
      theta_.tail(theta_.size() - s_.net.trainable_begin()) -= o.step.at(static_cast<std::uint64_t>(n)) * g_.tail(theta_.size() - s_.net.trainable_begin());
      if (!std::isfinite(loss) || !(theta_.lpNorm<Eigen::Infinity>() <= o.bound)) {
        rec_.diverged_at = n + 1;
        break;
      }
      if ((n + 1) % o.stride == 0) monitor((n + 1) / o.stride);
    }
    rec_.parameters = theta_;
    if (rec_.diverged_at < 0 && s_.watch_gap() && !o.inference_stops.empty()) inference();
  }

 private:
  /// A fresh minibatch; with self-consuming data some x_0 are the model's own samples.
  const Batch& draw_batch() {
    const Options& o = s_.o;
    const Eigen::Index d = s_.data.rows();
    batch_.x.resize(d, o.batch);
    batch_.z.resize(d, o.batch);
    batch_.level.resize(static_cast<std::size_t>(o.batch));
    std::vector<Eigen::Index> own;  // columns whose x_0 comes from the model
    Mat x0(d, o.batch);
    for (int b = 0; b < o.batch; ++b) {
      if (o.self_consuming > 0 && rng_.uniform() < o.self_consuming) own.push_back(b);
      else x0.col(b) = s_.data.col(static_cast<Eigen::Index>(rng_.below(static_cast<std::uint64_t>(s_.data.cols()))));
      batch_.level[static_cast<std::size_t>(b)] = static_cast<int>(rng_.below(static_cast<std::uint64_t>(s_.schedule.levels())));
      for (Eigen::Index j = 0; j < d; ++j) batch_.z(j, b) = rng_.normal();
    }
    if (!own.empty()) {
      const SamplerNoise noise = draw_sampler_noise(rng_, static_cast<int>(d), s_.schedule.levels(), static_cast<int>(own.size()));
      const Mat generated = generate(s_.schedule, o.sampler, model_of(s_.net, theta_), noise, o.clip);
      for (std::size_t c = 0; c < own.size(); ++c) x0.col(own[c]) = generated.col(static_cast<Eigen::Index>(c));
    }
    for (int b = 0; b < o.batch; ++b) {
      const int k = batch_.level[static_cast<std::size_t>(b)];
      batch_.x.col(b) = s_.schedule.alpha[k] * x0.col(b) + s_.schedule.sigma[k] * batch_.z.col(b);
    }
    return batch_;
  }

  /// The descent direction's gradient estimate into g_; returns the loss at theta.
  double descent(const Batch& batch) {
    const Options& o = s_.o;
    if (o.gradient == Gradient::kBackprop) return s_.net.loss(theta_, batch, &g_, ws_);
    const Eigen::Index begin = s_.net.trainable_begin(), p = theta_.size() - begin;
    Vec& u = g_;  // the direction is built in place: g = c u
    u.setZero(theta_.size());
    auto loss_at = [&](double s) {
      probe_ = theta_ + s * u;
      return s_.net.loss(probe_, batch, nullptr, ws_);
    };
    if (o.gradient == Gradient::kSpsa) {
      for (Eigen::Index i = begin; i < theta_.size(); ++i) u[i] = (rng_.bits() >> 63) ? 1.0 : -1.0;
      const double up = loss_at(o.delta), down = loss_at(-o.delta);
      u *= (up - down) / (2 * o.delta);
      return 0.5 * (up + down);
    }
    for (Eigen::Index i = begin; i < theta_.size(); ++i) u[i] = rng_.normal();
    u /= u.norm();
    const double value = loss_at(o.delta);
    u *= static_cast<double>(p) / o.delta * value;
    return value;
  }

  void monitor(std::int64_t m) {
    const Options& o = s_.o;
    const std::size_t mi = static_cast<std::size_t>(m);
    const Mat generated = generate(s_.schedule, o.sampler, model_of(s_.net, theta_), s_.noise, o.clip);
    const Eigen::Index n = s_.data.cols();
    std::vector<double> count(static_cast<std::size_t>(n), 0.0);
    double near_sum = 0, within = 0;
    for (Eigen::Index j = 0; j < generated.cols(); ++j) {
      Eigen::Index best = 0;
      const double dist = std::sqrt((s_.data.colwise() - generated.col(j)).colwise().squaredNorm().minCoeff(&best));
      near_sum += dist;
      int label = -1;
      if (dist <= o.radius) {
        label = static_cast<int>(best);
        within += 1;
        count[static_cast<std::size_t>(best)] += 1;
      }
      rec_.label[mi * static_cast<std::size_t>(o.samples) + static_cast<std::size_t>(j)] = label;
    }
    const double inv_m = 1.0 / static_cast<double>(generated.cols());
    rec_.memorization[mi] = within * inv_m;
    rec_.nearest_distance[mi] = near_sum * inv_m;
    for (Eigen::Index i = 0; i < n; ++i) rec_.point_fraction[mi * static_cast<std::size_t>(n) + static_cast<std::size_t>(i)] = count[static_cast<std::size_t>(i)] * inv_m;
    Mat eps;
    s_.net.predict(theta_, s_.design.batch, eps, ws_);
    rec_.loss[mi] = 0.5 * (eps - s_.design.batch.z).squaredNorm() / static_cast<double>(eps.cols());
    rec_.excess_risk[mi] = 0.5 * (eps - s_.design.eps_star).squaredNorm() / static_cast<double>(eps.cols());
    if (o.sharpness) rec_.sharpness[mi] = sharpness(s_.net, theta_, s_.design.batch, direction_, o.power_iterations);
    rec_.samples = generated;
    if (s_.watch_gap())
      rec_.gap[mi] = denoising_gap(denoiser_of(s_.schedule, model_of(s_.net, theta_), false), s_.split, s_.gap_noise,
                                   s_.schedule.ve_sigma());
  }

  /// Sampling trajectories of the final model (probability flow from the
  /// monitors' start noise) stopped at the levels nearest the requested sigmas.
  void inference() {
    std::vector<double> grid = s_.schedule.ve_sigma();
    std::reverse(grid.begin(), grid.end());
    std::vector<int> stops;
    for (double s : s_.o.inference_stops) stops.push_back(nearest_level(grid, s));
    const Denoiser d = denoiser_of(s_.schedule, model_of(s_.net, theta_), true);
    const FlowResult flow = probability_flow(d, grid, s_.noise.start / s_.schedule.alpha.back(), FlowMethod::kHeun, stops);
    rec_.inference = inference_distances(d, s_.split, s_.gap_noise, s_.fresh_noise, grid, stops, flow);
  }

  const Shared& s_;
  MemberRecord& rec_;
  rng::Stream rng_;
  Vec theta_, g_, direction_, probe_;  // probe_: perturbed theta of the estimators
  Batch batch_;
  Workspace ws_;
};

}  // namespace

Result train(const Options& o, const Mat& data, Progress* progress) { return train(o, Split{data, Mat(data.rows(), 0)}, progress); }

Result train(const Options& o, const Split& split, Progress* progress) {
  o.validate();
  const Mat& data = split.train;
  Shared shared{o, data, o.schedule(), ScoreNet({static_cast<int>(data.rows()), o.levels, o.width, o.random_features}), {}, {}, split, {}, {}};
  if (shared.watch_gap()) {
    shared.gap_noise = make_gap_noise(split, o.gap_draws, o.seed, kGapKey);
    shared.fresh_noise = make_gap_noise(split, o.gap_draws, o.seed, kFreshKey);
  }
  shared.design = make_design(shared.schedule, data, o.design_draws, o.seed);
  shared.noise = make_sampler_noise(static_cast<int>(data.rows()), o.levels, o.samples, o.seed);
  Result result;
  result.schedule = shared.schedule;
  result.irreducible = shared.design.irreducible;
  result.parameters = shared.net.parameter_count();
  for (std::int64_t m = 0; m < o.monitors(); ++m) result.monitor_steps.push_back(m * o.stride);
  result.members.resize(static_cast<std::size_t>(o.members));
  const int threads = o.threads > 0 ? o.threads : omp_get_max_threads();
  std::int64_t done = 0;
  ParallelErrors errors;
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
  for (std::int64_t m = 0; m < o.members; ++m) {
    errors.run([&] { Member(shared, m, result.members[static_cast<std::size_t>(m)]).run(); });
#pragma omp atomic
    ++done;
    if (progress && omp_get_thread_num() == 0) progress->update(static_cast<std::uint64_t>(done));
  }
  errors.rethrow();
  result.episodes = find_episodes(result.members, o.monitors(), o.samples, o.stride);
  result.summary = summarize(o, result.members, result.episodes);
  return result;
}

namespace {

void rescale(GapCurve& c, double scale) {
  const double s2 = scale * scale;
  for (auto& v : c.sigma) v *= scale;
  for (auto* v : {&c.loss_train, &c.loss_train_se, &c.loss_val, &c.loss_val_se})
    for (auto& x : *v) x *= s2;
  c.point_train *= s2;
  c.point_val *= s2;
}

void rescale(InferenceStop& i, double scale) {
  i.sigma *= scale;
  for (MeanDistance* d : {&i.state_to_train, &i.state_to_val, &i.output_to_train, &i.output_to_val, &i.fresh_to_train,
                          &i.fresh_to_val}) {
    d->value *= scale;
    d->standard_error *= scale;
  }
  i.frechet_train *= scale * scale;
  i.frechet_val *= scale * scale;
}

}  // namespace

Result train_scaled(const Options& options, const Split& split, double scale, Progress* progress) {
  if (!(scale > 0) || !std::isfinite(scale))
    throw Error(ExitCode::kConfig, "train.data_scale: must be a finite number > 0");
  if (scale == 1) return train(options, split, progress);
  Options o = options;
  o.sigma_min /= scale;
  o.sigma_max /= scale;
  o.radius /= scale;
  o.clip /= scale;  // clips denoised estimates, which the network makes in its own units
  for (auto& s : o.inference_stops) s /= scale;
  Result r = train(o, Split{split.train / scale, split.validation / scale}, progress);
  for (auto& m : r.members) {
    m.samples *= scale;
    for (auto& d : m.nearest_distance) d *= scale;
    for (auto& c : m.gap) rescale(c, scale);
    for (auto& i : m.inference) rescale(i, scale);
  }
  r.summary = summarize(options, r.members, r.episodes);
  return r;
}

}  // namespace fw::train
