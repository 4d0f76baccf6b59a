// The stationary covariance of constant-step SGD predicted by the discrete
// Lyapunov equation S = (I + eta J) S (I + eta J)^T + eta^2 Sigma:
//  - exact for SGD on a quadratic loss with Gaussian noise (a linear
//    recursion): against an independent Kronecker solve and a simulation;
//  - to O(eta) on a nonlinear finite sum with minibatch noise (a robust
//    regression), against a simulation at a small step, sharp enough to tell
//    sampling with replacement from sampling without.
#include <catch2/catch.hpp>

#include <cmath>
#include <numbers>

#include "analyze/sgd_covariance.hpp"
#include "fwkit/model/expression.hpp"
#include "fwkit/model/lyapunov.hpp"
#include "fwkit/model/noise.hpp"
#include "sim/ensemble.hpp"

using namespace fw;

namespace {

/// S from vec(S) = (I - A (x) A)^{-1} vec(Q): the independent solve.
Mat kronecker_solve(const Mat& a, const Mat& q) {
  const Eigen::Index d = a.rows();
  Mat k = Mat::Identity(d * d, d * d);
  for (Eigen::Index i = 0; i < d; ++i)
    for (Eigen::Index j = 0; j < d; ++j) k.block(i * d, j * d, d, d) -= a(i, j) * a;
  const Vec s = k.fullPivLu().solve(Eigen::Map<const Vec>(q.data(), d * d));
  return Eigen::Map<const Mat>(s.data(), d, d);
}

sim::Summary simulate(const model::Model& m, const Vec& x0, double eta, std::int64_t steps, std::uint64_t seed) {
  sim::Options o;
  o.step.eta = eta;
  o.members = 1000;
  o.steps = steps;
  o.burn_in = steps / 10;
  o.stride = 2;
  o.batches = 20;
  o.seed = seed;
  auto s = sim::EnsembleState::start(o, x0);
  sim::advance(m, o, s, o.steps);
  return sim::summarize(o, s);
}

}  // namespace

TEST_CASE("discrete Lyapunov by doubling: the Kronecker solution, and divergence beyond stability",
          "[sim][validation][lyapunov]") {
  Mat a(3, 3), q(3, 3);
  a << 0.9, 0.2, 0.0, -0.1, 0.7, 0.3, 0.05, 0.0, 0.5;
  q << 1.0, 0.3, 0.1, 0.3, 0.8, -0.2, 0.1, -0.2, 0.6;
  const auto r = model::discrete_lyapunov(a, q);
  REQUIRE(r.converged);
  CHECK((r.sigma - kronecker_solve(a, q)).cwiseAbs().maxCoeff() < 1e-12 * r.sigma.cwiseAbs().maxCoeff());
  CHECK(r.residual < 1e-13);
  const auto unstable = model::discrete_lyapunov(1.01 * Mat::Identity(3, 3), q);
  CHECK_FALSE(unstable.converged);
}

TEST_CASE("SGD on a quadratic with Gaussian noise keeps the discrete Lyapunov covariance",
          "[sim][validation][lyapunov]") {
  // f = x^T H x / 2 with H = [[2, 0.6], [0.6, 0.5]], Z ~ N(0, C): the
  // recursion x' = (I - eta H) x + eta Z is linear, so S is exact.
  model::ExpressionSpec spec;
  spec.variables = {"x", "y"};
  spec.loss = "x^2 + 0.6*x*y + 0.25*y^2";
  std::shared_ptr<const model::System> quad = model::make_expression_system(spec);
  Mat c(2, 2);
  c << 1.0, -0.4, -0.4, 2.0;
  const model::Model m{quad, model::make_gaussian_noise(c)};
  const double eta = 0.3;
  const Mat j = quad->jacobian_at(Vec::Zero(2));
  const auto p = model::sgd_stationary_covariance(j, c, eta);
  REQUIRE(p.converged);
  const Mat a = Mat::Identity(2, 2) + eta * j;
  CHECK((p.sigma - kronecker_solve(a, eta * eta * c)).cwiseAbs().maxCoeff() < 1e-13);
  const sim::Summary s = simulate(m, Vec::Zero(2), eta, 8000, 31);
  for (int k = 0; k < 2; ++k) {
    INFO("coordinate " << k << ": variance " << s.variance[k].value << " +- " << s.variance[k].standard_error
                       << ", predicted " << p.sigma(k, k));
    CHECK(std::abs(s.variance[k].value - p.sigma(k, k)) < 4 * s.variance[k].standard_error);
    // The continuous-time answer (eta -> 0, the Lyapunov equation in J) is
    // rejected: the step's correction is resolved.
    const Mat cont = eta * model::lyapunov_covariance(j, c);
    CHECK(std::abs(s.variance[k].value - cont(k, k)) > 10 * s.variance[k].standard_error);
  }
}

TEST_CASE("minibatch SGD on a robust regression: the predicted covariance at a small step",
          "[sim][validation][lyapunov][minibatch]") {
  // 40 points t_i on [-2, 2], y_i = 1.5 t_i + 0.3 + 0.3 Cauchy quantiles,
  // Cauchy loss; batches of 4 without replacement.
  const int n = 40;
  std::vector<double> t(n), y(n);
  for (int i = 0; i < n; ++i) {
    t[i] = -2 + 4.0 * i / (n - 1);
    const double u = std::fmod(0.5 + 0.6180339887498949 * (i + 1), 1.0);  // spread over (0, 1)
    y[i] = 1.5 * t[i] + 0.3 + 0.3 * std::tan(std::numbers::pi * (u - 0.5));
  }
  model::FiniteSumSpec spec;
  spec.variables = {"slope", "intercept"};
  spec.component = "0.5*log(1 + (y - slope*t - intercept)^2)";
  spec.data = {{"t", t}, {"y", y}};
  std::shared_ptr<const model::System> fs = model::make_finite_sum_system(spec);
  const model::Model without{fs, model::make_minibatch_noise(fs, 4, false)};
  const model::Model with{fs, model::make_minibatch_noise(fs, 4, true)};
  // The minimum, by gradient descent from the least-squares-like start.
  Vec x = (Vec(2) << 1.5, 0.3).finished();
  for (int it = 0; it < 20000; ++it) x += 0.5 * fs->drift_at(x);
  REQUIRE(fs->drift_at(x).norm() < 1e-12);
  const double eta = 0.01;
  analyze::Result eq;
  analyze::Equilibrium e;
  e.x = x;
  e.stability = analyze::Stability::kStable;
  eq.equilibria.push_back(e);
  const Mat s_without = analyze::predict_sgd_covariance(without, eq, eta).at(0).covariance;
  const Mat s_with = analyze::predict_sgd_covariance(with, eq, eta).at(0).covariance;
  const sim::Summary s = simulate(without, x, eta, 30000, 77);
  for (int k = 0; k < 2; ++k) {
    const auto& v = s.variance[k];
    INFO("coordinate " << k << ": variance " << v.value << " +- " << v.standard_error << ", predicted "
                       << s_without(k, k) << " (with replacement " << s_with(k, k) << ")");
    CHECK(std::abs(v.value - s_without(k, k)) < 4 * v.standard_error);
    CHECK(std::abs(v.value - s_with(k, k)) > 6 * v.standard_error);  // (n - 1)/(n - B) = 1.083
  }
}
