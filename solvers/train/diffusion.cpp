#include "diffusion.hpp"

#include <cmath>

#include "fwkit/core/error.hpp"

namespace fw::train {

Schedule Schedule::geometric(double t_min, double t_max, int levels) {
  if (!(t_min > 0) || !(t_max >= t_min) || levels < 1)
    throw Error(ExitCode::kConfig, "noise levels: need 0 < t_min <= t_max and at least one level");
  Schedule s;
  for (int k = 0; k < levels; ++k) {
    const double f = levels == 1 ? 0.0 : static_cast<double>(k) / (levels - 1);
    const double t = t_min * std::pow(t_max / t_min, f);
    s.t.push_back(t);
    s.alpha.push_back(std::exp(-t));
    s.sigma.push_back(std::sqrt(-std::expm1(-2 * t)));
  }
  return s;
}

Mat empirical_optimal_eps(const Schedule& schedule, const Mat& data, const Mat& x, const std::vector<int>& level) {
  Mat eps(x.rows(), x.cols());
  Vec logw(data.cols());
  for (Eigen::Index b = 0; b < x.cols(); ++b) {
    const int k = level[static_cast<std::size_t>(b)];
    const double a = schedule.alpha[k], s = schedule.sigma[k];
    for (Eigen::Index i = 0; i < data.cols(); ++i) logw[i] = -(x.col(b) - a * data.col(i)).squaredNorm() / (2 * s * s);
    const Vec w = (logw.array() - logw.maxCoeff()).exp();
    const Vec mean = data * w / w.sum();
    eps.col(b) = (x.col(b) - a * mean) / s;
  }
  return eps;
}

Sampler parse_sampler(const std::string& name) {
  if (name == "ancestral") return Sampler::kAncestral;
  if (name == "euler_maruyama") return Sampler::kEulerMaruyama;
  throw Error(ExitCode::kConfig, "sampler \"" + name + "\": must be ancestral or euler_maruyama");
}

const char* to_string(Sampler s) { return s == Sampler::kAncestral ? "ancestral" : "euler_maruyama"; }

Mat generate(const Schedule& sc, Sampler sampler, const EpsModel& model, const SamplerNoise& noise, double clip) {
  const int levels = sc.levels();
  if (static_cast<int>(noise.steps.size()) != levels - 1)
    throw Error(ExitCode::kSoftware, "generate: noise must hold one block per reverse step");
  Mat x = noise.start, eps;
  for (int k = levels - 1; k > 0; --k) {
    model(x, k, eps);
    const double s2 = sc.sigma[k - 1] * sc.sigma[k - 1], t2 = sc.sigma[k] * sc.sigma[k];
    if (sampler == Sampler::kAncestral) {
      const double a_ts = sc.alpha[k] / sc.alpha[k - 1];  // alpha_{t|s}
      const double v_ts = -std::expm1(-2 * (sc.t[k] - sc.t[k - 1]));  // sigma_{t|s}^2
      const Mat x0 = ((x - sc.sigma[k] * eps) / sc.alpha[k]).cwiseMax(-clip).cwiseMin(clip);
      const double cx = a_ts * s2 / t2, c0 = sc.alpha[k - 1] * v_ts / t2;
      const double sd = std::sqrt(v_ts * s2 / t2);
      x = cx * x + c0 * x0 + sd * noise.steps[static_cast<std::size_t>(k - 1)];
    } else {
      const double h = sc.t[k] - sc.t[k - 1];
      x = x + h * (x - 2.0 / sc.sigma[k] * eps) + std::sqrt(2 * h) * noise.steps[static_cast<std::size_t>(k - 1)];
    }
  }
  model(x, 0, eps);
  return ((x - sc.sigma[0] * eps) / sc.alpha[0]).cwiseMax(-clip).cwiseMin(clip);
}

}  // namespace fw::train
