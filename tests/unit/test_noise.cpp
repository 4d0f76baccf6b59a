#include <catch2/catch.hpp>

#include <cmath>

#include "fwkit/rng/stream.hpp"
#include "helpers.hpp"
#include "moment_check.hpp"
#include "noise_fixtures.hpp"

using namespace fw;
using namespace fw::model;

namespace {

const Vec kX = (Vec(2) << 0.4, -0.3).finished();

}  // namespace

TEST_CASE("i.i.d. noise: sample mean 0 and covariance Sigma(x)", "[noise]") {
  for (const auto& [name, noise, system] : test::all_noise_models()) {
    if (noise->chain_states() > 0) continue;  // Markov: see its own test
    INFO(name);
    rng::Stream s(2024, 1);
    const int n = 200000;
    test::MomentSums m(2);
    Vec z(2);
    for (int i = 0; i < n; ++i) {
      noise->sample(kX.data(), s, z.data());
      m.add(z);
    }
    m.check(noise->covariance(kX));
  }
}

TEST_CASE("Lambda_x(p) matches a Monte Carlo estimate of log E exp<p, Z>", "[noise]") {
  const std::vector<Vec> momenta{(Vec(2) << 0.5, -0.3).finished(), (Vec(2) << -0.8, 0.6).finished()};
  for (const auto& [name, noise, system] : test::all_noise_models()) {
    if (noise->chain_states() > 0) continue;
    INFO(name);
    for (const Vec& p : momenta) {
      rng::Stream s(77, 2);
      const int n = 200000;
      double m1 = 0, m2 = 0;
      Vec z(2);
      for (int i = 0; i < n; ++i) {
        noise->sample(kX.data(), s, z.data());
        const double e = std::exp(p.dot(z));
        m1 += e;
        m2 += e * e;
      }
      m1 /= n;
      const double se = std::sqrt((m2 / n - m1 * m1) / n);
      CHECK(std::abs(std::exp(noise->log_mgf(kX, p)) - m1) <= 5 * se);
    }
  }
}

TEST_CASE("Lambda_x(0) = 0, grad Lambda(0) = 0, Hess Lambda(0) = Sigma", "[noise]") {
  for (const auto& [name, noise, system] : test::all_noise_models()) {
    INFO(name);
    double v = 1;
    Vec g;
    Mat h;
    noise->log_mgf(kX, Vec::Zero(2), MgfRequest{&v, &g, &h});
    CHECK(std::abs(v) < 1e-13);
    CHECK(g.norm() < 1e-12);
    CHECK(test::rel_err(h, noise->covariance(kX)) < 1e-12);
  }
}

TEST_CASE("the p-gradient and p-Hessian of Lambda match finite differences", "[noise]") {
  const std::vector<Vec> momenta{(Vec(2) << 0.5, -0.3).finished(), (Vec(2) << -1.7, 2.1).finished(),
                                 (Vec(2) << 6.0, 4.0).finished()};
  for (const auto& [name, noise, system] : test::all_noise_models()) {
    INFO(name);
    for (const Vec& p : momenta) {
      Vec g;
      Mat h;
      noise->log_mgf(kX, p, MgfRequest{nullptr, &g, &h});
      const Vec fd_g = test::fd_gradient([&](const Vec& q) { return noise->log_mgf(kX, q); }, p);
      const Mat fd_h = test::fd_jacobian(
          [&](const Vec& q) {
            Vec gq;
            noise->log_mgf(kX, q, MgfRequest{nullptr, &gq, nullptr});
            return gq;
          },
          p);
      CHECK(test::rel_err(g, fd_g) < 1e-7);
      CHECK(test::rel_err(h, fd_h) < 1e-7);
    }
  }
}

TEST_CASE("minibatch Lambda without replacement equals enumeration over batches", "[noise]") {
  auto fs = test::finite_sum_system();
  auto noise = make_minibatch_noise(fs, 2, false);
  const FiniteSum& sum = *fs->finite_sum();
  const int n = sum.size();
  // Independent computation: Z_I = -(mean_{i in I} g_i - gbar) over the 10 pairs.
  std::vector<Vec> g(n, Vec(2));
  Vec gbar = Vec::Zero(2);
  for (int i = 0; i < n; ++i) {
    sum.component_gradient(i, kX.data(), g[i].data());
    gbar += g[i] / n;
  }
  const Vec p = (Vec(2) << 0.9, -1.4).finished();
  double acc = 0;
  int count = 0;
  for (int i = 0; i < n; ++i)
    for (int j = i + 1; j < n; ++j, ++count) acc += std::exp(p.dot(-((g[i] + g[j]) / 2 - gbar)));
  CHECK(noise->log_mgf(kX, p) == Approx(std::log(acc / count)).epsilon(1e-13));
  // The system's drift is minus the mean gradient.
  CHECK(test::rel_err(fs->drift_at(kX), -gbar) < 1e-14);
}

TEST_CASE("Rademacher Lambda is sum log cosh(s_j p_j)", "[noise]") {
  auto noise = make_rademacher_noise((Vec(2) << 0.7, 1.3).finished());
  const Vec p = (Vec(2) << 2.0, -0.4).finished();
  CHECK(noise->log_mgf(kX, p) == Approx(std::log(std::cosh(1.4)) + std::log(std::cosh(0.52))));
  // Linear growth, no overflow, for large |p|.
  const Vec big = (Vec(2) << 1e4, -1e4).finished();
  CHECK(noise->log_mgf(kX, big) == Approx(0.7e4 + 1.3e4 - 2 * std::log(2.0)));
}

TEST_CASE("Markov Lambda is the log Perron root of the tilted kernel", "[noise][markov]") {
  auto noise = test::markov_noise();
  const Vec p = (Vec(2) << 0.8, -0.5).finished();
  // Independent computation: power iteration on P diag(exp(<p, h(y')>)).
  const Mat kern = noise->kernel(kX);
  const Mat h = noise->increments(kX);
  Mat tilted = kern;
  for (int j = 0; j < 2; ++j) tilted.col(j) *= std::exp(p.dot(h.col(j)));
  Vec v = Vec::Ones(2);
  double rho = 0;
  for (int it = 0; it < 500; ++it) {
    const Vec w = tilted * v;
    rho = w.norm() / v.norm();
    v = w / w.norm();
  }
  const Vec b = h * noise->stationary(kX);
  CHECK(noise->log_mgf(kX, p) == Approx(std::log(rho) - p.dot(b)).epsilon(1e-12));
}

TEST_CASE("Markov stationary law, averaged drift and asymptotic covariance: closed forms", "[noise][markov]") {
  auto noise = test::markov_noise();
  const double a = 0.3 + 0.1 * std::tanh(kX[0]), c = 0.2 + 0.05 * std::sin(kX[1]);
  const Vec pi = (Vec(2) << c / (a + c), a / (a + c)).finished();
  CHECK(test::rel_err(noise->stationary(kX), pi) < 1e-14);
  const Mat h = noise->increments(kX);
  CHECK(test::rel_err(noise->averaged_drift(kX), h * pi) < 1e-14);
  // For a two-state chain with second eigenvalue lambda = 1 - a - c, the
  // asymptotic covariance of h(Y) is Var_pi(h) (1 + lambda) / (1 - lambda).
  const double lambda = 1 - a - c;
  const Vec dh = h.col(0) - h.col(1);
  const Mat var_pi = pi[0] * pi[1] * dh * dh.transpose();
  CHECK(test::rel_err(noise->covariance(kX), var_pi * (1 + lambda) / (1 - lambda)) < 1e-12);
}

TEST_CASE("Markov samples: mean 0 and batch-means covariance match Sigma", "[noise][markov]") {
  auto noise = test::markov_noise();
  rng::Stream s(99, 0);
  int state = -1;
  const int batches = 4000, length = 100;
  Vec z(2), total = Vec::Zero(2);
  Mat cov = Mat::Zero(2, 2);
  for (int b = 0; b < batches; ++b) {
    Vec batch = Vec::Zero(2);
    for (int i = 0; i < length; ++i) {
      noise->sample(kX.data(), s, z.data(), &state);
      batch += z;
    }
    total += batch;
    cov += batch * batch.transpose() / length;
  }
  cov /= batches;
  const Mat sigma = noise->covariance(kX);
  const double n = static_cast<double>(batches) * length;
  for (int i = 0; i < 2; ++i) {
    CHECK(std::abs(total[i] / n) < 5 * std::sqrt(sigma(i, i) / n));
    for (int j = 0; j < 2; ++j) {
      // Batch means: the estimate of each entry has standard error
      // sqrt((S_ii S_jj + S_ij^2) / batches); the bias is O(1/length).
      const double se = std::sqrt((sigma(i, i) * sigma(j, j) + sigma(i, j) * sigma(i, j)) / batches);
      CHECK(std::abs(cov(i, j) - sigma(i, j)) < 5 * se);
    }
  }
}

TEST_CASE("the Markov averaged drift has the exact Jacobian", "[noise][markov]") {
  auto noise = test::markov_noise();
  MarkovAverageSystem sys(noise);
  for (const Vec& x : {kX, Vec((Vec(2) << -1.2, 2.0).finished())}) {
    const Mat fd = test::fd_jacobian([&](const Vec& y) { return sys.drift_at(y); }, x);
    CHECK(test::rel_err(sys.jacobian_at(x), fd) < 1e-8);
  }
}

TEST_CASE("state-dependent Gaussian noise: exact grad_x Lambda", "[noise]") {
  for (const auto& [name, noise, system] : test::all_noise_models()) {
    INFO(name);
    const Vec p = (Vec(2) << 0.6, -1.1).finished();
    const Vec fd = test::fd_gradient([&](const Vec& y) { return noise->log_mgf(y, p); }, kX);
    CHECK(test::rel_err(noise->grad_x_log_mgf(kX, p), fd) < 1e-6);
  }
}
