#include "collapse.hpp"

#include <fmt/format.h>
#include <omp.h>

#include <cmath>
#include <limits>
#include <span>

#include "fwkit/core/error.hpp"
#include "fwkit/core/parallel_errors.hpp"
#include "fwkit/io/result_file.hpp"
#include "sim_io.hpp"

namespace fw::sim {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

/// Per-member statistics of one generation.
struct Stats {
  double log_det, variance, shift, homozygosity, distinct;
};

/// Sample mean and (1/N) covariance of the rows of `pts` (N x d).
void moments(const Mat& pts, Vec& mean, Mat& cov) {
  mean = pts.colwise().mean().transpose();
  const Mat c = pts.rowwise() - mean.transpose();
  cov = c.transpose() * c / static_cast<double>(pts.rows());
}

Stats stats_of(const Vec& mean, const Mat& cov, const Vec& mean0) {
  const Eigen::LDLT<Mat> ldlt(cov);
  double log_det = 0;
  for (Eigen::Index k = 0; k < cov.rows(); ++k) log_det += std::log(ldlt.vectorD()[k]);
  return {log_det, cov.trace() / static_cast<double>(cov.rows()), (mean - mean0).norm(), kNaN, kNaN};
}

/// One member's chain; writes stats for t = 0..T into `out` (T + 1 entries).
std::int64_t run_member(const CollapseOptions& o, const Mat& factor0, std::int64_t member, std::vector<Stats>& out) {
  const int d = static_cast<int>(o.mean.size()), N = o.samples;
  const int exact = static_cast<int>(std::lround(o.alpha * N));
  rng::Stream rng(o.seed, static_cast<std::uint64_t>(member));
  // This generation's number of fresh points: Binomial(N, alpha) from N
  // uniforms (drawn first at the generation's counter), or round(alpha N).
  auto fresh_count = [&]() {
    if (o.exact_fresh || o.alpha == 0 || o.alpha == 1) return o.alpha == 1 ? N : exact;
    int k = 0;
    for (int i = 0; i < N; ++i) k += rng.uniform() < o.alpha;
    return k;
  };
  auto draw = [&](const Vec& mu, const Mat& L, Eigen::Ref<Vec> into) {
    Vec xi(d);
    for (int k = 0; k < d; ++k) xi[k] = rng.normal();
    into = mu + L * xi;
  };
  Mat pts(N, d), next(N, d);
  Vec mean;
  Mat cov;
  std::int64_t collapsed = -1;
  if (o.kind == CollapseKind::kGaussianRefit) {
    mean = o.mean;
    cov = o.covariance;
    out[0] = stats_of(mean, cov, o.mean);
    for (int t = 1; t <= o.generations; ++t) {
      rng.seek(static_cast<std::uint64_t>(t));
      const int fresh = fresh_count();
      Eigen::LLT<Mat> llt(cov);
      const Mat L = llt.info() == Eigen::Success ? Mat(llt.matrixL()) : Mat::Zero(d, d);
      for (int i = 0; i < N; ++i) {
        Vec row(d);
        if (i < N - fresh) draw(mean, L, row);
        else draw(o.mean, factor0, row);
        pts.row(i) = row.transpose();
      }
      moments(pts, mean, cov);
      out[t] = stats_of(mean, cov, o.mean);
      if (collapsed < 0 && out[t].variance <= o.collapse_variance * out[0].variance) collapsed = t;
    }
    return collapsed;
  }
  // Resample: origin labels compact in [0, K); fresh points get new labels.
  std::vector<int> label(N), next_label(N), relabel(2 * N), count(2 * N);
  rng.seek(0);
  for (int i = 0; i < N; ++i) {
    Vec row(d);
    draw(o.mean, factor0, row);
    pts.row(i) = row.transpose();
    label[i] = i;
  }
  auto record = [&](int t) {
    moments(pts, mean, cov);
    std::fill(count.begin(), count.end(), 0);
    for (int i = 0; i < N; ++i) ++count[label[i]];
    double sum_sq = 0, distinct = 0;
    for (int c : count) {
      sum_sq += static_cast<double>(c) * (c - 1);
      distinct += c > 0;
    }
    Stats s = stats_of(mean, cov, o.mean);
    s.homozygosity = sum_sq / (static_cast<double>(N) * (N - 1));
    s.distinct = distinct;
    out[t] = s;
    if (distinct == 1 && collapsed < 0) collapsed = t;
  };
  record(0);
  for (int t = 1; t <= o.generations; ++t) {
    rng.seek(static_cast<std::uint64_t>(t));
    const int fresh = fresh_count();
    for (int i = 0; i < N - fresh; ++i) {
      const auto parent = static_cast<int>(rng.below(static_cast<std::uint64_t>(N)));
      next.row(i) = pts.row(parent);
      next_label[i] = label[parent];
    }
    for (int i = N - fresh; i < N; ++i) {
      Vec row(d);
      draw(o.mean, factor0, row);
      next.row(i) = row.transpose();
      next_label[i] = N + i;
    }
    std::fill(relabel.begin(), relabel.end(), -1);
    int k = 0;
    for (int i = 0; i < N; ++i) {
      int& r = relabel[next_label[i]];
      if (r < 0) r = k++;
      label[i] = r;
    }
    pts.swap(next);
    record(t);
  }
  return collapsed;
}

Estimate across(const std::vector<std::vector<Stats>>& all, int t, double Stats::*field) {
  const auto M = static_cast<double>(all.size());
  double mean = 0, ss = 0;
  for (const auto& m : all) mean += m[t].*field;
  mean /= M;
  for (const auto& m : all) ss += (m[t].*field - mean) * (m[t].*field - mean);
  return {mean, all.size() > 1 ? std::sqrt(ss / (M - 1) / M) : kNaN};
}

[[noreturn]] void bad(const std::string& field, const std::string& value, const std::string& rule) {
  throw config_error(fmt::format("simulate.collapse.{} = {}: {}", field, value, rule));
}

}  // namespace

void CollapseOptions::validate() const {
  if (samples < 2) bad("samples", std::to_string(samples), "must be >= 2");
  if (kind == CollapseKind::kGaussianRefit && samples <= mean.size())
    bad("samples", std::to_string(samples), fmt::format("must exceed the dimension {} (else the refit is singular)", mean.size()));
  if (generations < 1) bad("generations", std::to_string(generations), "must be >= 1");
  if (!(alpha >= 0 && alpha <= 1)) bad("alpha", fmt::format("{}", alpha), "must be in [0, 1]");
  if (!(collapse_variance > 0 && collapse_variance < 1))
    bad("collapse_variance", fmt::format("{}", collapse_variance), "must be in (0, 1)");
  if (members < 1) bad("members", std::to_string(members), "must be >= 1");
  if (mean.size() < 1) bad("mean", "[]", "needs at least one entry");
  if (covariance.rows() != mean.size() || covariance.cols() != mean.size())
    bad("covariance", fmt::format("{} x {}", covariance.rows(), covariance.cols()),
        fmt::format("must be {} x {}", mean.size(), mean.size()));
  if (Eigen::LLT<Mat>(covariance).info() != Eigen::Success) bad("covariance", "matrix", "must be positive definite");
  if (static_cast<double>(members) * samples > 2e8) bad("members", std::to_string(members), "members x samples must be <= 2e8");
}

CollapseResult run_collapse(const CollapseOptions& o, Progress* progress, const par::Comm* comm) {
  const Mat factor0 = Eigen::LLT<Mat>(o.covariance).matrixL();
  std::vector<std::vector<Stats>> all(static_cast<std::size_t>(o.members), std::vector<Stats>(o.generations + 1));
  CollapseResult r;
  r.dim = static_cast<int>(o.mean.size());
  r.collapse_generation.assign(static_cast<std::size_t>(o.members), -1);
  // Several processes: each runs a contiguous range of members; the
  // per-member results are then gathered in member order.
  const par::Comm& team = comm != nullptr ? *comm : par::Comm::serial();
  const std::int64_t m_begin = o.members * team.rank() / team.size(), m_end = o.members * (team.rank() + 1) / team.size();
  std::int64_t done = 0;
  const int threads = o.threads > 0 ? o.threads : omp_get_max_threads();
  ParallelErrors errors;
#pragma omp parallel for schedule(dynamic, 4) num_threads(threads)
  for (std::int64_t m = m_begin; m < m_end; ++m) {
    errors.run([&] { r.collapse_generation[m] = run_member(o, factor0, m, all[m]); });
#pragma omp atomic
    ++done;
    if (progress && omp_get_thread_num() == 0) progress->update(static_cast<std::uint64_t>(done * team.size()));
  }
  errors.rethrow();
  if (team.parallel()) {
    std::vector<Stats> mine;
    for (std::int64_t m = m_begin; m < m_end; ++m) mine.insert(mine.end(), all[m].begin(), all[m].end());
    const auto stats = team.all_gather(std::span<const Stats>(mine));
    const auto fixed = team.all_gather(std::span<const std::int64_t>(r.collapse_generation.data() + m_begin,
                                                                      static_cast<std::size_t>(m_end - m_begin)));
    const std::size_t T = static_cast<std::size_t>(o.generations) + 1;
    for (std::int64_t m = 0; m < o.members; ++m) {
      std::copy(stats.begin() + static_cast<std::ptrdiff_t>(m * T), stats.begin() + static_cast<std::ptrdiff_t>((m + 1) * T),
                all[m].begin());
      r.collapse_generation[m] = fixed[m];
    }
  }
  if (progress) progress->update(static_cast<std::uint64_t>(o.members));
  for (int t = 0; t <= o.generations; ++t) {
    r.log_det.push_back(across(all, t, &Stats::log_det));
    r.variance.push_back(across(all, t, &Stats::variance));
    r.mean_shift.push_back(across(all, t, &Stats::shift));
    if (o.kind == CollapseKind::kResample) {
      r.homozygosity.push_back(across(all, t, &Stats::homozygosity));
      r.distinct.push_back(across(all, t, &Stats::distinct));
    }
  }
  return r;
}

std::string CollapseResult::brief_report() const {
  const std::size_t T = log_det.size() - 1;
  std::string s = homozygosity.empty()
                      ? fmt::format("generation {}: log det covariance {:.6g} +- {:.2g}, variance {:.6g}\n", T,
                                    log_det[T].value, log_det[T].standard_error, variance[T].value)
                      : fmt::format("generation {}: variance {:.6g} +- {:.2g}\n", T, variance[T].value,
                                    variance[T].standard_error);
  {
    std::int64_t n = 0;
    double mean = 0;
    for (auto c : collapse_generation)
      if (c >= 0) {
        ++n;
        mean += static_cast<double>(c);
      }
    if (!homozygosity.empty())
      s += fmt::format("  homozygosity {:.6f} +- {:.2g}, distinct origins {:.4g};", homozygosity[T].value,
                       homozygosity[T].standard_error, distinct[T].value);
    s += fmt::format("  {} of {} members collapsed by generation {}", n, collapse_generation.size(), T);
    s += n > 0 ? fmt::format(" (mean collapse generation of those {:.4g})\n", mean / static_cast<double>(n)) : "\n";
  }
  return s;
}

void write_collapse(const io::Group& parent, const CollapseOptions& o, const CollapseResult& r) {
  const io::Group g = parent.group("collapse");
  g.set_attribute("kind", o.kind == CollapseKind::kGaussianRefit ? "gaussian_refit" : "resample");
  g.set_attribute("samples", static_cast<std::int64_t>(o.samples));
  g.set_attribute("alpha", o.alpha);
  g.set_attribute("fresh_count", o.exact_fresh ? "exact" : "binomial");
  g.set_attribute("collapse_variance", o.collapse_variance);
  g.set_attribute("members", o.members);
  g.set_attribute("seed", std::to_string(o.seed));
  std::vector<double> gen;
  for (std::size_t t = 0; t < r.log_det.size(); ++t) gen.push_back(static_cast<double>(t));
  g.add_dimension("generation", gen, {"1", "generation"});
  g.add_index_dimension("member", static_cast<std::size_t>(o.members), "ensemble member");
  auto put = [&](const std::string& name, const std::vector<Estimate>& e, const std::string& what) {
    write_estimates(g, name, name + "_se", {"generation"}, e, {"1", "mean over members of " + what},
                    "standard error of " + name);
  };
  put("log_det_covariance", r.log_det, "log det of the covariance");
  put("variance", r.variance, "trace of the covariance / d");
  put("mean_shift", r.mean_shift, "|mean - mu_0|");
  if (!r.homozygosity.empty()) {
    put("homozygosity", r.homozygosity, "P(two distinct individuals share an origin)");
    put("distinct", r.distinct, "number of distinct origins");
  }
  g.write("collapse_generation", {"member"}, std::span<const std::int64_t>(r.collapse_generation),
          {"1", o.kind == CollapseKind::kResample
                    ? "first generation with a single origin left (-1: none)"
                    : "first generation with tr Sigma / d <= collapse_variance x its start (-1: none)"});
}

}  // namespace fw::sim
