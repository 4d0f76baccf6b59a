// The fixed quantities of the monitors (design, sampler noise) and the
// sharpness estimate.
#include <cmath>

#include "trainer.hpp"

namespace fw::train {

Design make_design(const Schedule& schedule, const Mat& data, int draws, std::uint64_t seed) {
  const Eigen::Index d = data.rows(), n = data.cols();
  const int levels = schedule.levels();
  const Eigen::Index size = n * levels * draws;
  Design design;
  design.batch.x.resize(d, size);
  design.batch.z.resize(d, size);
  design.batch.level.resize(static_cast<std::size_t>(size));
  rng::Stream rng(seed, kDesignKey);
  Eigen::Index b = 0;
  for (Eigen::Index i = 0; i < n; ++i)
    for (int k = 0; k < levels; ++k)
      for (int r = 0; r < draws; ++r, ++b) {
        for (Eigen::Index j = 0; j < d; ++j) design.batch.z(j, b) = rng.normal();
        design.batch.x.col(b) = schedule.alpha[k] * data.col(i) + schedule.sigma[k] * design.batch.z.col(b);
        design.batch.level[static_cast<std::size_t>(b)] = k;
      }
  design.eps_star = empirical_optimal_eps(schedule, data, design.batch.x, design.batch.level);
  design.irreducible = 0.5 * (design.eps_star - design.batch.z).squaredNorm() / static_cast<double>(size);
  return design;
}

SamplerNoise draw_sampler_noise(rng::Stream& rng, int dim, int levels, int samples) {
  auto block = [&] {
    Mat m(dim, samples);
    for (Eigen::Index c = 0; c < m.cols(); ++c)
      for (Eigen::Index r = 0; r < m.rows(); ++r) m(r, c) = rng.normal();
    return m;
  };
  SamplerNoise noise;
  noise.start = block();
  for (int k = 1; k < levels; ++k) noise.steps.push_back(block());
  return noise;
}

SamplerNoise make_sampler_noise(int dim, int levels, int samples, std::uint64_t seed) {
  rng::Stream rng(seed, kSamplerKey);
  return draw_sampler_noise(rng, dim, levels, samples);
}

double sharpness(const ScoreNet& net, const Vec& theta, const Batch& design, Vec& direction, int iterations) {
  const Eigen::Index begin = net.trainable_begin();
  direction.head(begin).setZero();
  Vec hv;
  Workspace ws;
  double lambda = 0;
  for (int it = 0; it < iterations; ++it) {
    const double norm = direction.norm();
    if (!(norm > 0)) return 0;
    direction /= norm;
    net.hessian_vector(theta, design, direction, hv, ws);
    lambda = direction.dot(hv);  // Rayleigh quotient of the unit iterate
    direction = hv;
  }
  direction.normalize();
  return lambda;
}

}  // namespace fw::train
