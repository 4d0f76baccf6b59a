#include "diffusion.hpp"

#include <algorithm>
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

Schedule Schedule::edm(double sigma_min, double sigma_max, int levels, double rho) {
  std::vector<double> ve = edm_sigmas(sigma_min, sigma_max, levels, rho);
  Schedule s;
  for (auto it = ve.rbegin(); it != ve.rend(); ++it) {
    s.t.push_back(0.5 * std::log1p(*it * *it));
    s.alpha.push_back(1 / std::sqrt(1 + *it * *it));
    s.sigma.push_back(*it / std::sqrt(1 + *it * *it));
  }
  return s;
}

std::vector<double> Schedule::ve_sigma() const {
  std::vector<double> s;
  for (std::size_t k = 0; k < t.size(); ++k) s.push_back(sigma[k] / alpha[k]);
  return s;
}

Denoiser denoiser_of(const Schedule& sc, const EpsModel& model, bool descending) {
  return [sc, model, descending](const Mat& x, int index, double, Mat& out) {
    const int k = descending ? sc.levels() - 1 - index : index;
    Mat eps;
    model(sc.alpha[static_cast<std::size_t>(k)] * x, k, eps);
    out = x - (sc.sigma[static_cast<std::size_t>(k)] / sc.alpha[static_cast<std::size_t>(k)]) * eps;
  };
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
  if (name == "probability_flow") return Sampler::kProbabilityFlow;
  throw Error(ExitCode::kConfig, "sampler \"" + name + "\": must be ancestral, euler_maruyama or probability_flow");
}

const char* to_string(Sampler s) {
  switch (s) {
    case Sampler::kAncestral: return "ancestral";
    case Sampler::kEulerMaruyama: return "euler_maruyama";
    case Sampler::kProbabilityFlow: return "probability_flow";
  }
  return "?";
}

namespace {
/// The probability-flow sampler: x_K / alpha_K in EDM coordinates down the
/// levels' s_k; the output is the last denoised estimate, clipped.
Mat generate_by_flow(const Schedule& sc, const EpsModel& model, const SamplerNoise& noise, double clip) {
  std::vector<double> s = sc.ve_sigma();
  std::reverse(s.begin(), s.end());
  const Mat start = noise.start / sc.alpha.back();
  const Denoiser clipped = [d = denoiser_of(sc, model, true), clip](const Mat& x, int i, double sigma, Mat& out) {
    d(x, i, sigma, out);
    out = out.cwiseMax(-clip).cwiseMin(clip);
  };
  return probability_flow(clipped, s, start, FlowMethod::kHeun).samples;
}
}  // namespace

Mat generate(const Schedule& sc, Sampler sampler, const EpsModel& model, const SamplerNoise& noise, double clip) {
  const int levels = sc.levels();
  if (static_cast<int>(noise.steps.size()) != levels - 1)
    throw Error(ExitCode::kSoftware, "generate: noise must hold one block per reverse step");
  if (sampler == Sampler::kProbabilityFlow) return generate_by_flow(sc, model, noise, clip);
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
