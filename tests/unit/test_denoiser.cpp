// The closed-form denoisers of the generalization-gap paper against direct
// quadrature of the posterior mean, the probability-flow sampler's observed
// order on a law whose flow is known exactly and its output law on a
// blurred mixture, and the Fréchet distance against its closed form.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

#include "fwkit/rng/stream.hpp"
#include "train/denoiser.hpp"
#include "train/diffusion.hpp"
#include "train/generalization.hpp"

using namespace fw;

namespace {

/// E[y0 | x] for y0 ~ (1/n) sum_i N(y_i, delta^2), x = y0 + sigma n, in 1-D,
/// by the trapezoid rule over y0 (spectrally accurate for Gaussian tails).
double posterior_mean_1d(const std::vector<double>& y, double delta, double sigma, double x) {
  const double lo = std::min(*std::min_element(y.begin(), y.end()) - 12 * delta, x - 12 * sigma);
  const double hi = std::max(*std::max_element(y.begin(), y.end()) + 12 * delta, x + 12 * sigma);
  const int n = 40001;
  const double h = (hi - lo) / (n - 1);
  double num = 0, den = 0;
  for (int k = 0; k < n; ++k) {
    const double y0 = lo + k * h;
    double prior = 0;
    for (double yi : y) prior += std::exp(-0.5 * std::pow((y0 - yi) / delta, 2));
    const double w = prior * std::exp(-0.5 * std::pow((x - y0) / sigma, 2));
    num += w * y0;
    den += w;
  }
  return num / den;
}

Mat row(const std::vector<double>& v) {
  Mat m(1, static_cast<Eigen::Index>(v.size()));
  for (std::size_t i = 0; i < v.size(); ++i) m(0, static_cast<Eigen::Index>(i)) = v[i];
  return m;
}

}  // namespace

TEST_CASE("blurred denoiser: the closed form is the posterior mean of the blurred mixture (1-D quadrature)", "[train][gap]") {
  const std::vector<double> y{-2.0, 0.5, 1.0, 4.0};
  const Mat data = row(y);
  for (double delta : {0.2, 0.7}) {
    for (double sigma : {0.05, 0.3, 1.0, 5.0}) {
      for (double x : {-3.0, 0.0, 0.8, 2.6, 7.0}) {
        const double closed = train::blurred_denoiser(data, Mat::Constant(1, 1, x), sigma, delta)(0, 0);
        const double quad = posterior_mean_1d(y, delta, sigma, x);
        INFO("delta " << delta << " sigma " << sigma << " x " << x);
        CHECK(closed == Approx(quad).margin(1e-9));
      }
    }
  }
}

TEST_CASE("blurred denoiser: 2-D posterior mean by a product trapezoid rule", "[train][gap]") {
  Mat data(2, 3);
  data << 0.0, 1.0, -0.5, 0.0, 0.5, 1.2;
  const double delta = 0.4, sigma = 0.6;
  Mat x(2, 2);
  x << 0.3, -1.0, 0.2, 2.0;
  const Mat closed = train::blurred_denoiser(data, x, sigma, delta);
  const int n = 601;
  const double lo = -6, hi = 7, h = (hi - lo) / (n - 1);
  for (Eigen::Index b = 0; b < x.cols(); ++b) {
    double den = 0, n0 = 0, n1 = 0;
    for (int i = 0; i < n; ++i)
      for (int j = 0; j < n; ++j) {
        const double u = lo + i * h, v = lo + j * h;
        double prior = 0;
        for (Eigen::Index c = 0; c < data.cols(); ++c)
          prior += std::exp(-0.5 * (std::pow(u - data(0, c), 2) + std::pow(v - data(1, c), 2)) / (delta * delta));
        const double w = prior * std::exp(-0.5 * (std::pow(x(0, b) - u, 2) + std::pow(x(1, b) - v, 2)) / (sigma * sigma));
        den += w;
        n0 += w * u;
        n1 += w * v;
      }
    CHECK(closed(0, b) == Approx(n0 / den).margin(1e-8));
    CHECK(closed(1, b) == Approx(n1 / den).margin(1e-8));
  }
}

TEST_CASE("optimal denoiser: snaps to the nearest point at small sigma, the mean at large sigma, no overflow", "[train][gap]") {
  const Mat data = row({-1.0, 0.0, 3.0});
  CHECK(train::optimal_denoiser(data, Mat::Constant(1, 1, 2.4), 1e-3)(0, 0) == Approx(3.0).margin(1e-12));
  CHECK(train::optimal_denoiser(data, Mat::Constant(1, 1, 2.4), 1e6)(0, 0) == Approx(2.0 / 3).margin(1e-6));
  CHECK(std::isfinite(train::optimal_denoiser(data, Mat::Constant(1, 1, 1e6), 1e-6)(0, 0)));
  CHECK(train::blurred_denoiser(data, Mat::Constant(1, 1, 0.7), 0.4, 0.0)(0, 0) ==
        train::optimal_denoiser(data, Mat::Constant(1, 1, 0.7), 0.4)(0, 0));
}

TEST_CASE("EDM schedule: ends, monotone, rho = 1 is linear", "[train][gap]") {
  const auto s = train::edm_sigmas(0.002, 80, 18, 7);
  REQUIRE(s.size() == 18);
  CHECK(s.front() == 80);
  CHECK(s.back() == 0.002);
  for (std::size_t i = 1; i < s.size(); ++i) CHECK(s[i] < s[i - 1]);
  const auto lin = train::edm_sigmas(1, 4, 4, 1);
  CHECK(lin[1] == Approx(3));
  CHECK(lin[2] == Approx(2));
}

TEST_CASE("probability flow: Euler order 1, Heun order 2 on a Gaussian law whose flow is exact", "[train][gap]") {
  // Data N(mu, s0^2 I): D(x, sigma) = (s0^2 x + sigma^2 mu) / (s0^2 + sigma^2) and the flow
  // maps x(sigma_max) to mu + (x - mu) sqrt((s0^2 + sigma^2) / (s0^2 + sigma_max^2)).
  const double s0 = 0.7, smax = 20, smin = 0.01;
  Vec mu(2);
  mu << 1.0, -2.0;
  const train::Denoiser gauss = [&](const Mat& x, int, double sigma, Mat& out) {
    out = (s0 * s0 * x + sigma * sigma * mu.replicate(1, x.cols())) / (s0 * s0 + sigma * sigma);
  };
  Mat start(2, 3);
  start << 15.0, -30.0, 4.0, 8.0, 22.0, -11.0;
  const Mat exact = (mu.replicate(1, 3) + (start - mu.replicate(1, 3)) * std::sqrt((s0 * s0 + smin * smin) / (s0 * s0 + smax * smax)));
  for (auto method : {train::FlowMethod::kEuler, train::FlowMethod::kHeun}) {
    std::vector<double> err;
    for (int n : {16, 32, 64, 128}) {
      const auto sig = train::edm_sigmas(smin, smax, n, 7);
      const auto r = train::probability_flow(gauss, sig, start, method, {n - 1});
      err.push_back((r.stop_states[0] - exact).cwiseAbs().maxCoeff());
    }
    const double order = std::log2(err[2] / err[3]);
    INFO(train::to_string(method) << " errors " << err[0] << " " << err[1] << " " << err[2] << " " << err[3]);
    if (method == train::FlowMethod::kEuler) CHECK(order == Approx(1).margin(0.15));
    else CHECK(order == Approx(2).margin(0.2));
  }
}

TEST_CASE("probability flow: the blurred model's samples follow the blurred mixture", "[train][gap]") {
  // Started from the exact law at sigma_max (a point y_i plus N(0, (delta^2 + sigma_max^2) I)),
  // the flow carries it to the mixture of N(y_i, (delta^2 + sigma_min^2) I): each point gets
  // 1/n of the states and the mean squared distance to it is d (delta^2 + sigma_min^2).
  Mat data(2, 4);
  data << 0, 6, 0, -6, 6, 0, -6, 0;
  const double delta = 0.5, smax = 60, smin = 0.02;
  const int m = 4000;
  rng::Stream rng(17, 3);
  Mat start(2, m);
  for (int j = 0; j < m; ++j) {
    const auto i = static_cast<Eigen::Index>(rng.below(4));
    for (int c = 0; c < 2; ++c) start(c, j) = data(c, i) + std::sqrt(delta * delta + smax * smax) * rng.normal();
  }
  const auto sig = train::edm_sigmas(smin, smax, 80, 7);
  const auto r = train::probability_flow(train::blurred_denoiser(data, delta), sig, start, train::FlowMethod::kHeun, {79});
  std::vector<double> count(4, 0.0);
  double sq = 0;
  for (int j = 0; j < m; ++j) {
    Eigen::Index best;
    sq += (data.colwise() - r.stop_states[0].col(j)).colwise().squaredNorm().minCoeff(&best);
    count[static_cast<std::size_t>(best)] += 1;
  }
  double chi2 = 0;
  for (double c : count) chi2 += std::pow(c - m / 4.0, 2) / (m / 4.0);
  CHECK(chi2 < 16.3);  // 3 degrees of freedom: P(chi2 > 16.3) = 0.001
  // |x - y|^2 / v is chi-square with 2 degrees of freedom: mean 2, sd 2; 4 standard errors.
  const double v = delta * delta + smin * smin;
  CHECK(sq / m / v == Approx(2).margin(4 * 2 / std::sqrt(m)));
}

TEST_CASE("Fréchet distance: the closed form for commuting covariances, zero for one set", "[train][gap]") {
  // Sets whose sample mean and covariance are exact: +-a e1, +-b e2 around a mean.
  auto set = [](double a, double b, double m0, double m1) {
    Mat s(2, 4);
    s << m0 + a, m0 - a, m0, m0, m1, m1, m1 + b, m1 - b;
    return s;
  };
  const Mat p = set(1.0, 2.0, 0.0, 0.0), q = set(3.0, 0.5, 1.0, -1.0);
  // covariance of set(a, b): diag(2 a^2 / 3, 2 b^2 / 3) (divisor n - 1 = 3)
  const double k = std::sqrt(2.0 / 3);
  const double expected = 2 + std::pow(k * 1 - k * 3, 2) + std::pow(k * 2 - k * 0.5, 2);
  CHECK(train::frechet_distance(p, q) == Approx(expected).epsilon(1e-12));
  CHECK(train::frechet_distance(p, p) == Approx(0).margin(1e-12));
  // Non-commuting: rotate q by 30 degrees about its mean; W2^2 for 2x2 against an independent formula
  // tr(A) + tr(B) - 2 sqrt(tr(AB) + 2 sqrt(det(AB))) (for 2x2 PSD, tr sqrt(M) = sqrt(tr M + 2 sqrt(det M))).
  Eigen::Matrix2d rot;
  const double c = std::cos(0.5236), s = std::sin(0.5236);
  rot << c, -s, s, c;
  const Mat qr = rot * q;
  const Mat ca = (p.colwise() - p.rowwise().mean()) * (p.colwise() - p.rowwise().mean()).transpose() / 3;
  const Mat cb = (qr.colwise() - qr.rowwise().mean()) * (qr.colwise() - qr.rowwise().mean()).transpose() / 3;
  const Mat ab = ca * cb;
  const double w2 = (p.rowwise().mean() - qr.rowwise().mean()).squaredNorm() + ca.trace() + cb.trace() -
                    2 * std::sqrt(ab.trace() + 2 * std::sqrt(ab.determinant()));
  CHECK(train::frechet_distance(p, qr) == Approx(w2).epsilon(1e-10));
}

TEST_CASE("network denoiser: the empirical-optimal noise of the VP levels is the optimal EDM denoiser", "[train][gap]") {
  // x in EDM coordinates at level k is the VP state x_k / alpha_k; eps* of the VP mixture turned
  // into D(x, s_k) = x - s_k eps*(alpha_k x, k) must be D*(x, s_k) of the same points.
  Mat data(2, 3);
  data << 1.0, -2.0, 0.5, 0.0, 1.5, -1.0;
  const train::Schedule sc = train::Schedule::edm(0.02, 40, 8, 7);
  const auto ve = sc.ve_sigma();
  const auto edm = train::edm_sigmas(0.02, 40, 8, 7);
  for (int k = 0; k < 8; ++k) CHECK(ve[static_cast<std::size_t>(k)] == Approx(edm[static_cast<std::size_t>(7 - k)]).epsilon(1e-12));
  const train::EpsModel exact = [&](const Mat& x, int level, Mat& eps) {
    eps = train::empirical_optimal_eps(sc, data, x, std::vector<int>(static_cast<std::size_t>(x.cols()), level));
  };
  const train::Denoiser d = train::denoiser_of(sc, exact, false);
  rng::Stream rng(3, 1);
  Mat x(2, 5);
  for (Eigen::Index c = 0; c < x.cols(); ++c) x.col(c) << 3 * rng.normal(), 3 * rng.normal();
  for (int k = 0; k < 8; ++k) {
    Mat out;
    d(x, k, ve[static_cast<std::size_t>(k)], out);
    const Mat ref = train::optimal_denoiser(data, x, ve[static_cast<std::size_t>(k)]);
    INFO("level " << k << " s " << ve[static_cast<std::size_t>(k)]);
    CHECK((out - ref).cwiseAbs().maxCoeff() < 1e-9 * (1 + ve[static_cast<std::size_t>(k)]));
    // Walking the grid downwards, index i is level K - 1 - i.
    Mat down;
    train::denoiser_of(sc, exact, true)(x, 7 - k, ve[static_cast<std::size_t>(k)], down);
    CHECK((down - out).cwiseAbs().maxCoeff() == 0);
  }
}
