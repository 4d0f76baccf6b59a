#include "denoiser.hpp"

#include <cmath>

#include "fwkit/core/error.hpp"

namespace fw::train {

Mat optimal_denoiser(const Mat& data, const Mat& x, double sigma) {
  Mat out(x.rows(), x.cols());
  Vec logw(data.cols());
  const double scale = 1 / (2 * sigma * sigma);
  for (Eigen::Index b = 0; b < x.cols(); ++b) {
    logw = -(data.colwise() - x.col(b)).colwise().squaredNorm().transpose() * scale;
    const Vec w = (logw.array() - logw.maxCoeff()).exp();
    out.col(b) = data * w / w.sum();
  }
  return out;
}

Mat blurred_denoiser(const Mat& data, const Mat& x, double sigma, double delta) {
  if (delta == 0) return optimal_denoiser(data, x, sigma);
  const double s2 = sigma * sigma + delta * delta;
  return (delta * delta * x + sigma * sigma * optimal_denoiser(data, x, std::sqrt(s2))) / s2;
}

Denoiser optimal_denoiser(Mat data) {
  return [data = std::move(data)](const Mat& x, int, double sigma, Mat& out) { out = optimal_denoiser(data, x, sigma); };
}

Denoiser blurred_denoiser(Mat data, double delta) {
  return [data = std::move(data), delta](const Mat& x, int, double sigma, Mat& out) {
    out = blurred_denoiser(data, x, sigma, delta);
  };
}

std::vector<double> edm_sigmas(double sigma_min, double sigma_max, int count, double rho) {
  if (!(sigma_min > 0) || !(sigma_max > sigma_min) || count < 2 || !(rho > 0))
    throw Error(ExitCode::kConfig, "EDM schedule: need 0 < sigma_min < sigma_max, at least two levels and rho > 0");
  const double a = std::pow(sigma_max, 1 / rho), b = std::pow(sigma_min, 1 / rho);
  std::vector<double> s;
  for (int i = 0; i < count; ++i) s.push_back(std::pow(a + static_cast<double>(i) / (count - 1) * (b - a), rho));
  s.front() = sigma_max;  // exact ends (the power loses the last bits)
  s.back() = sigma_min;
  return s;
}

std::vector<double> log_sigmas(double sigma_min, double sigma_max, int count) {
  if (!(sigma_min > 0) || !(sigma_max >= sigma_min) || count < 1)
    throw Error(ExitCode::kConfig, "sigma grid: need 0 < sigma_min <= sigma_max and at least one level");
  std::vector<double> s;
  for (int i = 0; i < count; ++i)
    s.push_back(count == 1 ? sigma_min : sigma_min * std::pow(sigma_max / sigma_min, static_cast<double>(i) / (count - 1)));
  if (count > 1) s.back() = sigma_max;
  return s;
}

FlowMethod parse_flow_method(const std::string& name) {
  if (name == "euler") return FlowMethod::kEuler;
  if (name == "heun") return FlowMethod::kHeun;
  throw Error(ExitCode::kConfig, "probability-flow method \"" + name + "\": must be euler or heun");
}

const char* to_string(FlowMethod m) { return m == FlowMethod::kEuler ? "euler" : "heun"; }

FlowResult probability_flow(const Denoiser& denoiser, const std::vector<double>& sigmas, const Mat& start,
                            FlowMethod method, const std::vector<int>& stops) {
  const int n = static_cast<int>(sigmas.size());
  if (n < 1) throw Error(ExitCode::kSoftware, "probability_flow: empty sigma grid");
  for (int i = 0; i < n; ++i)
    if (!(sigmas[static_cast<std::size_t>(i)] > 0) || (i > 0 && !(sigmas[static_cast<std::size_t>(i)] < sigmas[static_cast<std::size_t>(i - 1)])))
      throw Error(ExitCode::kSoftware, "probability_flow: sigmas must be positive and strictly descending");
  FlowResult r;
  r.stop_states.resize(stops.size());
  auto keep = [&](int i, const Mat& x) {
    for (std::size_t s = 0; s < stops.size(); ++s)
      if (stops[s] == i) r.stop_states[s] = x;
  };
  Mat x = start, d, slope, d2;
  for (int i = 0; i + 1 < n; ++i) {
    keep(i, x);
    const double s = sigmas[static_cast<std::size_t>(i)], t = sigmas[static_cast<std::size_t>(i + 1)];
    denoiser(x, i, s, d);
    slope = (x - d) / s;
    Mat next = x + (t - s) * slope;
    if (method == FlowMethod::kHeun) {
      denoiser(next, i + 1, t, d2);
      next = x + (t - s) * 0.5 * (slope + (next - d2) / t);
    }
    x = std::move(next);
  }
  keep(n - 1, x);
  denoiser(x, n - 1, sigmas.back(), r.samples);
  return r;
}

}  // namespace fw::train
