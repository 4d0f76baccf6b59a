// Lane-parallel noise: the block samplers have the law of sample() (mean 0,
// covariance Sigma), lanes depend only on (seed, member, step), the exactly
// uniform index generator (with its rejection fallback), Floyd subsets, the
// batched finite-sum gradient, and the minibatch Lambda options.
#include <catch2/catch.hpp>

#include <cmath>
#include <map>
#include <set>

#include "fwkit/core/error.hpp"
#include "fwkit/rng/block.hpp"
#include "noise_fixtures.hpp"

using namespace fw;
using namespace fw::model;

namespace {

const Vec kX = (Vec(2) << 0.4, -0.3).finished();

/// Draws `steps` blocks of `lanes` lanes all at kX; z[k * lanes + j].
template <class Draw>
void for_each_block(int lanes, int steps, Draw&& draw) {
  std::vector<double> x(2 * static_cast<std::size_t>(lanes));
  for (int j = 0; j < lanes; ++j) {
    x[j] = kX[0];
    x[lanes + j] = kX[1];
  }
  std::vector<char> alive(static_cast<std::size_t>(lanes), 1);
  for (int n = 0; n < steps; ++n) {
    BlockDraw d{77, 0, lanes, static_cast<std::uint64_t>(n), x.data(), alive.data(), nullptr};
    draw(d);
  }
}

}  // namespace

TEST_CASE("block samplers: mean 0 and covariance Sigma(x) for every i.i.d. noise model", "[noise][block]") {
  for (const auto& [name, noise, system] : test::all_noise_models()) {
    if (noise->chain_states() > 0) continue;  // the engine tests cover Markov lanes
    INFO(name);
    const int lanes = 200, steps = 500;
    const Mat sigma = noise->covariance(kX);
    Vec sum = Vec::Zero(2);
    Mat sum2 = Mat::Zero(2, 2), sum4 = Mat::Zero(2, 2);
    BlockScratch scratch;
    std::vector<double> z(2 * lanes), direction(2 * lanes);
    const Vec b = system->drift_at(kX);
    for_each_block(lanes, steps, [&](const BlockDraw& d) {
      noise->sample_block(d, z.data(), scratch);
      if (noise->estimates_drift(*system)) {
        // The stochastic drift is b + Z with the same draws.
        noise->sample_drift_block(d, direction.data(), scratch);
        for (int j = 0; j < lanes; ++j)
          for (int k = 0; k < 2; ++k)
            REQUIRE(direction[k * lanes + j] - b[k] == Approx(z[k * lanes + j]).margin(1e-12));
      }
      for (int j = 0; j < lanes; ++j) {
        const Vec zj = (Vec(2) << z[j], z[lanes + j]).finished();
        sum += zj;
        const Mat zz = zj * zj.transpose();
        sum2 += zz;
        sum4 += zz.cwiseProduct(zz);
      }
    });
    const double n = static_cast<double>(lanes) * steps;
    const Vec mean = sum / n;
    const Mat cov = sum2 / n;
    for (int i = 0; i < 2; ++i) {
      CHECK(std::abs(mean[i]) <= 5 * std::sqrt(cov(i, i) / n) + 1e-15);
      for (int j = 0; j < 2; ++j) {
        const double se = std::sqrt(std::max(sum4(i, j) / n - cov(i, j) * cov(i, j), 0.0) / n);
        CHECK(std::abs(cov(i, j) - sigma(i, j)) <= 5 * se + 1e-10 * (1 + std::abs(sigma(i, j))));
      }
    }
  }
}

TEST_CASE("block samplers: a lane's draws depend on its member and step, not on the block", "[noise][block]") {
  for (const auto& [name, noise, system] : test::all_noise_models()) {
    if (noise->chain_states() > 0) continue;
    INFO(name);
    const int wide = 40, narrow = 7, offset = 13;
    std::vector<double> xw(2 * wide), xn(2 * narrow), zw(2 * wide), zn(2 * narrow);
    for (int j = 0; j < wide; ++j) {
      xw[j] = -1 + 0.05 * j;
      xw[wide + j] = 0.3 - 0.02 * j;
    }
    for (int j = 0; j < narrow; ++j) {
      xn[j] = xw[offset + j];
      xn[narrow + j] = xw[wide + offset + j];
    }
    BlockScratch sw, sn;  // one scratch across steps: the index words of four steps are reused
    for (std::uint64_t n = 0; n < 9; ++n) {
      noise->sample_block({5, 0, wide, n, xw.data(), nullptr, nullptr}, zw.data(), sw);
      BlockScratch fresh;
      noise->sample_block({5, offset, narrow, n, xn.data(), nullptr, nullptr}, zn.data(), n % 2 ? sn : fresh);
      for (int j = 0; j < narrow; ++j)
        for (int k = 0; k < 2; ++k) REQUIRE(zn[k * narrow + j] == zw[k * wide + offset + j]);
    }
  }
}

TEST_CASE("index_block: exactly uniform indices, the rejection fallback included", "[rng][block]") {
  const int lanes = 64, steps = 4000;
  rng::IndexCache cache;
  std::vector<int> out(2 * lanes);
  // bound 7: rejections are rare (2^32 mod 7 = 4); bound 2^31 + 1: half the
  // words are rejected, so the fallback draws about half the indices.
  const std::uint32_t bounds[2] = {7u, 2147483649u};
  std::vector<long> counts(7, 0);
  double high_sum = 0, high_sum2 = 0;
  for (int n = 0; n < steps; ++n) {
    rng::index_block(3, 100, lanes, static_cast<std::uint64_t>(n), 2, bounds, out.data(), cache);
    for (int j = 0; j < lanes; ++j) {
      REQUIRE(out[j] >= 0);
      REQUIRE(out[j] < 7);
      ++counts[out[j]];
      const double u = (static_cast<double>(static_cast<unsigned>(out[lanes + j])) + 0.5) / bounds[1];
      REQUIRE(u < 1.0);
      high_sum += u;
      high_sum2 += u * u;
    }
  }
  const double total = static_cast<double>(lanes) * steps;
  double chi2 = 0;
  for (long c : counts) chi2 += (c - total / 7) * (c - total / 7) / (total / 7);
  CHECK(chi2 < 22.5);  // chi-square with 6 degrees of freedom: P(> 22.5) = 0.001
  // The large bound: mean 1/2 and variance 1/12 of a uniform, to 5 standard errors.
  CHECK(std::abs(high_sum / total - 0.5) < 5 * std::sqrt(1.0 / 12 / total));
  CHECK(std::abs(high_sum2 / total - 1.0 / 3) < 5 * std::sqrt(4.0 / 45 / total));
  // Lanes and steps: the same (member, step) gives the same index in any block.
  std::vector<int> one(2);
  rng::IndexCache other;
  rng::index_block(3, 100 + 17, 1, 2021, 2, bounds, one.data(), other);
  rng::index_block(3, 100, lanes, 2021, 2, bounds, out.data(), cache);
  CHECK(one[0] == out[17]);
  CHECK(one[1] == out[lanes + 17]);
}

TEST_CASE("minibatch blocks without replacement: uniform B-subsets (Floyd)", "[noise][block]") {
  // n = 5, B = 3: the 10 subsets each with probability 1/10. The subset a
  // lane drew is read off its batch-mean gradient of f_i = c_i x with
  // c_i = 4^i: the sum of the three c_i identifies the subset.
  FiniteSumSpec spec;
  spec.variables = {"x"};
  spec.component = "c*x";
  spec.data = {{"c", {1, 4, 16, 64, 256}}};
  std::shared_ptr<const System> fs = make_finite_sum_system(spec);
  auto noise = make_minibatch_noise(fs, 3, false);
  const int lanes = 100, steps = 2000;
  std::vector<double> x(lanes, 0.5), dir(lanes);
  std::map<long, long> seen;
  BlockScratch scratch;
  for (int n = 0; n < steps; ++n) {
    noise->sample_drift_block({9, 0, lanes, static_cast<std::uint64_t>(n), x.data(), nullptr, nullptr}, dir.data(),
                              scratch);
    for (int j = 0; j < lanes; ++j) ++seen[std::lround(-3 * dir[j])];
  }
  REQUIRE(seen.size() == 10);
  const double total = static_cast<double>(lanes) * steps;
  double chi2 = 0;
  for (const auto& [key, count] : seen) {
    // A sum of three distinct powers of 4: no repeated index.
    int digits = 0;
    for (long k = key; k > 0; k /= 4) {
      REQUIRE(k % 4 <= 1);
      digits += static_cast<int>(k % 4);
    }
    REQUIRE(digits == 3);
    chi2 += (count - total / 10) * (count - total / 10) / (total / 10);
  }
  CHECK(chi2 < 27.9);  // 9 degrees of freedom: P(> 27.9) = 0.001
}

TEST_CASE("finite sums: the batched mean gradient equals the one-pair-at-a-time sum", "[noise][block]") {
  auto system = test::finite_sum_system();
  const FiniteSum& fs = *system->finite_sum();
  const int lanes = 11, batch = 3;
  std::vector<double> x(2 * lanes), fast(2 * lanes), slow(2 * lanes);
  std::vector<int> index(static_cast<std::size_t>(lanes) * batch);
  for (int j = 0; j < lanes; ++j) {
    x[j] = -1 + 0.2 * j;
    x[lanes + j] = 0.5 - 0.1 * j;
  }
  for (std::size_t i = 0; i < index.size(); ++i) index[i] = static_cast<int>((7 * i + 3) % 5);
  BlockScratch scratch;
  fs.mean_gradient_block(x.data(), lanes, index.data(), batch, fast.data(), scratch);
  fs.FiniteSum::mean_gradient_block(x.data(), lanes, index.data(), batch, slow.data(), scratch);
  for (std::size_t i = 0; i < fast.size(); ++i) CHECK(fast[i] == Approx(slow[i]).epsilon(1e-14).margin(1e-14));
}

TEST_CASE("minibatch Lambda without replacement: enumerated on demand, refused beyond max_subsets, or Gaussian",
          "[noise]") {
  auto fs = test::finite_sum_system();  // n = 5
  MinibatchOptions o;
  o.batch = 3;
  o.replacement = false;
  o.max_subsets = 9;  // C(5, 3) = 10 subsets
  auto refused = make_minibatch_noise(fs, o);
  const Vec p = (Vec(2) << 0.3, -0.2).finished();
  // Sampling and Sigma need no enumeration.
  Vec z(2);
  rng::Stream s(1, 0);
  refused->sample(kX.data(), s, z.data());
  CHECK(refused->covariance(kX).allFinite());
  try {
    (void)refused->log_mgf(kX, p);
    FAIL("Lambda beyond max_subsets must be refused");
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::kConfig);
    CHECK_THAT(e.what(), Catch::Contains("max_subsets") && Catch::Contains("lambda = \"gaussian\""));
  }
  o.max_subsets = 10;
  CHECK(std::isfinite(make_minibatch_noise(fs, o)->log_mgf(kX, p)));
  o.max_subsets = 1;
  o.gaussian_lambda = true;
  auto gaussian = make_minibatch_noise(fs, o);
  const Mat sigma = gaussian->covariance(kX);
  CHECK(gaussian->log_mgf(kX, p) == Approx(0.5 * p.dot(sigma * p)).epsilon(1e-14));
  CHECK_FALSE(gaussian->is_bounded());
}
