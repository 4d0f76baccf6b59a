// Lambda_x frozen at one state (the inner problem's fast path) against the
// noise models' own log_mgf, and the tilted log-sum-exp against its
// definition in every dimension.
#include <catch2/catch.hpp>

#include <cmath>

#include "fwkit/model/inner_problem.hpp"
#include "fwkit/model/tilted.hpp"
#include "noise_fixtures.hpp"

using namespace fw;

TEST_CASE("a frozen law gives the noise model's Lambda, gradient and Hessian at its state", "[noise]") {
  const Vec x = (Vec(2) << 0.4, -0.3).finished();
  auto fs = test::finite_sum_system();
  auto models = test::all_noise_models();
  model::MinibatchOptions gauss;
  gauss.batch = 2;
  gauss.replacement = false;
  gauss.gaussian_lambda = true;
  models.push_back({"minibatch B=2, Gaussian Lambda", model::make_minibatch_noise(fs, gauss), fs});
  for (const auto& [name, noise, system] : models) {
    INFO(name);
    const auto frozen = noise->frozen_at(x);
    for (const Vec& p : {Vec((Vec(2) << 0.3, -0.7).finished()), Vec((Vec(2) << -2.0, 1.5).finished())}) {
      double v0 = 0, v1 = 0;
      Vec g0, g1;
      Mat h0, h1;
      noise->log_mgf(x, p, model::MgfRequest{&v0, &g0, &h0});
      frozen->log_mgf(p, model::MgfRequest{&v1, &g1, &h1});
      CHECK(v1 == Approx(v0).epsilon(1e-13).margin(1e-14));
      CHECK((g1 - g0).norm() <= 1e-13 * (1 + g0.norm()));
      CHECK((h1 - h0).norm() <= 1e-13 * (1 + h0.norm()));
    }
  }
}

TEST_CASE("the tilted log-sum-exp equals its definition in dimensions 1 to 5, also far in the tail", "[noise]") {
  for (int d = 1; d <= 5; ++d) {
    INFO("d = " << d);
    const int count = 7;
    Mat atoms(d, count);
    Vec q(count);
    for (int k = 0; k < count; ++k) {
      q[k] = 1.0 + 0.3 * k;
      for (int j = 0; j < d; ++j) atoms(j, k) = std::sin(1.7 * k + 0.9 * j + 0.3);
    }
    q /= q.sum();
    const Vec log_q = q.array().log().matrix();
    for (double scale : {0.5, 40.0}) {
      Vec p(d);
      for (int j = 0; j < d; ++j) p[j] = scale * std::cos(0.4 + 1.1 * j);
      // The definition, in long double: log sum q_k e^{<p, c_k>}, the tilted mean and covariance.
      long double amax = -1e300L;
      for (int k = 0; k < count; ++k) amax = std::max(amax, static_cast<long double>(log_q[k] + p.dot(atoms.col(k))));
      long double total = 0;
      std::vector<long double> w(count);
      for (int k = 0; k < count; ++k) total += w[k] = std::exp(log_q[k] + p.dot(atoms.col(k)) - amax);
      Vec mean = Vec::Zero(d);
      for (int k = 0; k < count; ++k) mean += static_cast<double>(w[k] / total) * atoms.col(k);
      Mat cov = Mat::Zero(d, d);
      for (int k = 0; k < count; ++k)
        cov += static_cast<double>(w[k] / total) * (atoms.col(k) - mean) * (atoms.col(k) - mean).transpose();
      double value = 0;
      Vec grad;
      Mat hess;
      model::tilted_log_mgf(atoms, log_q, p, model::MgfRequest{&value, &grad, &hess});
      CHECK(value == Approx(static_cast<double>(amax + std::log(total))).epsilon(1e-14));
      CHECK((grad - mean).norm() <= 1e-14 * (1 + mean.norm()));
      // Far in the tail the law sits on one atom: the covariance is tiny and
      // must not come out of a cancellation (the atoms span two directions,
      // so in d > 2 it is singular: positive semi-definite to rounding).
      CHECK((hess - cov).norm() <= 1e-13 * cov.norm() + 1e-300);
      CHECK(hess.selfadjointView<Eigen::Lower>().eigenvalues().minCoeff() >= -1e-14 * cov.norm());
      // With a batch of B: B T(p / B).
      const model::TiltedLaw law(atoms, log_q, 4);
      double vb = 0;
      Vec gb;
      Mat hb;
      law.log_mgf(p, model::MgfRequest{&vb, &gb, &hb});
      double v4 = 0;
      Vec g4;
      Mat h4;
      model::tilted_log_mgf(atoms, log_q, p / 4, model::MgfRequest{&v4, &g4, &h4});
      CHECK(vb == Approx(4 * v4).epsilon(1e-15));
      CHECK((gb - g4).norm() == 0);
      CHECK((hb - h4 / 4).norm() <= 1e-16 * h4.norm());
    }
  }
}

TEST_CASE("the inner problem from a warm start reaches the cold start's root", "[action]") {
  const Vec x = (Vec(2) << 0.4, -0.3).finished();
  auto fs = test::finite_sum_system();
  const model::Hamiltonian h(model::Model{fs, model::make_minibatch_noise(fs, 1, true)},
                             model::HamiltonianKind::kDiscrete);
  Vec v = (Vec(2) << 0.7, 0.2).finished();
  Vec p_cold;
  double l_cold = 0;
  REQUIRE(model::optimal_momentum(h, x, v, p_cold, l_cold));
  // Warm from a neighbour's root (the direction turned by 0.05 rad).
  const double c = std::cos(0.05), s = std::sin(0.05);
  const Vec w = (Vec(2) << c * v[0] - s * v[1], s * v[0] + c * v[1]).finished();
  Vec p;
  double lambda = 0;
  REQUIRE(model::optimal_momentum(h, x, w, p, lambda));
  model::MomentumOptions warm;
  warm.warm = true;
  REQUIRE(model::optimal_momentum(h, x, v, p, lambda, warm));
  CHECK((p - p_cold).norm() <= 1e-10 * (1 + p_cold.norm()));
  CHECK(lambda == Approx(l_cold).epsilon(1e-10));
  // A useless warm start (a root of the opposite velocity, lambda < 0 side)
  // falls back to the closed-form start and still finds the root.
  Vec bad = -p_cold;
  double bad_l = -l_cold;
  REQUIRE(model::optimal_momentum(h, x, v, bad, bad_l, warm));
  CHECK((bad - p_cold).norm() <= 1e-10 * (1 + p_cold.norm()));
}
