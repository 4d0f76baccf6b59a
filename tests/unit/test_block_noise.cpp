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
#include "moment_check.hpp"
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
    test::MomentSums m(2);
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
      for (int j = 0; j < lanes; ++j) m.add((Vec(2) << z[j], z[lanes + j]).finished());
    });
    m.check(noise->covariance(kX));
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
  // bound 7: rejections are rare (2^32 mod 7 = 4). bound 3 2^29: a quarter
  // of the words are rejected (2^32 mod bound = 2^30) and drawn again from
  // the fallback; without the rejection, index k would get 3, 3, 2 words in
  // turn for k mod 3 = 0, 1, 2 (2^32 / bound = 8/3): a 25% deficit at
  // k mod 3 = 2 that the chi-square below resolves by far.
  const std::uint32_t bounds[2] = {7u, 3u << 29};
  std::vector<long> counts(7, 0), thirds(3, 0);
  for (int n = 0; n < steps; ++n) {
    rng::index_block(3, 100, lanes, static_cast<std::uint64_t>(n), 2, bounds, out.data(), cache);
    for (int j = 0; j < lanes; ++j) {
      REQUIRE(out[j] >= 0);
      REQUIRE(out[j] < 7);
      ++counts[out[j]];
      REQUIRE(out[lanes + j] >= 0);
      REQUIRE(static_cast<std::uint32_t>(out[lanes + j]) < bounds[1]);
      ++thirds[out[lanes + j] % 3];
    }
  }
  const double total = static_cast<double>(lanes) * steps;
  auto chi2 = [&](const std::vector<long>& c) {
    double x = 0;
    const double e = total / static_cast<double>(c.size());
    for (long v : c) x += (v - e) * (v - e) / e;
    return x;
  };
  CHECK(chi2(counts) < 22.5);  // 6 degrees of freedom: P(> 22.5) = 0.001
  CHECK(chi2(thirds) < 13.8);  // 2 degrees of freedom: P(> 13.8) = 0.001 (without rejection: ~ 5000)
  // Lanes and steps: the same (member, step) gives the same index in any block.
  std::vector<int> one(2);
  rng::IndexCache other;
  rng::index_block(3, 100 + 17, 1, 2021, 2, bounds, one.data(), other);
  rng::index_block(3, 100, lanes, 2021, 2, bounds, out.data(), cache);
  CHECK(one[0] == out[17]);
  CHECK(one[1] == out[lanes + 17]);
  const std::uint32_t too_big = 1u << 31;
  CHECK_THROWS(rng::index_block(3, 0, 4, 0, 1, &too_big, out.data(), other));
}

TEST_CASE("Markov block sampler: the chains occupy pi, Z has mean 0, b + Z is the increment", "[noise][block][markov]") {
  auto markov = test::markov_noise();
  auto system = std::make_shared<MarkovAverageSystem>(markov);
  REQUIRE(markov->estimates_drift(*system));
  CHECK_FALSE(markov->estimates_drift(*test::finite_sum_system()));
  const Vec pi = markov->stationary(kX), b = markov->averaged_drift(kX);
  const int lanes = 400, steps = 400;
  std::vector<double> x(2 * lanes), z(2 * lanes), direction(2 * lanes);
  for (int j = 0; j < lanes; ++j) {
    x[j] = kX[0];
    x[lanes + j] = kX[1];
  }
  std::vector<int> chain(lanes, -1), copy;
  // Per lane: time averages of the occupation of state 1 and of Z; lanes
  // are independent, so the standard errors come from their spread.
  std::vector<double> occ(lanes, 0), zmean(2 * lanes, 0);
  BlockScratch scratch;
  for (int n = 0; n < steps; ++n) {
    copy = chain;
    markov->sample_block({8, 0, lanes, static_cast<std::uint64_t>(n), x.data(), nullptr, chain.data()}, z.data(), scratch);
    markov->sample_drift_block({8, 0, lanes, static_cast<std::uint64_t>(n), x.data(), nullptr, copy.data()},
                               direction.data(), scratch);
    REQUIRE(copy == chain);  // the same draws
    for (int j = 0; j < lanes; ++j) {
      for (int k = 0; k < 2; ++k) {
        REQUIRE(direction[k * lanes + j] - b[k] == Approx(z[k * lanes + j]).margin(1e-12));
        zmean[k * lanes + j] += z[k * lanes + j] / steps;
      }
      occ[j] += (chain[j] == 1) / static_cast<double>(steps);
    }
  }
  auto mean_and_se = [&](const double* v) {
    double m = 0, m2 = 0;
    for (int j = 0; j < lanes; ++j) m += v[j] / lanes;
    for (int j = 0; j < lanes; ++j) m2 += (v[j] - m) * (v[j] - m) / (lanes - 1);
    return std::pair{m, std::sqrt(m2 / lanes)};
  };
  const auto [o, o_se] = mean_and_se(occ.data());
  CHECK(std::abs(o - pi[1]) < 5 * o_se);
  for (int k = 0; k < 2; ++k) {
    const auto [m, se] = mean_and_se(zmean.data() + k * lanes);
    CHECK(std::abs(m) < 5 * se);
  }
}

TEST_CASE("minibatch blocks without replacement, large batches: distinct indices, each with probability B/n",
          "[noise][block]") {
  // B = 35 of n = 40 takes the marking path; the batch of f_i = c_i x with
  // c_i = i + 1 is read off through the gradient tape one entry at a time.
  FiniteSumSpec spec;
  spec.variables = {"x"};
  spec.component = "c*x";
  std::vector<double> c(40);
  for (int i = 0; i < 40; ++i) c[i] = i + 1;
  spec.data = {{"c", c}};
  std::shared_ptr<const System> fs = make_finite_sum_system(spec);
  auto noise = make_minibatch_noise(fs, 35, false);
  const int lanes = 50, steps = 400;
  std::vector<double> x(lanes, 0.5), dir(lanes);
  BlockScratch scratch;
  double sum = 0, sum2 = 0;
  for (int n = 0; n < steps; ++n) {
    noise->sample_drift_block({4, 0, lanes, static_cast<std::uint64_t>(n), x.data(), nullptr, nullptr}, dir.data(),
                              scratch);
    for (int j = 0; j < lanes; ++j) {
      std::set<int> batch;
      for (int q = 0; q < 35; ++q) batch.insert(scratch.index[static_cast<std::size_t>(q) * lanes + j]);
      REQUIRE(batch.size() == 35);
      const double mean = -dir[j];  // (1/35) sum of c_i over the batch
      sum += mean;
      sum2 += (mean - 20.5) * (mean - 20.5);
    }
  }
  // E mean = 20.5; Var = sigma^2 (n - B) / ((n - 1) B), sigma^2 = (n^2 - 1)/12.
  const double total = static_cast<double>(lanes) * steps;
  const double var = (1600.0 - 1) / 12 * 5 / (39.0 * 35);
  CHECK(std::abs(sum / total - 20.5) < 5 * std::sqrt(var / total));
  // About the true mean: the SE of a Gaussian's variance, var sqrt(2 / N),
  // bounds this one (the 5 left-out points make it lighter-tailed).
  CHECK(std::abs(sum2 / total - var) < 5 * var * std::sqrt(2.0 / total));
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
