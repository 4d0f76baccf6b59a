#include "gap_io.hpp"

#include <cmath>
#include <limits>
#include <string>

namespace fw::train {
namespace {

using I64 = std::int64_t;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

/// Point-major (point, component) values of the columns of m.
std::vector<double> point_major(const Mat& m) {
  std::vector<double> flat;
  for (Eigen::Index j = 0; j < m.cols(); ++j)
    for (Eigen::Index k = 0; k < m.rows(); ++k) flat.push_back(m(k, j));
  return flat;
}

template <class Get>
std::vector<double> gather(const std::vector<std::vector<GapCurve>>& curves, Get get) {
  std::vector<double> out;
  for (const auto& member : curves)
    for (const auto& c : member) {
      const std::vector<double>& v = get(c);
      out.insert(out.end(), v.begin(), v.end());
    }
  return out;
}

/// The member-mean gap at every monitor with its standard error, and the
/// peak of the last. The members share the points and the fixed noise, so
/// the noise's error does not average down over them: its variance (the mean
/// of the members' own se^2) is added to the between-member variance.
/// Diverged members (NaN) are left out.
void write_member_mean(const io::Group& g, const std::vector<std::vector<GapCurve>>& curves) {
  const std::size_t monitors = curves[0].size(), levels = curves[0][0].sigma.size();
  std::vector<double> mean, se;
  for (std::size_t t = 0; t < monitors; ++t)
    for (std::size_t k = 0; k < levels; ++k) {
      double sum = 0, sum2 = 0, own = 0, n = 0;
      for (const auto& m : curves) {
        if (std::isnan(m[t].gap[k])) continue;  // a diverged member (an infinite gap is kept)
        sum += m[t].gap[k];
        sum2 += m[t].gap[k] * m[t].gap[k];
        own += m[t].gap_se[k] * m[t].gap_se[k];
        n += 1;
      }
      const double mu = n > 0 ? sum / n : kNaN;
      const double between = n > 1 ? std::max(0.0, sum2 - n * mu * mu) / (n - 1) / n : 0.0;
      mean.push_back(mu);
      se.push_back(std::sqrt(own / n + between));
    }
  GapCurve last;
  last.sigma = curves[0][0].sigma;
  last.gap.assign(mean.end() - static_cast<std::ptrdiff_t>(levels), mean.end());
  const int p = last.peak();
  const std::size_t at = (monitors - 1) * levels + static_cast<std::size_t>(std::max(p, 0));
  g.set_attribute("peak_sigma", p >= 0 ? last.sigma[static_cast<std::size_t>(p)] : kNaN);
  g.set_attribute("peak_gap", p >= 0 ? mean[at] : kNaN);
  g.set_attribute("peak_gap_se", p >= 0 ? se[at] : kNaN);
  g.write("mean_gap", {"monitor", "sigma"}, std::span<const double>(mean), {"1", "member-mean gap"});
  g.write("mean_gap_se", {"monitor", "sigma"}, std::span<const double>(se), {"1", "its standard error (shared noise and between members)"});
}

/// The per-point losses over (member, monitor, sigma, point | vpoint).
void write_point_losses(const io::Group& g, const std::vector<std::vector<GapCurve>>& curves) {
  const GapCurve& c0 = curves[0][0];
  g.add_index_dimension("point", static_cast<std::size_t>(c0.point_train.cols()), "training point");
  g.add_index_dimension("vpoint", static_cast<std::size_t>(c0.point_val.cols()), "validation point");
  std::vector<double> t, v;
  for (const auto& member : curves)
    for (const auto& c : member)
      for (Eigen::Index k = 0; k < c.point_train.rows(); ++k) {
        for (Eigen::Index i = 0; i < c.point_train.cols(); ++i) t.push_back(c.point_train(k, i));
        for (Eigen::Index i = 0; i < c.point_val.cols(); ++i) v.push_back(c.point_val(k, i));
      }
  g.write("point_loss_train", {"member", "monitor", "sigma", "point"}, std::span<const double>(t),
          {"1", "per-point loss (1/draws) sum_r |D(y_i + sigma n_ir) - y_i|^2, training points"});
  g.write("point_loss_val", {"member", "monitor", "sigma", "vpoint"}, std::span<const double>(v),
          {"1", "the same for validation points"});
}

}  // namespace

void write_validation(const io::Group& g, const Mat& validation) {
  g.add_index_dimension("vpoint", static_cast<std::size_t>(validation.cols()), "validation point");
  g.write("validation", {"vpoint", "component"}, point_major(validation), {"1", "validation split (held out of training)"});
}

void write_gap(const io::Group& parent, const std::vector<std::vector<GapCurve>>& curves,
               const std::vector<double>& monitor_steps, const std::string& denoiser) {
  if (curves.empty() || curves[0].empty()) return;
  const io::Group g = parent.group("gap");
  g.set_attribute("denoiser", denoiser);
  g.add_index_dimension("member", curves.size(), "training run (seed stream)");
  g.add_dimension("monitor", monitor_steps, {"steps", "training step of the checkpoint"});
  g.add_dimension("sigma", curves[0][0].sigma, {"1", "noise level sigma (x = y + sigma n)"});
  const std::vector<std::string> dims{"member", "monitor", "sigma"};
  g.write("loss_train", dims, gather(curves, [](const GapCurve& c) -> const auto& { return c.loss_train; }),
          {"1", "mean over training points of |D(y + sigma n) - y|^2 (noise fixed per point)"});
  g.write("loss_train_se", dims, gather(curves, [](const GapCurve& c) -> const auto& { return c.loss_train_se; }),
          {"1", "standard error over training points"});
  g.write("loss_val", dims, gather(curves, [](const GapCurve& c) -> const auto& { return c.loss_val; }),
          {"1", "the same over validation points"});
  g.write("loss_val_se", dims, gather(curves, [](const GapCurve& c) -> const auto& { return c.loss_val_se; }),
          {"1", "standard error over validation points"});
  g.write("gap", dims, gather(curves, [](const GapCurve& c) -> const auto& { return c.gap; }),
          {"1", "relative gap (L_val - L_train) / L_train"});
  g.write("gap_se", dims, gather(curves, [](const GapCurve& c) -> const auto& { return c.gap_se; }),
          {"1", "its standard error (delta method, independent splits)"});
  write_point_losses(g, curves);
  write_member_mean(g, curves);
}

void write_inference(const io::Group& parent, const std::vector<std::vector<InferenceStop>>& stops,
                     const std::vector<GapCurve>& last_gap) {
  if (stops.empty() || stops[0].empty()) return;
  const io::Group g = parent.group("inference");
  g.add_index_dimension("member", stops.size(), "training run (seed stream)");
  g.add_index_dimension("stop", stops[0].size(), "sigma at which the sampling trajectories were stopped");
  std::vector<double> sigma;  // every member's stops lie on the same levels (a diverged one's too)
  for (const auto& s : stops[0]) sigma.push_back(s.sigma);
  g.write("sigma", {"stop"}, std::span<const double>(sigma), {"1", "noise level of the stop (nearest sampler level)"});
  auto field = [&](const std::string& name, auto get, const std::string& what) {
    std::vector<double> v;
    for (const auto& member : stops)
      for (const auto& s : member) v.push_back(get(s));
    g.write(name, {"member", "stop"}, std::span<const double>(v), {"1", what});
  };
  field("state_to_train", [](const InferenceStop& s) { return s.state_to_train.value; }, "mean distance of a sampling state to the nearest noisy training sample");
  field("state_to_train_se", [](const InferenceStop& s) { return s.state_to_train.standard_error; }, "its standard error over samples");
  field("state_to_val", [](const InferenceStop& s) { return s.state_to_val.value; }, "mean distance of a sampling state to the nearest noisy validation sample");
  field("state_to_val_se", [](const InferenceStop& s) { return s.state_to_val.standard_error; }, "its standard error over samples");
  field("fresh_to_train", [](const InferenceStop& s) { return s.fresh_to_train.value; }, "baseline: mean distance of a fresh noisy training sample to the nearest noisy training sample");
  field("fresh_to_train_se", [](const InferenceStop& s) { return s.fresh_to_train.standard_error; }, "its standard error");
  field("fresh_to_val", [](const InferenceStop& s) { return s.fresh_to_val.value; }, "baseline: the same to the nearest noisy validation sample");
  field("fresh_to_val_se", [](const InferenceStop& s) { return s.fresh_to_val.standard_error; }, "its standard error");
  field("output_to_train", [](const InferenceStop& s) { return s.output_to_train.value; }, "mean distance of a denoised state to the nearest denoised noisy training sample");
  field("output_to_val", [](const InferenceStop& s) { return s.output_to_val.value; }, "the same to denoised noisy validation samples");
  field("frechet_train", [](const InferenceStop& s) { return s.frechet_train; }, "Fréchet distance of the denoised states to the denoised noisy training samples");
  field("frechet_val", [](const InferenceStop& s) { return s.frechet_val; }, "the same to the denoised noisy validation samples");
  field("relative_overfit", [](const InferenceStop& s) { return s.relative_overfit(); }, "(frechet_val - frechet_train) / frechet_train");
  std::vector<double> gap;
  for (std::size_t m = 0; m < stops.size(); ++m)
    for (const auto& s : stops[m]) {
      const GapCurve& c = last_gap[m];
      gap.push_back(c.sigma.empty() ? kNaN : c.gap[static_cast<std::size_t>(nearest_level(c.sigma, s.sigma))]);
    }
  g.write("gap_at_stop", {"member", "stop"}, std::span<const double>(gap), {"1", "the training gap G at the nearest sigma of the gap grid"});
}

void write_closed_form(const io::Group& g, const ClosedFormOptions& o, const Split& split, const ClosedFormResult& r) {
  g.add_index_dimension("point", static_cast<std::size_t>(split.train.cols()), "training point");
  g.add_index_dimension("component", static_cast<std::size_t>(split.train.rows()), "data coordinate");
  g.add_index_dimension("sample", static_cast<std::size_t>(r.samples.cols()), "probability-flow sample");
  g.write("data", {"point", "component"}, point_major(split.train), {"1", "training set"});
  if (split.validation.cols() > 0) write_validation(g, split.validation);
  g.write("samples", {"sample", "component"}, point_major(r.samples), {"1", "samples of the probability-flow sampler"});
  const io::Group s = g.group("summary");
  s.set_attribute("denoiser", to_string(o.kind));
  s.set_attribute("blur", o.kind == DenoiserKind::kBlurred ? o.blur : 0.0);
  s.set_attribute("sampler", "probability_flow");
  s.set_attribute("flow_method", to_string(o.method));
  s.set_attribute("flow_steps", static_cast<I64>(o.steps));
  s.set_attribute("gap_draws", static_cast<I64>(o.draws));
  s.set_attribute("radius", o.radius);
  s.set_attribute("memorization", r.memorization);
  s.set_attribute("nearest_distance", r.nearest_distance);
  s.set_attribute("seed", std::to_string(o.seed));
  if (!r.gap.sigma.empty()) write_gap(g, {{r.gap}}, {0.0}, to_string(o.kind));
  if (!r.inference.empty()) write_inference(g, {r.inference}, {r.gap});
}

}  // namespace fw::train
