// The ensemble engine: bit-identity (threads, block size, checkpoint/resume),
// blow-up flagging, reductions on hand-checkable paths, the grid, and the
// zeroth-order gradient estimators against exact expectations.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <numbers>

#include "fwkit/core/error.hpp"
#include "fwkit/model/catalog.hpp"
#include "noise_fixtures.hpp"
#include "sim/collapse.hpp"
#include "sim/estimators.hpp"
#include "sim/share.hpp"
#include "sim/sim_io.hpp"

using namespace fw;

namespace {

sim::Options small_run() {
  sim::Options o;
  o.step.eta = 0.2;
  o.members = 23;
  o.steps = 600;
  o.burn_in = 50;
  o.stride = 3;
  o.batches = 4;
  o.seed = 11;
  o.block = 8;
  o.segment = 100;
  o.regions = {{"left", (Vec(2) << -1.0, 0.0).finished(), 0.6, {}, {}},
               {"right", {}, 0, (Vec(2) << 0.3, -5.0).finished(), (Vec(2) << 5.0, 5.0).finished()}};
  o.histogram = grid::Grid{{-2.0, -2.0}, {2.0, 2.0}, {9, 7}};
  o.trajectory_members = 3;
  o.trajectory_stride = 40;
  return o;
}

void require_identical(const sim::EnsembleState& a, const sim::EnsembleState& b) {
  REQUIRE(a.step == b.step);
  REQUIRE(a.x == b.x);  // bitwise: operator== on doubles, and no NaN in x here
  REQUIRE(a.chain == b.chain);
  REQUIRE(a.blown == b.blown);
  REQUIRE(a.occupation == b.occupation);
  REQUIRE(a.moment_count == b.moment_count);
  REQUIRE(a.moment_mean == b.moment_mean);
  REQUIRE(a.moment_m2 == b.moment_m2);
  REQUIRE(a.region == b.region);
  REQUIRE(a.region_step == b.region_step);
  REQUIRE(a.histogram == b.histogram);
  REQUIRE(a.histogram_outside == b.histogram_outside);
  REQUIRE(a.transitions.size() == b.transitions.size());
  for (std::size_t i = 0; i < a.transitions.size(); ++i) {
    REQUIRE(a.transitions[i].member == b.transitions[i].member);
    REQUIRE(a.transitions[i].end_step == b.transitions[i].end_step);
    REQUIRE(a.transitions[i].start_state == b.transitions[i].start_state);
  }
  REQUIRE(a.trajectory.size() == b.trajectory.size());
  REQUIRE(std::memcmp(a.trajectory.data(), b.trajectory.data(), a.trajectory.size() * sizeof(double)) == 0);
}

sim::EnsembleState run(const model::Model& m, const sim::Options& o) {
  auto s = sim::EnsembleState::start(o, (Vec(2) << -1.0, 0.2).finished());
  sim::advance(m, o, s, o.steps);
  return s;
}

}  // namespace

TEST_CASE("ensembles are bit-identical across threads, block sizes and checkpoint/resume", "[sim]") {
  for (const auto& nm : test::all_noise_models()) {
    SECTION(nm.name) {
      const model::Model m{nm.system, nm.noise};
      sim::Options o = small_run();
      o.threads = 1;
      const auto reference = run(m, o);
      if (nm.name == "gaussian") REQUIRE(reference.transitions.size() > 0);

      o.threads = 2;
      require_identical(reference, run(m, o));
      o.block = 5;  // members no longer split evenly
      require_identical(reference, run(m, o));

      // Stop at step 250 (mid-segment), checkpoint to disk, resume from the file.
      const auto path = std::filesystem::temp_directory_path() / ("fwkit_ckpt_" + std::to_string(::getpid()) + ".h5");
      auto s = sim::EnsembleState::start(o, (Vec(2) << -1.0, 0.2).finished());
      sim::advance(m, o, s, 250);
      REQUIRE(s.step == 250);
      sim::save_checkpoint(path, s, "abc");
      REQUIRE_THROWS_AS(sim::load_checkpoint(path, o, 2, "other"), Error);
      auto resumed = sim::load_checkpoint(path, o, 2, "abc");
      std::filesystem::remove(path);
      sim::advance(m, o, resumed, o.steps);
      require_identical(reference, resumed);
    }
  }
}

TEST_CASE("histogram groups: member m counts into group m mod G, and the groups add up to one histogram", "[sim]") {
  const model::Model m{model::make_catalog_system("double_well_2d", {}),
                       model::make_gaussian_noise(Mat::Identity(2, 2) * 0.5)};
  sim::Options o = small_run();
  const auto one = run(m, o);
  o.histogram_groups = 3;
  o.threads = 2;
  const auto grouped = run(m, o);
  const std::size_t cells = o.histogram->size();
  REQUIRE(grouped.histogram.size() == 3 * cells);
  REQUIRE(grouped.histogram_outside == one.histogram_outside);
  std::vector<std::int64_t> total(cells, 0), per_group(3, 0);
  for (std::size_t g = 0; g < 3; ++g)
    for (std::size_t i = 0; i < cells; ++i) {
      total[i] += grouped.histogram[g * cells + i];
      per_group[g] += grouped.histogram[g * cells + i];
    }
  REQUIRE(total == one.histogram);
  // 23 members: groups of 8, 8 and 7 members, each recording (600 - 50) / 3
  // samples, all inside or outside the box.
  const std::int64_t per_member = o.recorded();
  std::int64_t inside = 0;
  for (std::int64_t c : per_group) inside += c;
  REQUIRE(inside + grouped.histogram_outside == 23 * per_member);
  REQUIRE(per_group[0] <= 8 * per_member);
  REQUIRE(per_group[2] <= 7 * per_member);
  REQUIRE(per_group[2] >= 7 * per_member - grouped.histogram_outside);
  o.histogram_groups = 24;
  CHECK_THROWS_WITH(o.validate(2), Catch::Contains("simulate.histogram.groups = 24"));
}

TEST_CASE("the gradient estimators and ula are reproducible too", "[sim]") {
  std::shared_ptr<const model::System> dw = model::make_catalog_system("double_well_2d", {});
  const model::Model m{dw, model::make_gaussian_noise(Mat::Identity(2, 2) * 0.5)};
  for (auto g : {sim::Gradient::kSpsa, sim::Gradient::kOnePoint}) {
    sim::Options o = small_run();
    o.gradient = g;
    o.threads = 1;
    const auto a = run(m, o);
    o.threads = 2;
    o.block = 3;
    require_identical(a, run(m, o));
  }
  sim::Options o = small_run();
  o.scheme = sim::Scheme::kUla;
  const auto a = run(m, o);
  o.block = 64;
  require_identical(a, run(m, o));
}

TEST_CASE("members that blow up are flagged with their step and frozen", "[sim]") {
  // x' = x: from x0 = 1 with eta = 0.5 and tiny noise, |x_n| ~ 1.5^n passes
  // 1000 at n = ceil(log(1000)/log(1.5)) = 18.
  std::shared_ptr<const model::System> lin = model::make_catalog_system("linear", {{"A", {{1.0}, 1, 1}}});
  const model::Model m{lin, model::make_gaussian_noise(Mat::Constant(1, 1, 1e-12))};
  sim::Options o;
  o.step.eta = 0.5;
  o.members = 10;
  o.steps = 100;
  o.batches = 1;
  o.bound = 1000;
  auto s = sim::EnsembleState::start(o, Vec::Constant(1, 1.0));
  sim::advance(m, o, s, o.steps);
  const auto summary = sim::summarize(o, s);
  CHECK(summary.blown == 10);
  for (auto b : s.blown) CHECK(b == 18);
  CHECK(summary.samples == 10 * 17);  // steps 1..17 recorded
  for (int i = 0; i < 10; ++i) CHECK(std::abs(s.x[i]) > 1000);
}

TEST_CASE("occupation, moments and transitions on a deterministic path", "[sim]") {
  // Zero noise and b = 0 with a slow drift: x_n = x0 + n eta c exactly,
  // so every recorded quantity is known in closed form.
  std::shared_ptr<const model::System> sys =
      model::make_expression_system({{"x"}, {}, {"0.5"}, "", {}});
  const model::Model m{sys, model::make_gaussian_noise(Mat::Zero(1, 1))};
  sim::Options o;
  o.step.eta = 0.01;  // x_n = -1 + 0.005 n
  o.members = 3;
  o.steps = 400;      // x_400 = 1
  o.batches = 2;
  // Bounds half a step between grid points, clear of rounding.
  o.regions = {{"low", {}, 0, Vec::Constant(1, -10.0), Vec::Constant(1, -0.4975)},
               {"high", {}, 0, Vec::Constant(1, 0.4975), Vec::Constant(1, 10.0)}};
  auto s = sim::EnsembleState::start(o, Vec::Constant(1, -1.0));
  sim::advance(m, o, s, o.steps);
  const auto sum = sim::summarize(o, s);
  // Recorded x_1..x_400: low for n <= 100, high for n >= 300.
  CHECK(sum.occupation[0].value == Approx(100.0 / 400));
  CHECK(sum.occupation[1].value == Approx(101.0 / 400));
  CHECK(sum.mean[0].value == Approx(-1 + 0.005 * 200.5).margin(1e-12));
  CHECK(sum.variance[0].value == Approx(0.005 * 0.005 * (400.0 * 400 - 1) / 12).epsilon(1e-10));
  REQUIRE(s.transitions.size() == 3);
  for (const auto& t : s.transitions) {
    CHECK(t.from == 0);
    CHECK(t.to == 1);
    CHECK(t.start_step == -1);  // inside already when recording began: censored
    CHECK(t.end_step == 300);
  }
  CHECK(sum.transition_count[1] == 3);
  CHECK(std::isnan(sum.mean_exit_steps[0].value));  // censored dwell times are not averaged
}

TEST_CASE("grid: dual cells and their volumes", "[sim][grid]") {
  const grid::Grid g{{0.0, -1.0}, {1.0, 1.0}, {3, 5}};  // h = 0.5 in both
  CHECK(g.size() == 15);
  const double a[] = {0.2, -1.0}, b[] = {0.3, 0.74}, c[] = {1.0, 1.0}, out[] = {1.01, 0.0};
  CHECK(g.locate(a) == 0 * 5 + 0);
  CHECK(g.locate(b) == 1 * 5 + 3);
  CHECK(g.locate(c) == 14);
  CHECK(g.locate(out) == -1);
  double total = 0;
  for (std::int64_t i = 0; i < 15; ++i) total += g.cell_volume(i);
  CHECK(total == Approx(2.0));  // the box
  CHECK(g.cell_volume(0) == Approx(0.0625));
  CHECK(g.cell_volume(7) == Approx(0.25));
  CHECK(g.check(2).empty());
  CHECK_FALSE(grid::Grid{{0.0}, {0.0}, {3}}.check(1).empty());
}

TEST_CASE("zeroth-order estimators: exact mean and covariance on a quadratic", "[sim]") {
  // f(x) = x^T A x / 2 + c^T x + 2; g = -(A x + c). Expectations over u are
  // computed here independently: by enumerating the 2^d Rademacher vectors,
  // or by quadrature over the circle for the one-point estimator.
  auto sys = model::make_expression_system(
      {{"x", "y"}, {}, {}, "0.5*(2*x^2 + x*y + y^2) - 0.3*x + 0.7*y + 2", {}});
  const double x[] = {0.4, -0.5};
  const Vec g = -(Vec(2) << 2 * x[0] + 0.5 * x[1] - 0.3, 0.5 * x[0] + x[1] + 0.7).finished();
  const double delta = 0.3;
  auto f = [&](const Vec& y) { return sys->loss(y.data()); };
  const Vec x0 = Eigen::Map<const Vec>(x, 2);

  struct Case {
    sim::Gradient kind;
    std::function<Vec(const Vec&)> estimate;  // given u
    bool circle;
  } cases[] = {
      {sim::Gradient::kSpsa, [&](const Vec& u) { return Vec(-(f(x0 + delta * u) - f(x0 - delta * u)) / (2 * delta) * u); }, false},
      {sim::Gradient::kSpsaSingle, [&](const Vec& u) { return Vec(-f(x0 + delta * u) / delta * u); }, false},
      {sim::Gradient::kOnePoint, [&](const Vec& u) { return Vec(-2 * f(x0 + delta * u) / delta * u); }, true},
  };
  for (const auto& c : cases) {
    const int n = c.circle ? 2048 : 4;
    std::vector<Vec> values;
    for (int i = 0; i < n; ++i) {
      Vec u(2);
      if (c.circle) u << std::cos(2 * std::numbers::pi * i / n), std::sin(2 * std::numbers::pi * i / n);
      else u << (i & 1 ? 1.0 : -1.0), (i & 2 ? 1.0 : -1.0);
      values.push_back(c.estimate(u));
    }
    Vec mean = Vec::Zero(2), var = Vec::Zero(2), fourth = Vec::Zero(2);
    for (const Vec& e : values) mean += e / n;
    for (const Vec& e : values) {
      var += (e - mean).array().square().matrix() / n;
      fourth += (e - mean).array().pow(4).matrix() / n;
    }
    CHECK((mean - g).norm() < 1e-12);  // all three are unbiased on quadratics
    // Monte Carlo through the library's estimator, 2e5 draws: its mean and
    // variance against the exact ones, within 5 standard errors (the error
    // of a sample variance is sqrt((mu_4 - var^2) / n)).
    rng::Stream rng(3, 0);
    double work[4], out[2];
    const int draws = 200000;
    Vec m = Vec::Zero(2), m2 = Vec::Zero(2);
    for (int i = 0; i < draws; ++i) {
      sim::descent_estimate(*sys, c.kind, delta, x, rng, out, work);
      for (int k = 0; k < 2; ++k) {
        m[k] += out[k] / draws;
        m2[k] += out[k] * out[k] / draws;
      }
    }
    for (int k = 0; k < 2; ++k) {
      INFO(sim::to_string(c.kind) << " k = " << k << ": variance " << m2[k] - m[k] * m[k] << " vs " << var[k]);
      CHECK(std::abs(m[k] - mean[k]) <= 5 * std::sqrt(var[k] / draws) + 1e-12);
      // (plus 10 var / n for the O(1/n) term, which is all there is for a
      // two-point law whose squared deviation is constant)
      CHECK(std::abs(m2[k] - m[k] * m[k] - var[k]) <=
            5 * std::sqrt(std::max(0.0, fourth[k] - var[k] * var[k]) / draws) + 10 * var[k] / draws);
    }
  }
  double work[4], out[2];
  rng::Stream rng(3, 0);
  sim::descent_estimate(*sys, sim::Gradient::kKieferWolfowitz, delta, x, rng, out, work);
  CHECK(std::hypot(out[0] - g[0], out[1] - g[1]) < 1e-12);  // central differences are exact on quadratics
}

TEST_CASE("Kiefer–Wolfowitz and SPSA bias on a quartic: delta^2 times the third derivative / 6", "[sim]") {
  // f = x^4/4 + y^4/4: (f(x + d) - f(x - d)) / (2d) = x^3 + x d^2 exactly, so
  // the KW estimate of -grad f is off by -x d^2. For two-sample SPSA,
  // (f(x + d u) - f(x - d u)) / (2d) = sum_l (x_l^3 + x_l d^2) u_l, so its
  // mean times u_k has the same bias; checked here by enumerating the four
  // sign vectors and against the library by Monte Carlo.
  auto sys = model::make_expression_system({{"x", "y"}, {}, {}, "x^4/4 + y^4/4", {}});
  const double x[] = {0.7, -1.2}, d = 0.2;
  double work[4], out[2];
  rng::Stream rng(1, 0);
  sim::descent_estimate(*sys, sim::Gradient::kKieferWolfowitz, d, x, rng, out, work);
  for (int k = 0; k < 2; ++k) CHECK(out[k] == Approx(-(x[k] * x[k] * x[k] + x[k] * d * d)).epsilon(1e-12));
  Vec exact = Vec::Zero(2);
  for (int i = 0; i < 4; ++i) {
    const double u[] = {i & 1 ? 1.0 : -1.0, i & 2 ? 1.0 : -1.0};
    double up = 0, dn = 0;
    for (int k = 0; k < 2; ++k) {
      up += std::pow(x[k] + d * u[k], 4) / 4;
      dn += std::pow(x[k] - d * u[k], 4) / 4;
    }
    for (int k = 0; k < 2; ++k) exact[k] += -(up - dn) / (2 * d) * u[k] / 4;
  }
  Vec m = Vec::Zero(2);
  const int draws = 100000;
  for (int i = 0; i < draws; ++i) {
    sim::descent_estimate(*sys, sim::Gradient::kSpsa, d, x, rng, out, work);
    m += Eigen::Map<const Vec>(out, 2) / draws;
  }
  for (int k = 0; k < 2; ++k) {
    CHECK(exact[k] == Approx(-(x[k] * x[k] * x[k] + x[k] * d * d)).epsilon(1e-12));
    CHECK(m[k] == Approx(exact[k]).margin(0.03));  // 5 SE: sd of the estimate <= 1.8
  }
}

TEST_CASE("bad simulation options name the field, the value and the rule", "[sim]") {
  sim::Options o;
  o.steps = 100;
  o.burn_in = 100;
  try {
    o.validate(2);
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(std::string(e.what()).find("simulate.burn_in = 100") != std::string::npos);
    CHECK(e.code() == ExitCode::kConfig);
  }
  o.burn_in = 0;
  o.slow = {5};
  CHECK_THROWS_WITH(o.validate(2), Catch::Contains("simulate.slow = 5"));
  o.slow = {};
  o.histogram = grid::Grid{{0.0}, {1.0}, {3}};
  CHECK_THROWS_WITH(o.validate(2), Catch::Contains("simulate.histogram"));
  // langevin needs Gaussian noise; ula needs a loss.
  std::shared_ptr<const model::System> lin = model::make_catalog_system("linear", {});
  sim::Options l;
  l.scheme = sim::Scheme::kLangevin;
  l.steps = 10;
  l.batches = 1;
  auto s = sim::EnsembleState::start(l, Vec::Zero(2));
  CHECK_THROWS_WITH(sim::advance({lin, model::make_rademacher_noise(Vec::Ones(2))}, l, s, 10),
                    Catch::Contains("needs Gaussian noise"));
  l.scheme = sim::Scheme::kUla;
  CHECK_THROWS_WITH(sim::advance({lin, model::make_gaussian_noise(Mat::Identity(2, 2))}, l, s, 10),
                    Catch::Contains("needs a gradient system"));
}

TEST_CASE("collapse chains: reproducible, and fixation absorbs", "[sim]") {
  sim::CollapseOptions o;
  o.kind = sim::CollapseKind::kResample;
  o.samples = 8;
  o.generations = 200;
  o.members = 20;
  o.mean = Vec::Zero(1);
  o.covariance = Mat::Identity(1, 1);
  o.threads = 1;
  const auto a = sim::run_collapse(o);
  o.threads = 2;
  const auto b = sim::run_collapse(o);
  CHECK(a.collapse_generation == b.collapse_generation);
  CHECK(a.homozygosity.back().value == b.homozygosity.back().value);
  // With N = 8 fixation takes about 2N(1 - 1/N) ~ 14 generations: all fixed by 200.
  for (auto t : a.collapse_generation) CHECK(t > 0);
  CHECK(a.homozygosity.back().value == 1.0);
  CHECK(a.distinct.back().value == 1.0);
  // Fresh data (alpha > 0) prevents fixation.
  o.alpha = 0.25;
  const auto c = sim::run_collapse(o);
  for (auto t : c.collapse_generation) CHECK(t == -1);
  o.samples = 1;
  CHECK_THROWS_WITH(o.validate(), Catch::Contains("simulate.collapse.samples = 1"));
}

TEST_CASE("member shares: contiguous whole blocks, balanced, covering every member once", "[sim][mpi]") {
  for (std::int64_t members : {1, 7, 64, 65, 500, 1000}) {
    for (int block : {1, 8, 64}) {
      for (int size = 1; size <= 5; ++size) {
        CAPTURE(members, block, size);
        const std::int64_t blocks = (members + block - 1) / block;
        std::int64_t next = 0, fewest = blocks, most = 0;
        for (int rank = 0; rank < size; ++rank) {
          const sim::MemberRange r = sim::member_share(members, block, rank, size);
          REQUIRE(r.begin == next);  // contiguous, in rank order
          REQUIRE(r.end >= r.begin);
          REQUIRE((r.begin % block == 0 || r.begin == members));
          const std::int64_t n_blocks = (r.end - r.begin + block - 1) / block;
          fewest = std::min(fewest, n_blocks);
          most = std::max(most, n_blocks);
          next = r.end;
        }
        REQUIRE(next == members);
        REQUIRE(most - fewest <= 1);
      }
    }
  }
}

TEST_CASE("one process: joining a segment changes nothing", "[sim][mpi]") {
  const model::Model m{model::make_catalog_system("double_well_2d", {}),
                       model::make_gaussian_noise(Mat::Identity(2, 2) * 0.5)};
  const sim::Options o = small_run();
  sim::EnsembleState a = run(m, o), b = a;
  sim::SegmentYield y;
  y.histogram.assign(a.histogram.size(), 3);
  y.outside = 5;
  sim::join_segment(par::Comm::serial(), o, 0, o.steps, b, y);
  require_identical(a, b);
  REQUIRE(y.outside == 5);
  REQUIRE(y.histogram == std::vector<std::int64_t>(a.histogram.size(), 3));
}
