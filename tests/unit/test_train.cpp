// The diffusion-model training layer: the score network's backward and
// Hessian-vector passes against finite differences, the empirical-optimal
// score against a direct formula, the reverse samplers on laws whose answer
// is known, and episode detection on hand-made label sequences.
#include <catch2/catch.hpp>

#include <cmath>

#include "fwkit/core/error.hpp"
#include "train/trainer.hpp"

using namespace fw;

namespace {

train::Batch random_batch(int dim, int levels, int size, std::uint64_t seed) {
  rng::Stream rng(seed, 0);
  train::Batch b{Mat(dim, size), std::vector<int>(static_cast<std::size_t>(size)), Mat(dim, size)};
  for (int c = 0; c < size; ++c) {
    for (int r = 0; r < dim; ++r) {
      b.x(r, c) = 1.5 * rng.normal();
      b.z(r, c) = rng.normal();
    }
    b.level[static_cast<std::size_t>(c)] = static_cast<int>(rng.below(static_cast<std::uint64_t>(levels)));
  }
  return b;
}

}  // namespace

TEST_CASE("score network: backward pass agrees with central differences of the loss", "[train]") {
  for (bool rf : {false, true}) {
    const train::ScoreNet net({2, 3, 7, rf});
    rng::Stream rng(5, 1);
    Vec theta = net.initial_parameters(rng);
    for (Eigen::Index i = 0; i < theta.size(); ++i) theta[i] += 0.1 * rng.normal();  // non-zero biases too
    const train::Batch batch = random_batch(2, 3, 11, 9);
    Vec g;
    net.loss(theta, batch, &g);
    REQUIRE(g.size() == net.parameter_count());
    const double h = 1e-6;
    double worst = 0;
    for (Eigen::Index i = net.trainable_begin(); i < theta.size(); ++i) {
      Vec up = theta, down = theta;
      up[i] += h;
      down[i] -= h;
      const double fd = (net.loss(up, batch, nullptr) - net.loss(down, batch, nullptr)) / (2 * h);
      worst = std::max(worst, std::abs(fd - g[i]) / std::max(1.0, std::abs(g[i])));
    }
    CHECK(worst < 1e-7);
    if (rf) CHECK(g.head(net.trainable_begin()).lpNorm<Eigen::Infinity>() == 0.0);
  }
}

TEST_CASE("score network: Hessian-vector product agrees with differences of gradients", "[train]") {
  for (bool rf : {false, true}) {
    const train::ScoreNet net({1, 4, 9, rf});
    rng::Stream rng(11, 2);
    Vec theta = net.initial_parameters(rng);
    for (Eigen::Index i = 0; i < theta.size(); ++i) theta[i] += 0.1 * rng.normal();
    Vec v(theta.size());
    for (Eigen::Index i = 0; i < v.size(); ++i) v[i] = rng.normal();
    if (rf) v.head(net.trainable_begin()).setZero();
    const train::Batch batch = random_batch(1, 4, 13, 3);
    Vec hv, gu, gd;
    net.hessian_vector(theta, batch, v, hv);
    const double h = 1e-6;
    net.loss(theta + h * v, batch, &gu);
    net.loss(theta - h * v, batch, &gd);
    const Vec fd = (gu - gd) / (2 * h);
    CHECK((fd - hv).norm() < 1e-6 * std::max(1.0, hv.norm()));
    // The Hessian is symmetric: <w, H v> = <v, H w>.
    Vec w(theta.size()), hw;
    for (Eigen::Index i = 0; i < w.size(); ++i) w[i] = rng.normal();
    if (rf) w.head(net.trainable_begin()).setZero();
    net.hessian_vector(theta, batch, w, hw);
    CHECK(std::abs(w.dot(hv) - v.dot(hw)) < 1e-10 * std::max(1.0, std::abs(w.dot(hv))));
  }
}

TEST_CASE("random features: the loss is a quadratic whose Hessian is the feature Gram matrix", "[train]") {
  // Linear in the output layer: L(theta + s v) is exactly quadratic in s, so
  // the second difference equals <v, H v> for any step s.
  const train::ScoreNet net({1, 2, 5, true});
  rng::Stream rng(2, 2);
  const Vec theta = net.initial_parameters(rng);
  Vec v = Vec::Zero(theta.size());
  for (Eigen::Index i = net.trainable_begin(); i < v.size(); ++i) v[i] = rng.normal();
  const train::Batch batch = random_batch(1, 2, 8, 4);
  Vec hv;
  net.hessian_vector(theta, batch, v, hv);
  const double s = 0.7;
  const double second = (net.loss(theta + s * v, batch, nullptr) - 2 * net.loss(theta, batch, nullptr) +
                         net.loss(theta - s * v, batch, nullptr)) / (s * s);
  CHECK(second == Approx(v.dot(hv)).epsilon(1e-10));
}

TEST_CASE("empirical-optimal eps agrees with the derivative of the log mixture density", "[train]") {
  const train::Schedule sc = train::Schedule::geometric(0.05, 2.0, 3);
  Mat data(2, 3);
  data << -1.0, 0.5, 1.2, 0.3, -0.7, 0.9;
  // log p_k(x) = log (1/n) sum_i N(x; alpha x_i, sigma^2 I), summed directly.
  auto log_p = [&](const Vec& x, int k) {
    const double a = sc.alpha[static_cast<std::size_t>(k)], s = sc.sigma[static_cast<std::size_t>(k)];
    double sum = 0;
    for (int i = 0; i < 3; ++i) sum += std::exp(-(x - a * data.col(i)).squaredNorm() / (2 * s * s)) / (2 * M_PI * s * s);
    return std::log(sum / 3);
  };
  Mat x(2, 4);
  x << 0.1, -0.8, 1.0, 0.4, 0.2, 0.0, 0.6, -0.5;
  for (int k = 0; k < 3; ++k) {
    const std::vector<int> level(4, k);
    const Mat eps = train::empirical_optimal_eps(sc, data, x, level);
    for (int c = 0; c < 4; ++c)
      for (int r = 0; r < 2; ++r) {
        Vec up = x.col(c), down = x.col(c);
        const double h = 1e-5;
        up[r] += h;
        down[r] -= h;
        const double score = (log_p(up, k) - log_p(down, k)) / (2 * h);
        CHECK(eps(r, c) == Approx(-sc.sigma[static_cast<std::size_t>(k)] * score).epsilon(1e-6).margin(1e-8));
      }
  }
}

TEST_CASE("samplers: the exact score of one point returns that point", "[train]") {
  const train::Schedule sc = train::Schedule::geometric(1e-3, 5, 12);
  Mat data(1, 1);
  data << 0.7;
  const train::EpsModel exact = [&](const Mat& x, int level, Mat& eps) {
    eps = train::empirical_optimal_eps(sc, data, x, std::vector<int>(static_cast<std::size_t>(x.cols()), level));
  };
  const train::SamplerNoise noise = train::make_sampler_noise(1, 12, 50, 3);
  const Mat out = train::generate(sc, train::Sampler::kAncestral, exact, noise);
  CHECK((out.array() - 0.7).abs().maxCoeff() < 1e-12);
}

TEST_CASE("samplers: the exact Gaussian score reproduces the Gaussian's mean and variance", "[train]") {
  // Data law N(m, s^2): p_t = N(alpha m, alpha^2 s^2 + sigma^2), so
  // eps(x, t) = sigma (x - alpha m) / (alpha^2 s^2 + sigma^2). The output is
  // the denoised estimate at t_1, whose law is N(m, s^4 alpha^2 / (alpha^2 s^2 + sigma^2)).
  const double m = 0.8, s = 0.5;
  const train::Schedule sc = train::Schedule::geometric(1e-3, 8, 400);
  const train::EpsModel gauss = [&](const Mat& x, int k, Mat& eps) {
    const double a = sc.alpha[static_cast<std::size_t>(k)], sg = sc.sigma[static_cast<std::size_t>(k)];
    eps = sg * (x.array() - a * m) / (a * a * s * s + sg * sg);
  };
  const int samples = 20000;
  const train::SamplerNoise noise = train::make_sampler_noise(1, 400, samples, 8);
  const double a1 = sc.alpha[0], s1 = sc.sigma[0];
  const double var_expected = std::pow(s, 4) * a1 * a1 / (a1 * a1 * s * s + s1 * s1);
  for (auto kind : {train::Sampler::kAncestral, train::Sampler::kEulerMaruyama}) {
    const Mat out = train::generate(sc, kind, gauss, noise);
    const double mean = out.mean();
    const double var = (out.array() - mean).square().sum() / (samples - 1);
    INFO(train::to_string(kind) << " mean " << mean << " var " << var);
    CHECK(std::abs(mean - m) < 4 * s / std::sqrt(samples));
    // SE of a sample variance: var sqrt(2 / (n - 1)); allow 4 of them plus
    // the time-discretisation error of the 400-level grid (checked below 1%).
    CHECK(std::abs(var - var_expected) < 4 * var_expected * std::sqrt(2.0 / samples) + 0.01 * var_expected);
  }
}

TEST_CASE("samplers: the empirical-optimal score memorizes the training set", "[train]") {
  const train::Schedule sc = train::Schedule::geometric(1e-4, 6, 30);
  Mat data(1, 4);
  data << -1.5, -0.5, 0.5, 1.5;
  const train::EpsModel exact = [&](const Mat& x, int level, Mat& eps) {
    eps = train::empirical_optimal_eps(sc, data, x, std::vector<int>(static_cast<std::size_t>(x.cols()), level));
  };
  const Mat out = train::generate(sc, train::Sampler::kAncestral, exact, train::make_sampler_noise(1, 30, 400, 1));
  int near = 0;
  Vec hits = Vec::Zero(4);
  for (Eigen::Index j = 0; j < out.cols(); ++j) {
    Eigen::Index best;
    const double d = (data.row(0).array() - out(0, j)).abs().minCoeff(&best);
    if (d < 0.05) {
      ++near;
      hits[best] += 1;
    }
  }
  CHECK(near == 400);
  // Each point is reached about a quarter of the time (binomial SE ~ 0.022).
  CHECK((hits.array() / 400 - 0.25).abs().maxCoeff() < 0.09);
}

TEST_CASE("episodes: runs of one label, completed and censored", "[train]") {
  // Two samples, seven monitors, stride 10.
  // sample 0: 1 1 1 -1 2 2 2   -> episode (point 1, start 0, 30 steps); 2 censored
  // sample 1: -1 0 0 3 3 -1 -1 -> (0, 10, 20), (3, 30, 20)
  std::vector<train::MemberRecord> members(1);
  const int s0[] = {1, 1, 1, -1, 2, 2, 2}, s1[] = {-1, 0, 0, 3, 3, -1, -1};
  for (int t = 0; t < 7; ++t) {
    members[0].label.push_back(s0[t]);
    members[0].label.push_back(s1[t]);
  }
  const train::Episodes ep = train::find_episodes(members, 7, 2, 10);
  REQUIRE(ep.length_steps.size() == 3);
  CHECK(ep.censored == 1);
  CHECK(ep.point == std::vector<std::int64_t>{1, 0, 3});
  CHECK(ep.sample == std::vector<std::int64_t>{0, 1, 1});
  CHECK(ep.start_step == std::vector<std::int64_t>{0, 10, 30});
  CHECK(ep.length_steps == std::vector<std::int64_t>{30, 20, 20});
  // A member that diverged after step 25 only has monitors 0..2.
  members[0].diverged_at = 25;
  const train::Episodes cut = train::find_episodes(members, 7, 2, 10);
  CHECK(cut.length_steps.empty());
  CHECK(cut.censored == 2);
}

TEST_CASE("train: options are validated with the field, the value and the rule", "[train]") {
  train::Options o;
  o.self_consuming = 1.0;
  try {
    o.validate();
    FAIL("accepted self_consuming = 1");
  } catch (const Error& e) {
    CHECK(std::string(e.what()).find("train.self_consuming = 1: must be in [0, 1)") != std::string::npos);
    CHECK(e.code() == ExitCode::kConfig);
  }
  o = train::Options{};
  o.stride = o.steps + 1;
  CHECK_THROWS_AS(o.validate(), Error);
}

TEST_CASE("train: members are reproducible and independent of the thread count", "[train]") {
  train::Options o;
  o.width = 8;
  o.levels = 4;
  o.batch = 8;
  o.steps = 200;
  o.stride = 50;
  o.samples = 16;
  o.members = 3;
  o.self_consuming = 0.25;
  o.clip = 3;
  Mat data(1, 3);
  data << -1, 0, 1;
  o.threads = 1;
  const train::Result one = train::train(o, data);
  o.threads = 2;
  const train::Result two = train::train(o, data);
  for (std::size_t m = 0; m < 3; ++m) {
    CHECK(one.members[m].parameters == two.members[m].parameters);
    CHECK(one.members[m].label == two.members[m].label);
  }
  CHECK(one.members[0].parameters != one.members[1].parameters);
  REQUIRE(one.monitor_steps == std::vector<std::int64_t>{0, 50, 100, 150, 200});
  for (const auto& m : one.members) {
    CHECK(m.diverged_at == -1);
    for (std::size_t t = 0; t < 5; ++t) CHECK((m.memorization[t] >= 0 && m.memorization[t] <= 1));
  }
}

TEST_CASE("train: data_scale is a change of units, nothing else", "[train][gap]") {
  // Training on y / c with sigma, radius and stops divided by c, then reporting lengths times c and
  // losses times c^2, is what train_scaled does: the two must agree to rounding.
  train::Options o;
  o.width = 8;
  o.levels = 5;
  o.spacing = train::Spacing::kEdm;
  o.sigma_min = 0.05;
  o.sigma_max = 40;
  o.step.eta = 0.01;
  o.steps = 40;
  o.stride = 20;
  o.batch = 8;
  o.samples = 16;
  o.members = 2;
  o.gap_draws = 3;
  o.radius = 0.5;
  o.clip = 30;
  o.inference_stops = {1.0, 5.0};
  o.threads = 1;
  const double c = 4;
  train::Split split{Mat(2, 4), Mat(2, 3)};
  split.train << 4, -4, 0, 0, 0, 0, 4, -4;
  split.validation << 3, -3, 1, 2, -2, 3;
  train::Options inner = o;
  inner.sigma_min /= c;
  inner.sigma_max /= c;
  inner.radius /= c;
  inner.clip /= c;
  for (auto& s : inner.inference_stops) s /= c;
  const train::Result a = train::train_scaled(o, split, c);
  const train::Result b = train::train(inner, train::Split{split.train / c, split.validation / c});
  for (std::size_t m = 0; m < a.members.size(); ++m) {
    const auto& x = a.members[m];
    const auto& y = b.members[m];
    CHECK((x.samples - c * y.samples).cwiseAbs().maxCoeff() < 1e-9);
    CHECK(x.memorization == y.memorization);
    CHECK(x.loss == y.loss);
    for (std::size_t t = 0; t < x.gap.size(); ++t)
      for (std::size_t k = 0; k < x.gap[t].sigma.size(); ++k) {
        CHECK(x.gap[t].sigma[k] == Approx(c * y.gap[t].sigma[k]).epsilon(1e-12));
        CHECK(x.gap[t].loss_val[k] == Approx(c * c * y.gap[t].loss_val[k]).epsilon(1e-12));
        CHECK(x.gap[t].gap[k] == Approx(y.gap[t].gap[k]).epsilon(1e-12));
      }
    for (std::size_t s = 0; s < x.inference.size(); ++s) {
      CHECK(x.inference[s].sigma == Approx(c * y.inference[s].sigma).epsilon(1e-12));
      CHECK(x.inference[s].state_to_train.value == Approx(c * y.inference[s].state_to_train.value).epsilon(1e-12));
      CHECK(x.inference[s].frechet_val == Approx(c * c * y.inference[s].frechet_val).epsilon(1e-12));
    }
  }
  // The gap grid is the EDM levels in data units.
  CHECK(a.members[0].gap[0].sigma.front() == Approx(0.05).epsilon(1e-12));
  CHECK(a.members[0].gap[0].sigma.back() == Approx(40).epsilon(1e-12));
}
