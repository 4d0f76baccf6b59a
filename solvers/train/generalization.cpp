#include "generalization.hpp"

#include <Eigen/Eigenvalues>
#include <cmath>

#include "fwkit/core/error.hpp"
#include "fwkit/rng/stream.hpp"

namespace fw::train {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

Mat normal_block(rng::Stream& rng, Eigen::Index rows, Eigen::Index cols) {
  Mat m(rows, cols);
  for (Eigen::Index c = 0; c < cols; ++c)
    for (Eigen::Index r = 0; r < rows; ++r) m(r, c) = rng.normal();
  return m;
}

/// The noisy inputs y_i + sigma n_{i,r} (column i * draws + r).
Mat noisy(const Mat& points, const Mat& noise, int draws, double sigma) {
  Mat x(points.rows(), noise.cols());
  for (Eigen::Index i = 0; i < points.cols(); ++i)
    for (int r = 0; r < draws; ++r) x.col(i * draws + r) = points.col(i) + sigma * noise.col(i * draws + r);
  return x;
}

/// Mean and standard error over points of the per-point loss l_i, and the
/// l_i themselves into `per_point`.
void split_loss(const Denoiser& denoiser, int level, double sigma, const Mat& points, const Mat& noise, int draws,
                double& mean, double& se, Vec& per_point) {
  if (points.cols() == 0) {
    mean = se = kNaN;
    per_point.resize(0);
    return;
  }
  const Mat x = noisy(points, noise, draws, sigma);
  Mat d;
  denoiser(x, level, sigma, d);
  const Eigen::Index n = points.cols();
  per_point = Vec::Zero(n);
  for (Eigen::Index i = 0; i < n; ++i)
    for (int r = 0; r < draws; ++r) per_point[i] += (d.col(i * draws + r) - points.col(i)).squaredNorm() / draws;
  mean = per_point.mean();
  se = n > 1 ? std::sqrt((per_point.array() - mean).square().sum() / static_cast<double>(n - 1) / static_cast<double>(n)) : kNaN;
}

Vec column_mean(const Mat& a) { return a.rowwise().mean(); }

Mat covariance(const Mat& a) {
  const Mat c = a.colwise() - column_mean(a);
  return c * c.transpose() / static_cast<double>(std::max<Eigen::Index>(1, a.cols() - 1));
}

Mat sqrt_psd(const Mat& m) {
  Eigen::SelfAdjointEigenSolver<Mat> es(m);
  return es.eigenvectors() * es.eigenvalues().cwiseMax(0.0).cwiseSqrt().asDiagonal() * es.eigenvectors().transpose();
}

}  // namespace

GapNoise make_gap_noise(const Split& split, int draws, std::uint64_t seed, std::uint64_t key) {
  if (draws < 1) throw Error(ExitCode::kSoftware, "make_gap_noise: draws must be at least 1");
  rng::Stream rng(seed, key);
  GapNoise noise;
  noise.draws = draws;
  noise.train = normal_block(rng, split.train.rows(), split.train.cols() * draws);
  noise.validation = normal_block(rng, split.validation.rows(), split.validation.cols() * draws);
  return noise;
}

int GapCurve::peak() const {
  int best = -1;
  for (std::size_t i = 0; i < gap.size(); ++i)
    if (!std::isnan(gap[i]) && (best < 0 || gap[i] > gap[static_cast<std::size_t>(best)])) best = static_cast<int>(i);
  return best;
}

GapCurve denoising_gap(const Denoiser& denoiser, const Split& split, const GapNoise& noise,
                       const std::vector<double>& sigmas) {
  GapCurve c;
  c.sigma = sigmas;
  const auto levels = static_cast<Eigen::Index>(sigmas.size());
  c.point_train.resize(levels, split.train.cols());
  c.point_val.resize(levels, split.validation.cols());
  Vec pt, pv;
  for (std::size_t k = 0; k < sigmas.size(); ++k) {
    double lt, st, lv, sv;
    split_loss(denoiser, static_cast<int>(k), sigmas[k], split.train, noise.train, noise.draws, lt, st, pt);
    split_loss(denoiser, static_cast<int>(k), sigmas[k], split.validation, noise.validation, noise.draws, lv, sv, pv);
    if (pt.size() > 0) c.point_train.row(static_cast<Eigen::Index>(k)) = pt.transpose();
    if (pv.size() > 0) c.point_val.row(static_cast<Eigen::Index>(k)) = pv.transpose();
    c.loss_train.push_back(lt);
    c.loss_train_se.push_back(st);
    c.loss_val.push_back(lv);
    c.loss_val_se.push_back(sv);
    // G = (L_val - L_train) / L_train; infinite where the training loss is exactly zero (a
    // denoiser that returns the training points, the optimal one at small sigma), with no error.
    const bool infinite = lt == 0 && lv > 0;
    c.gap.push_back(infinite ? std::numeric_limits<double>::infinity() : lv / lt - 1);
    c.gap_se.push_back(infinite ? kNaN : (lv / lt) * std::sqrt(std::pow(sv / lv, 2) + std::pow(st / lt, 2)));
  }
  return c;
}

double frechet_distance(const Mat& a, const Mat& b) {
  if (a.cols() < 2 || b.cols() < 2 || a.rows() != b.rows())
    throw Error(ExitCode::kSoftware, "frechet_distance: needs two sets of at least two points of one dimension");
  const Mat ca = covariance(a), cb = covariance(b), ra = sqrt_psd(ca);
  const Mat cross = sqrt_psd(ra * cb * ra);
  const double fd = (column_mean(a) - column_mean(b)).squaredNorm() + (ca + cb - 2 * cross).trace();
  return std::max(0.0, fd);
}

MeanDistance mean_nearest_distance(const Mat& x, const Mat& ref) {
  MeanDistance m;
  if (x.cols() == 0 || ref.cols() == 0) return m;
  Vec dist(x.cols());
  for (Eigen::Index j = 0; j < x.cols(); ++j) dist[j] = std::sqrt((ref.colwise() - x.col(j)).colwise().squaredNorm().minCoeff());
  m.value = dist.mean();
  if (x.cols() > 1)
    m.standard_error = std::sqrt((dist.array() - m.value).square().sum() / static_cast<double>(x.cols() - 1) / static_cast<double>(x.cols()));
  return m;
}

int nearest_level(const std::vector<double>& sigmas, double sigma_stop) {
  int best = 0;
  for (std::size_t i = 1; i < sigmas.size(); ++i)
    if (std::abs(std::log(sigmas[i] / sigma_stop)) < std::abs(std::log(sigmas[static_cast<std::size_t>(best)] / sigma_stop)))
      best = static_cast<int>(i);
  return best;
}

std::vector<InferenceStop> inference_distances(const Denoiser& denoiser, const Split& split, const GapNoise& noise,
                                               const GapNoise& fresh, const std::vector<double>& sigmas, const std::vector<int>& stops,
                                               const FlowResult& flow) {
  if (flow.stop_states.size() != stops.size())
    throw Error(ExitCode::kSoftware, "inference_distances: the flow kept no states at the stops");
  std::vector<InferenceStop> out;
  for (std::size_t s = 0; s < stops.size(); ++s) {
    const int level = stops[s];
    const double sigma = sigmas[static_cast<std::size_t>(level)];
    const Mat& states = flow.stop_states[s];
    const Mat t = noisy(split.train, noise.train, noise.draws, sigma);
    const Mat v = noisy(split.validation, noise.validation, noise.draws, sigma);
    Mat out_states, out_t, out_v;
    denoiser(states, level, sigma, out_states);
    denoiser(t, level, sigma, out_t);
    denoiser(v, level, sigma, out_v);
    InferenceStop st;
    st.sigma = sigma;
    st.state_to_train = mean_nearest_distance(states, t);
    st.state_to_val = mean_nearest_distance(states, v);
    const Mat f = noisy(split.train, fresh.train, fresh.draws, sigma);
    st.fresh_to_train = mean_nearest_distance(f, t);
    st.fresh_to_val = mean_nearest_distance(f, v);
    st.output_to_train = mean_nearest_distance(out_states, out_t);
    st.output_to_val = mean_nearest_distance(out_states, out_v);
    st.frechet_train = frechet_distance(out_states, out_t);
    st.frechet_val = frechet_distance(out_states, out_v);
    out.push_back(st);
  }
  return out;
}

}  // namespace fw::train
