// solvers/compare/generalization_compare.cpp — the denoising gap against the
// analytic model's mechanism (generalization_compare.hpp).
#include "generalization_compare.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "fwkit/core/error.hpp"
#include "fwkit/io/reader.hpp"
#include "least_squares.hpp"
#include "train/generalization.hpp"

namespace fw::compare {

void GeneralizationCompareOptions::validate() const {
  if (!(standard_errors >= 0) || !std::isfinite(standard_errors))
    throw config_error(fmt::format("compare.standard_errors = {}: must be a finite number >= 0", standard_errors));
  if (!(location_factor > 1) || !std::isfinite(location_factor))
    throw config_error(fmt::format("compare.location_factor = {}: must be a finite number > 1", location_factor));
}

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::string join(const std::string& group, const std::string& name) { return group == "/" ? "/" + name : group + "/" + name; }

/// Row `row` of a (monitor, sigma) dataset.
std::vector<double> monitor_row(const io::Array& a, std::size_t row) {
  const std::size_t levels = a.shape.back();
  return {a.data.begin() + static_cast<std::ptrdiff_t>(row * levels), a.data.begin() + static_cast<std::ptrdiff_t>((row + 1) * levels)};
}

/// The inference stop nearest the peak: the sampling states' relative
/// preference for the noisy training samples, the member mean, and its
/// standard error. The two distances' errors are taken as independent (they
/// share the states, which correlates them positively: this errs large);
/// the members share the sampler's start noise and the noisy samples, so
/// their own errors do not average down and are added to the spread over
/// members. The baseline (fresh noisy training samples) does not depend on
/// the model.
void read_inference(const io::Reader& r, GapPoint& p) {
  const std::string g = join(p.group, "inference");
  if (!r.exists(g)) return;
  const auto sigma = r.read(join(g, "sigma")).data;
  const auto best = static_cast<std::size_t>(train::nearest_level(sigma, p.peak_sigma));
  const io::Array t = r.read(join(g, "state_to_train")), ts = r.read(join(g, "state_to_train_se"));
  const io::Array v = r.read(join(g, "state_to_val")), vs = r.read(join(g, "state_to_val_se"));
  const io::Array gap = r.read(join(g, "gap_at_stop"));
  const io::Array ft = r.read(join(g, "fresh_to_train")), fts = r.read(join(g, "fresh_to_train_se"));
  const io::Array fv = r.read(join(g, "fresh_to_val")), fvs = r.read(join(g, "fresh_to_val_se"));
  std::vector<double> pref;
  double own = 0, gsum = 0;
  for (std::size_t m = 0; m < t.shape[0]; ++m) {
    const double tm = t.at({m, best}), vm = v.at({m, best});
    if (!std::isfinite(tm) || !std::isfinite(vm)) continue;  // a diverged member
    pref.push_back(vm / tm - 1);
    own += std::pow((vm / tm) * std::hypot(vs.at({m, best}) / vm, ts.at({m, best}) / tm), 2);
    gsum += gap.at({m, best});
  }
  p.has_inference = !pref.empty();
  if (!p.has_inference) return;
  const double n = static_cast<double>(pref.size());
  double mean = 0, spread = 0;
  for (double x : pref) mean += x / n;
  for (double x : pref) spread += (x - mean) * (x - mean);
  p.stop_sigma = sigma[best];
  p.preference = mean;
  p.preference_se = std::sqrt(own / n + (n > 1 ? spread / ((n - 1) * n) : 0.0));
  p.gap_at_stop = gsum / n;
  std::size_t m0 = 0;  // the baseline does not depend on the model: the first member that ran
  while (m0 + 1 < ft.shape[0] && !std::isfinite(ft.at({m0, best}))) ++m0;
  const double f = fv.at({m0, best}) / ft.at({m0, best});
  p.baseline = f - 1;
  p.baseline_se = f * std::hypot(fvs.at({m0, best}) / fv.at({m0, best}), fts.at({m0, best}) / ft.at({m0, best}));
}

/// The sigma -> infinity limit of G and the data's spread about the training mean.
void far_limit(const io::Array& train, const io::Array& val, GapPoint& p) {
  const std::size_t nt = train.shape[0], nv = val.shape[0], d = train.shape[1];
  std::vector<double> m(d, 0.0);
  for (std::size_t i = 0; i < nt; ++i)
    for (std::size_t k = 0; k < d; ++k) m[k] += train.at({i, k}) / static_cast<double>(nt);
  auto spread = [&](const io::Array& a, std::size_t n, std::vector<double>& each) {
    double sum = 0;
    for (std::size_t i = 0; i < n; ++i) {
      double r2 = 0;
      for (std::size_t k = 0; k < d; ++k) r2 += std::pow(a.at({i, k}) - m[k], 2);
      each.push_back(r2);
      sum += r2 / static_cast<double>(n);
      p.spread = std::max(p.spread, std::sqrt(r2));
    }
    return sum;
  };
  const double st = spread(train, nt, p.far_train), sv = spread(val, nv, p.far_val);
  p.far_gap = sv / st - 1;
}

GapPoint read_point(const io::Reader& r, const std::string& who, const std::string& group, double value) {
  GapPoint p;
  p.group = group;
  p.value = value;
  const std::string g = join(group, "gap");
  if (!r.exists(g))
    throw data_error(fmt::format("{}: {} has no gap (give the training a validation split, [data.validation])", who, group));
  p.denoiser = r.string_attribute(join(group, "summary"), "denoiser");
  if (p.denoiser == "blurred") p.blur = r.number_attribute(join(group, "summary"), "blur");
  const io::Array data = r.read(join(group, "data"));
  p.train_points = static_cast<double>(data.shape.front());
  p.dimension = static_cast<int>(data.shape.back());
  far_limit(data, r.read(join(group, "validation")), p);
  p.sigma = r.read(join(g, "sigma")).data;
  const io::Array mean = r.read(join(g, "mean_gap")), se = r.read(join(g, "mean_gap_se"));
  const std::size_t monitors = mean.shape.front();
  p.gap = monitor_row(mean, monitors - 1);
  p.gap_se = monitor_row(se, monitors - 1);
  p.first_gap = monitor_row(mean, 0);
  p.first_gap_se = monitor_row(se, 0);
  p.point_train = r.read(join(g, "point_loss_train"));
  p.point_val = r.read(join(g, "point_loss_val"));
  p.peak_sigma = r.number_attribute(g, "peak_sigma");
  p.peak_gap = r.number_attribute(g, "peak_gap");
  p.peak_gap_se = r.number_attribute(g, "peak_gap_se");
  p.diverged = !std::isfinite(p.peak_gap);
  const std::string summary = join(group, "summary");
  p.two_over_step = r.string_attribute(summary, "denoiser") == "network" ? r.number_attribute(summary, "two_over_step") : kNaN;
  p.initial_sharpness = kNaN;
  if (r.exists(join(group, "sharpness"))) {
    const io::Array sh = r.read(join(group, "sharpness"));  // (member, monitor)
    double sum = 0;
    for (std::size_t m = 0; m < sh.shape[0]; ++m) sum += sh.at({m, 0});
    p.initial_sharpness = sum / static_cast<double>(sh.shape[0]);
  }
  if (!p.diverged) read_inference(r, p);
  return p;
}

/// Every point of a train file (its sweep points in order, or the single
/// run), given as input `role` (compare.<role>): its denoiser must be
/// `denoiser`, its sweep key `want_key` (any, or none, when empty).
std::vector<GapPoint> read_points(const std::filesystem::path& file, const std::string& role, const std::string& denoiser,
                                  const std::string& want_key, std::string& key) {
  const std::string who = fmt::format("compare.{} = \"{}\"", role, file.string());
  const io::Reader r(file);
  if (r.string_attribute("/", "fwkit_kind") != "train")
    throw data_error(fmt::format("{}: is a \"{}\" file; the generalization comparison reads train files", who,
                                 r.string_attribute("/", "fwkit_kind")));
  std::vector<GapPoint> out;
  if (!r.exists("/sweep")) {
    if (!want_key.empty())
      throw config_error(fmt::format("{}: needs a sweep over {} ([train.sweep] key = \"{}\")", who, want_key, want_key));
    out.push_back(read_point(r, who, "/", kNaN));
  } else {
    key = r.string_attribute("/sweep", "key");
    if (!want_key.empty() && key != want_key)
      throw config_error(fmt::format("{}: is swept over {}; this input needs a sweep over {}", who, key, want_key));
    std::vector<std::string> names;
    for (const auto& n : r.members("/sweep"))
      if (n.rfind("point_", 0) == 0) names.push_back(n);
    std::sort(names.begin(), names.end());
    for (const auto& n : names) out.push_back(read_point(r, who, "/sweep/" + n, r.number_attribute("/sweep/" + n, "value")));
  }
  for (const auto& p : out)
    if (p.denoiser != denoiser)
      throw config_error(fmt::format("{}: holds a {} denoiser; this input needs train.denoiser = \"{}\"", who, p.denoiser, denoiser));
  return out;
}

/// A member-mean gap at (monitor t, sigma k) with its first-order influence
/// of every point (the delta method) and each member's own value.
struct Term {
  double value = kNaN;
  std::vector<double> train, val, members;
};

/// One member's losses of one split at (t, k).
std::vector<double> losses(const io::Array& a, std::size_t m, std::size_t t, std::size_t k) {
  const std::size_t n = a.shape[3], base = ((m * a.shape[1] + t) * a.shape[2] + k) * n;
  return {a.data.begin() + static_cast<std::ptrdiff_t>(base), a.data.begin() + static_cast<std::ptrdiff_t>(base + n)};
}

double mean_of(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return s / static_cast<double>(v.size());
}

Term gap_term(const GapPoint& p, std::size_t t, std::size_t k) {
  Term out;
  const std::size_t members = p.point_train.shape[0], nt = p.point_train.shape[3], nv = p.point_val.shape[3];
  out.train.assign(nt, 0.0);
  out.val.assign(nv, 0.0);
  double used = 0, sum = 0;
  for (std::size_t m = 0; m < members; ++m) {
    const auto lt = losses(p.point_train, m, t, k), lv = losses(p.point_val, m, t, k);
    const double Lt = mean_of(lt), Lv = mean_of(lv);
    if (!std::isfinite(Lt) || !std::isfinite(Lv)) {  // a diverged member: kept as NaN, so members stay paired by index
      out.members.push_back(kNaN);
      continue;
    }
    used += 1;
    sum += Lv / Lt - 1;
    out.members.push_back(Lv / Lt - 1);
    for (std::size_t i = 0; i < nt; ++i) out.train[i] += -Lv * (lt[i] - Lt) / (static_cast<double>(nt) * Lt * Lt);
    for (std::size_t j = 0; j < nv; ++j) out.val[j] += (lv[j] - Lv) / (static_cast<double>(nv) * Lt);
  }
  if (used == 0) return out;
  out.value = sum / used;
  for (auto& x : out.train) x /= used;
  for (auto& x : out.val) x /= used;
  return out;
}

/// sum_k c_k term_k and its standard error: the noise part point by point
/// (the terms share the points and the noise), the member part from the
/// spread of the members' own combinations (members paired by index).
std::pair<double, double> combine(const std::vector<std::pair<double, Term>>& terms) {
  const std::size_t nt = terms[0].second.train.size(), nv = terms[0].second.val.size();
  std::size_t members = terms[0].second.members.size();
  for (const auto& [c, t] : terms) {
    if (t.train.size() != nt || t.val.size() != nv)
      throw data_error("generalization comparison: paired gaps need the same training and validation points");
    members = std::min(members, t.members.size());
  }
  double value = 0, noise = 0;
  for (const auto& [c, t] : terms) value += c * t.value;
  auto add = [&](std::size_t n, auto get) {
    double s = 0;
    for (std::size_t i = 0; i < n; ++i) {
      double d = 0;
      for (const auto& [c, t] : terms) d += c * get(t, i);
      s += d * d;
    }
    return n > 1 ? s * static_cast<double>(n) / static_cast<double>(n - 1) : s;
  };
  noise = add(nt, [](const Term& t, std::size_t i) { return t.train[i]; }) + add(nv, [](const Term& t, std::size_t i) { return t.val[i]; });
  double between = 0;
  std::vector<double> v;  // each member's combination; members with a NaN in any term drop out
  for (std::size_t m = 0; m < members; ++m) {
    double x = 0;
    for (const auto& [c, t] : terms) x += c * t.members[m];
    if (!std::isnan(x)) v.push_back(x);
  }
  if (v.size() > 1) {
    const double mu = mean_of(v);
    for (double x : v) between += (x - mu) * (x - mu);
    between /= static_cast<double>((v.size() - 1) * v.size());
  }
  return {value, std::sqrt(noise + between)};
}

/// The noise's standard error of G at the largest sigma (member 0, last
/// monitor): the delta method on each point's loss minus its limit |y - m|^2,
/// so the points' own spread, which the limit already holds, does not count.
double far_noise_se(const GapPoint& p) {
  const std::size_t t = p.point_train.shape[1] - 1, k = p.point_train.shape[2] - 1;
  const auto lt = losses(p.point_train, 0, t, k), lv = losses(p.point_val, 0, t, k);
  const double Lt = mean_of(lt), Lv = mean_of(lv);
  auto part = [](const std::vector<double>& l, const std::vector<double>& limit, double scale) {
    std::vector<double> r;
    for (std::size_t i = 0; i < l.size(); ++i) r.push_back(l[i] - limit[i]);
    const double mean = mean_of(r), n = static_cast<double>(r.size());
    double s = 0;
    for (double x : r) s += std::pow(scale * (x - mean) / n, 2);
    return n > 1 ? s * n / (n - 1) : s;
  };
  return std::sqrt(part(lt, p.far_train, -Lv / (Lt * Lt)) + part(lv, p.far_val, 1 / Lt));
}

std::size_t last_monitor(const GapPoint& p) { return p.point_train.shape[1] - 1; }

/// log G in place of G (first order: the influences divided by G); NaN for G <= 0.
Term log_term(Term t) {
  const double g = t.value;
  t.value = g > 0 ? std::log(g) : kNaN;
  for (auto& x : t.train) x /= g;
  for (auto& x : t.val) x /= g;
  for (auto& x : t.members) x = x > 0 ? std::log(x) : kNaN;
  return t;
}

/// The index of a sigma grid nearest s on a log scale (the train library's rule).
std::size_t nearest(const std::vector<double>& grid, double s) { return static_cast<std::size_t>(train::nearest_level(grid, s)); }

void inference_row(std::vector<SummaryRow>& rows, const GapPoint& p, const std::string& who, double k) {
  if (!p.has_inference) return;
  rows.push_back({"preference for noisy training samples (d_val / d_train - 1): sampling states below fresh noisy training "
                  "samples (predicted)",
                  fmt::format("{}, stop sigma = {:.3g}, gap G there {:.3g}", who, p.stop_sigma, p.gap_at_stop), "1", p.baseline,
                  p.preference, std::hypot(p.preference_se, p.baseline_se), Rule::kBelowBy, k});
}

/// The rows of one delta: its peak, the peak's place, the two ends, inference.
void delta_rows(std::vector<SummaryRow>& rows, const GapPoint& p, const GeneralizationCompareOptions& o) {
  const std::string cond = fmt::format("delta = {:g}", p.blur);
  rows.push_back({"gap peak height G", cond, "1", kNaN, p.peak_gap, p.peak_gap_se, Rule::kReport, 0});
  const std::size_t k = nearest(p.sigma, p.peak_sigma);
  const bool edge = k == 0 || k + 1 == p.sigma.size();
  rows.push_back({"log(peak sigma / delta): the gap sits near sigma ~ delta",
                  edge ? cond + ", peak at the edge of the sigma grid: no location (widen gap.sigma_min .. sigma_max)" : cond,
                  "1", 0.0, edge ? kNaN : std::log(p.peak_sigma / p.blur), kNaN, Rule::kAbsolute, std::log(o.location_factor)});
  const bool small = p.sigma.front() <= p.blur / 30, large = p.sigma.back() >= std::max(5 * p.spread, 10 * p.blur);
  rows.push_back({small ? "gap at the smallest sigma (sigma << delta: none)"
                        : "gap at the smallest sigma (not below delta / 30: no prediction)",
                  fmt::format("{}, sigma = {:.3g}", cond, p.sigma.front()), "1", small ? 0.0 : kNaN, p.gap.front(),
                  p.gap_se.front(), small ? Rule::kWithinSe : Rule::kReport, small ? o.standard_errors : 0.0});
  // The limit's next order is O((spread / sigma)^2) relative (the softmax weights' departure
  // from uniform): the tolerance is the statistical one plus twice that.
  const double far_se = far_noise_se(p);
  const double far_tol = o.standard_errors * far_se + 2 * std::pow(p.spread / p.sigma.back(), 2) * (1 + std::abs(p.far_gap));
  rows.push_back({large ? "gap at the largest sigma against its sigma -> infinity limit (the splits' spread about the training mean)"
                        : "gap at the largest sigma (not beyond 5x the data's spread and 10 delta: no prediction)",
                  fmt::format("{}, sigma = {:.3g}", cond, p.sigma.back()), "1", large ? p.far_gap : kNaN, p.gap.back(), far_se,
                  large ? Rule::kAbsolute : Rule::kReport, large ? far_tol : 0.0});
  inference_row(rows, p, cond, o.standard_errors);
}

void analytic_rows(GeneralizationComparison& c, const GeneralizationCompareOptions& o) {
  std::vector<double> delta;
  for (const auto& p : c.analytic_points) {
    delta_rows(c.rows, p, o);
    delta.push_back(p.blur);
  }
  // Least squares of log(peak G) over delta (the fall is multiplicative: a few validation points
  // near training points set G at every delta, and their share cancels in the log). The points
  // and the noise are shared: paired errors.
  if (delta.size() >= 2) {
    const double mean = mean_of(delta);
    double sxx = 0;
    for (double d : delta) sxx += (d - mean) * (d - mean);
    std::vector<std::pair<double, Term>> terms;
    for (const auto& p : c.analytic_points)
      terms.emplace_back((p.blur - mean) / sxx, log_term(gap_term(p, last_monitor(p), nearest(p.sigma, p.peak_sigma))));
    const auto [slope, se] = combine(terms);
    c.rows.push_back({"slope of log(peak gap) against delta: more model error, less overfitting",
                      fmt::format("delta {:g} .. {:g}", delta.front(), delta.back()), "1", 0.0, slope, se, Rule::kBelowBy,
                      o.standard_errors});
  }
  std::vector<double> n, np, nse;
  for (const auto& p : c.point_counts) {
    n.push_back(p.train_points);
    np.push_back(p.peak_gap);
    nse.push_back(p.peak_gap_se);
    c.rows.push_back({"gap peak height G", fmt::format("{:g} training points, delta = {:g}", p.train_points, p.blur), "1", kNaN,
                      p.peak_gap, p.peak_gap_se, Rule::kReport, 0});
  }
  if (n.size() >= 2) {  // log(peak G) by weighted least squares: each count is its own split (independent errors)
    std::vector<double> lp, lse;
    for (std::size_t i = 0; i < np.size(); ++i) {
      lp.push_back(np[i] > 0 ? std::log(np[i]) : kNaN);
      lse.push_back(nse[i] / np[i]);
    }
    const Line l = fit_line(n, lp, lse);
    c.rows.push_back({"slope of log(peak gap) against the number of training points: denser support generalizes",
                      fmt::format("{:g} .. {:g} points", n.front(), n.back()), "1", 0.0, l.slope, l.slope_se, Rule::kBelowBy,
                      o.standard_errors});
  }
}

/// The matched analytic point whose last gap curve is nearest the network's
/// (weighted least squares over the sigma grid of the analytic file).
const GapPoint* effective_delta(const GapPoint& net, const std::vector<GapPoint>& matched) {
  const GapPoint* best = nullptr;
  double best_cost = std::numeric_limits<double>::infinity();
  for (const auto& a : matched) {
    double cost = 0;
    for (std::size_t k = 0; k < net.sigma.size(); ++k) {
      const std::size_t j = nearest(a.sigma, net.sigma[k]);
      const double var = net.gap_se[k] * net.gap_se[k] + a.gap_se[j] * a.gap_se[j];
      if (std::isfinite(net.gap[k]) && var > 0) cost += std::pow(net.gap[k] - a.gap[j], 2) / var;
    }
    if (cost < best_cost) best_cost = cost, best = &a;
  }
  return best;
}

/// The bridge to the first paper: over a sweep of the SGD step at a fixed
/// budget, each step's peak gap against the smallest step's, judged by the
/// linear stability bound (the initial sharpness against 2 / step).
void step_rows(GeneralizationComparison& c, const GeneralizationCompareOptions& o) {
  if (c.network_key != "train.step" || c.networks.size() < 2) return;
  const GapPoint& ref = *std::min_element(c.networks.begin(), c.networks.end(),
                                          [](const GapPoint& a, const GapPoint& b) { return a.value < b.value; });
  if (ref.diverged) throw data_error(c.network.string() + ": the smallest step diverged: no reference gap");
  for (const GapPoint& p : c.networks) {
    if (&p == &ref) continue;
    const std::string cond = fmt::format("step {:g} against {:g} (2/step = {:g}, initial sharpness {:.3g})", p.value, ref.value,
                                         p.two_over_step, p.initial_sharpness);
    if (p.diverged) {
      c.rows.push_back({"every member diverged (no gap)", cond, "1", kNaN, kNaN, kNaN, Rule::kReport, 0});
      continue;
    }
    const auto [diff, se] = combine({{1.0, gap_term(p, last_monitor(p), nearest(p.sigma, p.peak_sigma))},
                                     {-1.0, gap_term(ref, last_monitor(ref), nearest(ref.sigma, ref.peak_sigma))}});
    if (!std::isfinite(p.initial_sharpness))
      c.rows.push_back({"peak gap minus the smallest step's (sharpness not monitored: no prediction)", cond, "1", kNaN, diff, se,
                        Rule::kReport, 0});
    else if (p.initial_sharpness < p.two_over_step)
      c.rows.push_back({"peak gap minus the smallest step's: below the stability bound the step does not matter at a fixed budget",
                        cond, "1", 0.0, diff, se, Rule::kWithinSe, o.standard_errors});
    else
      c.rows.push_back({"peak gap minus the smallest step's: beyond the stability bound (sharpness > 2/step) training is pushed "
                        "to flatter parameters and overfits less",
                        cond, "1", 0.0, diff, se, Rule::kBelowBy, o.standard_errors});
  }
}

void network_rows(GeneralizationComparison& c, const GeneralizationCompareOptions& o) {
  const bool step_sweep = c.network_key == "train.step";
  for (const auto& p : c.networks) {
    if (p.diverged) continue;  // step_rows says so
    const std::string who = std::isfinite(p.value) ? fmt::format("network, {} = {:g}", c.network_key, p.value) : std::string("network");
    const std::size_t k = nearest(p.sigma, p.peak_sigma);
    c.rows.push_back({"network gap peak height G (last monitor)", fmt::format("{}, sigma = {:.3g}", who, p.peak_sigma), "1", kNaN,
                      p.peak_gap, p.peak_gap_se, Rule::kReport, 0});
    // Growth is judged for a network trained at one step; over a step sweep the
    // step rows say what the step changes (beyond 2/step the gap need not grow).
    const auto [growth, growth_se] = combine({{1.0, gap_term(p, 0, k)}, {-1.0, gap_term(p, last_monitor(p), k)}});
    c.rows.push_back({"gap at the first minus the last monitor, at the peak sigma (the gap grows in training)", who, "1", 0.0,
                      growth, growth_se, step_sweep ? Rule::kReport : Rule::kBelowBy, step_sweep ? 0.0 : o.standard_errors});
    inference_row(c.rows, p, who, o.standard_errors);
    if (const GapPoint* a = c.matched_points.empty() ? nullptr : effective_delta(p, c.matched_points)) {
      const bool end = a == &c.matched_points.front() || a == &c.matched_points.back();
      c.rows.push_back({"effective model error: the delta whose analytic gap curve is nearest the network's",
                        end && c.matched_points.size() > 1 ? who + ", at the end of the matched sweep: widen it" : who, "1", kNaN,
                        a->blur, kNaN, Rule::kReport, 0});
      c.rows.push_back({"log(network peak sigma / analytic peak sigma at the effective delta)", who, "1", 0.0,
                        std::log(p.peak_sigma / a->peak_sigma), kNaN, Rule::kAbsolute, std::log(o.location_factor)});
    }
  }
}

/// Row-major (point, sigma) values of one field of every point.
template <class Get>
std::vector<double> curves(const std::vector<GapPoint>& points, Get get) {
  std::vector<double> out;
  for (const auto& p : points) {
    const std::vector<double>& v = get(p);
    out.insert(out.end(), v.begin(), v.end());
  }
  return out;
}

void write_analytic(const io::Group& root, const GeneralizationComparison& c) {
  const io::Group g = root.group("analytic");
  std::vector<double> delta, peak_sigma, peak, peak_se;
  for (const auto& p : c.analytic_points) {
    delta.push_back(p.blur);
    peak_sigma.push_back(p.peak_sigma);
    peak.push_back(p.peak_gap);
    peak_se.push_back(p.peak_gap_se);
  }
  g.set_attribute("analytic", c.analytic.string());
  g.add_dimension("delta", delta, {"1", "model error delta of the blurred model"});
  g.add_dimension("sigma", c.analytic_points[0].sigma, {"1", "noise level of the gap grid"});
  g.write("peak_sigma", {"delta"}, std::span<const double>(peak_sigma), {"1", "sigma of the gap's peak"});
  g.write("peak_gap", {"delta"}, std::span<const double>(peak), {"1", "peak relative gap G"});
  g.write("peak_gap_se", {"delta"}, std::span<const double>(peak_se), {"1", "its standard error"});
  g.write("gap", {"delta", "sigma"}, curves(c.analytic_points, [](const GapPoint& p) -> const auto& { return p.gap; }),
          {"1", "relative gap G of the analytic model"});
  g.write("gap_se", {"delta", "sigma"}, curves(c.analytic_points, [](const GapPoint& p) -> const auto& { return p.gap_se; }),
          {"1", "its standard error"});
}

void write_networks(const io::Group& root, const GeneralizationComparison& c) {
  const io::Group n = root.group("network");
  n.set_attribute("network", c.network.string());
  n.set_attribute("key", c.network_key);
  std::vector<double> value, peak, peak_se, peak_sigma;
  for (const auto& p : c.networks) {
    value.push_back(p.value);
    peak.push_back(p.peak_gap);
    peak_se.push_back(p.peak_gap_se);
    peak_sigma.push_back(p.peak_sigma);
  }
  n.add_dimension("point", value, {"1", "sweep value of the network's training (NaN for one run)"});
  n.add_dimension("sigma", c.networks[0].sigma, {"1", "noise level (the network's levels)"});
  n.write("peak_gap", {"point"}, std::span<const double>(peak), {"1", "member-mean peak gap, last monitor"});
  n.write("peak_gap_se", {"point"}, std::span<const double>(peak_se), {"1", "its standard error"});
  n.write("peak_sigma", {"point"}, std::span<const double>(peak_sigma), {"1", "sigma of the peak"});
  n.write("gap_first", {"point", "sigma"}, curves(c.networks, [](const GapPoint& p) -> const auto& { return p.first_gap; }),
          {"1", "member-mean gap, first monitor"});
  n.write("gap_last", {"point", "sigma"}, curves(c.networks, [](const GapPoint& p) -> const auto& { return p.gap; }),
          {"1", "member-mean gap, last monitor"});
  n.write("gap_last_se", {"point", "sigma"}, curves(c.networks, [](const GapPoint& p) -> const auto& { return p.gap_se; }),
          {"1", "its standard error"});
}

}  // namespace

GeneralizationComparison compare_generalization(const std::filesystem::path& analytic, const std::filesystem::path& points,
                                                const std::filesystem::path& network, const std::filesystem::path& matched,
                                                const GeneralizationCompareOptions& o) {
  o.validate();
  GeneralizationComparison c{analytic, points, network, matched, "", {}, {}, {}, {}, {}};
  std::string key;
  if (!analytic.empty()) c.analytic_points = read_points(analytic, "analytic", "blurred", "train.blur", key);
  if (!points.empty()) c.point_counts = read_points(points, "points", "blurred", "data.n", key);
  if (!network.empty()) c.networks = read_points(network, "network", "network", "", c.network_key);
  if (!matched.empty()) {
    if (network.empty()) throw config_error("compare.matched: the analytic model on the network's data needs compare.network");
    c.matched_points = read_points(matched, "matched", "blurred", "train.blur", key);
    if (c.matched_points[0].dimension != c.networks[0].dimension)
      throw config_error(fmt::format("compare.matched = \"{}\": {}-D data, the network's are {}-D: not the network's data",
                                     matched.string(), c.matched_points[0].dimension, c.networks[0].dimension));
  }
  analytic_rows(c, o);
  network_rows(c, o);
  step_rows(c, o);
  return c;
}

void write_generalization_comparison(const io::Group& root, const GeneralizationComparison& c) {
  if (!c.analytic_points.empty()) write_analytic(root, c);
  if (!c.networks.empty()) write_networks(root, c);
  write_summary(root, c.rows);
}

}  // namespace fw::compare
