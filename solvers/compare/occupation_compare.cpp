// solvers/compare/occupation_compare.cpp — W-graph and Laplace/Hwang
// occupations against a simulation swept over the noise scale
// (occupation_compare.hpp).
#include "occupation_compare.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "fwkit/config/model_config.hpp"
#include "fwkit/core/error.hpp"
#include "option_checks.hpp"
#include "fwkit/model/hamiltonian.hpp"
#include "fwkit/model/lyapunov.hpp"
#include "least_squares.hpp"
#include "simulation_file.hpp"
#include "transitions_file.hpp"

namespace fw::compare {

void OccupationCompareOptions::validate() const {
  require_positive("compare.exponent_tolerance", exponent_tolerance);
  require_positive("compare.prefactor_tolerance", prefactor_tolerance);
}

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

}  // namespace

namespace {

/// The standard error of log(f_i / f_g) at point k: from the fractions'
/// covariance, Var = V_ii / f_i^2 + V_gg / f_g^2 - 2 V_ig / (f_i f_g)
/// (fractions summing to one are anticorrelated: treating them as
/// independent made the bars up to 1.4x too small); without a covariance
/// in the file, as if independent.
double log_ratio_error(const OccupationComparison& c, std::size_t k, std::size_t i, std::size_t g) {
  const std::size_t m = c.w.size();
  const double fi = c.fraction[k][i], fg = c.fraction[k][g];
  const auto& v = c.fraction_cov[k];
  if (std::isfinite(v[i * m + i]) && std::isfinite(v[g * m + g]) && std::isfinite(v[i * m + g])) {
    const double var = v[i * m + i] / (fi * fi) + v[g * m + g] / (fg * fg) - 2 * v[i * m + g] / (fi * fg);
    return std::sqrt(std::max(var, 0.0));
  }
  return std::hypot(c.fraction_se[k][i] / fi, c.fraction_se[k][g] / fg);
}

}  // namespace

OccupationComparison compare_occupation(const std::filesystem::path& simulation, const std::filesystem::path& transitions,
                                        const OccupationCompareOptions& o) {
  o.validate();
  OccupationComparison c;
  c.simulation = simulation;
  c.transitions = transitions;
  // The theory: attractors, W, and the Hessians of V at the attractors.
  const TransitionsFile tf = TransitionsFile::read(transitions);
  const std::size_t m = tf.attractors.size(), d = m ? static_cast<std::size_t>(tf.attractors[0].size()) : 0;
  c.w = tf.w;
  c.ground = static_cast<int>(std::min_element(c.w.begin(), c.w.end()) - c.w.begin());
  const model::Model& model = tf.model;
  const std::vector<Vec>& z = tf.attractors;
  std::vector<double> log_det_p(m);
  for (std::size_t i = 0; i < m; ++i) {
    const Mat p = model::lyapunov_covariance(model.system->jacobian_at(z[i]), tf.diffusion(z[i]));
    log_det_p[i] = std::log(p.determinant());
  }
  // Hwang's prefactor is the theory's only where the density is exp(-V/s)
  // times a constant: a gradient drift with constant isotropic noise. Else
  // the density's O(1) prefactor varies (the transport equation along the
  // characteristics) and the Laplace number is only reported.
  c.prefactor_judged = !model.noise->depends_on_state();
  for (std::size_t i = 0; i < m && c.prefactor_judged; ++i) {
    const Mat j = model.system->jacobian_at(z[i]);
    const Mat dm = tf.diffusion(z[i]);
    const double scale = dm.trace() / static_cast<double>(d);
    c.prefactor_judged = (j - j.transpose()).norm() <= 1e-8 * (1 + j.norm()) &&
                         (dm - scale * Mat::Identity(dm.rows(), dm.cols())).norm() <= 1e-10 * (1 + scale);
  }
  for (std::size_t i = 0; i < m; ++i) c.log_prefactor.push_back(0.5 * (log_det_p[i] - log_det_p[static_cast<std::size_t>(c.ground)]));
  // The simulation: one region per attractor, swept over the noise scale.
  const SimulationFile sim(simulation, "the occupation comparison");
  const std::size_t n = sim.points().size();
  c.scale_key = scale_sweep(sim, "the occupation comparison");
  c.region = regions_holding(sim, z);
  const io::Reader& r = sim.reader();
  for (std::size_t k = 0; k < n; ++k) {
    c.scale.push_back(sim.points()[k].value);
    const auto names = region_order(sim, k);
    const io::Array f = r.read(sim.dataset(k, "occupation/fraction")), se = r.read(sim.dataset(k, "occupation/standard_error"));
    // The fractions' covariance (files before it was written: none, and the
    // ratio's error treats the fractions as independent, which it says).
    const std::string cov_path = sim.dataset(k, "occupation/covariance");
    const io::Array cov = r.exists(cov_path) ? r.read(cov_path) : io::Array{};
    std::vector<double> fk, sek;
    std::vector<std::size_t> index;
    for (std::size_t i = 0; i < m; ++i) {
      const auto at = std::find(names.begin(), names.end(), c.region[i]);
      if (at == names.end()) throw data_error(sim.where(k) + ": no occupation of region " + c.region[i]);
      const auto j = static_cast<std::size_t>(at - names.begin());
      if (!(f.data[j] > 0))
        throw data_error(fmt::format("{}: region {} (attractor {}) was never visited at {} = {:g}; simulate longer or at a larger scale",
                                     sim.where(k), c.region[i], i, c.scale_key, c.scale.back()));
      fk.push_back(f.data[j]);
      sek.push_back(se.data[j]);
      index.push_back(j);
    }
    c.fraction.push_back(fk);
    c.fraction_se.push_back(sek);
    std::vector<double> ck(m * m, kNaN);
    const std::size_t regions = f.data.size();
    if (cov.data.size() == regions * regions)
      for (std::size_t a = 0; a < m; ++a)
        for (std::size_t b = 0; b < m; ++b) ck[a * m + b] = cov.data[index[a] * regions + index[b]];
    c.fraction_cov.push_back(ck);
  }
  // Rows: per point the Laplace ratio; then the fits.
  const auto g = static_cast<std::size_t>(c.ground);
  // Depths closer than 2% of the largest barrier count as equal (the W are
  // gMAM actions, accurate to ~1e-4 of it): then the slope is only reported.
  const double w_scale = std::max(1e-12, tf.largest_cost);
  c.fitted_exponent.assign(m, kNaN);
  c.fitted_exponent_se.assign(m, kNaN);
  c.extrapolated_ratio.assign(m, kNaN);
  c.extrapolated_ratio_se.assign(m, kNaN);
  for (std::size_t i = 0; i < m; ++i) {
    if (i == g) continue;
    const double dw = c.w[i] - c.w[g];
    std::vector<double> s, logr, logr_se, shifted;
    for (std::size_t k = 0; k < n; ++k) {
      const double ratio = c.fraction[k][i] / c.fraction[k][g];
      const double rse = log_ratio_error(c, k, i, g);
      c.rows.push_back({fmt::format("occupation ratio {} / {} (W-graph, Hwang prefactor)", c.region[i], c.region[g]),
                        fmt::format("{} = {:g}", c.scale_key, c.scale[k]), "1",
                        std::exp(-dw / c.scale[k] + c.log_prefactor[i]), ratio, ratio * rse, Rule::kReport, 0});
      s.push_back(c.scale[k]);
      logr.push_back(std::log(ratio));
      logr_se.push_back(rse);
      shifted.push_back(std::log(ratio) + dw / c.scale[k]);
    }
    const InverseFit exponent = fit_inverse(s, logr, logr_se);
    c.fitted_exponent[i] = -exponent.slope;
    c.fitted_exponent_se[i] = exponent.slope_se;
    const bool distinct = std::abs(dw) > 0.02 * w_scale;
    c.rows.push_back({fmt::format("W({}) - W({}): slope of -log ratio in 1/{}", c.region[i], c.region[g], c.scale_key.substr(9)),
                      fmt::format("{} points, {}", n, exponent.form()), "1", dw, c.fitted_exponent[i], exponent.slope_se,
                      distinct ? Rule::kRelative : Rule::kReport, distinct ? o.exponent_tolerance : 0});
    const Line prefactor = fit_line(s, shifted, logr_se);
    c.extrapolated_ratio[i] = std::exp(prefactor.intercept);
    c.extrapolated_ratio_se[i] = c.extrapolated_ratio[i] * prefactor.intercept_se;
    c.rows.push_back({fmt::format("prefactor {} / {} (Hwang: det Hess V^(-1/2) ratio), extrapolated to {} -> 0",
                                  c.region[i], c.region[g], c.scale_key.substr(9)),
                      fmt::format("{} points", n), "1", std::exp(c.log_prefactor[i]), c.extrapolated_ratio[i],
                      c.extrapolated_ratio_se[i], c.prefactor_judged ? Rule::kRelative : Rule::kReport,
                      c.prefactor_judged ? o.prefactor_tolerance : 0});
  }
  // Which attractor holds the most mass at the smallest scale: the least W,
  // and among equally deep ones the flattest (the largest det P).
  const auto smallest = static_cast<std::size_t>(std::min_element(c.scale.begin(), c.scale.end()) - c.scale.begin());
  const auto& fs = c.fraction[smallest];
  const auto most = static_cast<double>(std::max_element(fs.begin(), fs.end()) - fs.begin());
  std::size_t predicted = 0;
  auto log_mass = [&](std::size_t i) {
    const double dw = c.w[i] - c.w[g];
    return (std::abs(dw) > 0.02 * w_scale ? -dw / c.scale[smallest] : 0.0) + c.log_prefactor[i];
  };
  for (std::size_t i = 1; i < m; ++i)
    if (log_mass(i) > log_mass(predicted)) predicted = i;
  c.rows.push_back({"most occupied attractor (index; W-graph, then Hwang among equally deep)",
                    fmt::format("{} = {:g}", c.scale_key, c.scale[smallest]), "1", static_cast<double>(predicted), most, kNaN,
                    Rule::kEqual, 0});
  return c;
}

void write_occupation_comparison(const io::Group& root, const OccupationComparison& c) {
  const io::Group g = root.group("occupation");
  const std::size_t n = c.scale.size(), m = c.w.size();
  g.add_dimension("point", c.scale, {"1", "noise scale (" + c.scale_key + ")"});
  g.add_index_dimension("attractor", m, "attractor (as in the transitions file)");
  g.set_attribute("simulation", c.simulation.string());
  g.set_attribute("transitions", c.transitions.string());
  g.set_attribute("scale_key", c.scale_key);
  std::string names;
  for (const auto& r : c.region) names += (names.empty() ? "" : " ") + r;
  g.set_attribute("region_names", names);
  g.set_attribute("ground_state", static_cast<std::int64_t>(c.ground));
  g.set_attribute("prefactor_judged", static_cast<std::int64_t>(c.prefactor_judged));
  std::vector<double> f, se, pred;
  for (std::size_t k = 0; k < n; ++k)
    for (std::size_t i = 0; i < m; ++i) {
      f.push_back(c.fraction[k][i]);
      se.push_back(c.fraction_se[k][i]);
      pred.push_back(-(c.w[i] - c.w[static_cast<std::size_t>(c.ground)]) / c.scale[k] + c.log_prefactor[i]);
    }
  g.write("fraction", {"point", "attractor"}, std::span<const double>(f), {"1", "simulated occupation of the attractor's region"});
  g.write("fraction_se", {"point", "attractor"}, std::span<const double>(se), {"1", "standard error of fraction"});
  g.write("predicted_log_ratio", {"point", "attractor"}, std::span<const double>(pred),
          {"1", "Laplace: log(p_i / p_ground) = -(W_i - W_g) / s + log_prefactor"});
  g.write("w", {"attractor"}, std::span<const double>(c.w), {"1", "W-graph energy"});
  g.write("log_prefactor", {"attractor"}, std::span<const double>(c.log_prefactor),
          {"1", "(1/2) log(det P_i / det P_ground), P the Lyapunov covariance (Hwang)"});
  g.write("fitted_exponent", {"attractor"}, std::span<const double>(c.fitted_exponent),
          {"1", "W_i - W_g fitted from the slope of -log ratio against 1/s"});
  g.write("fitted_exponent_se", {"attractor"}, std::span<const double>(c.fitted_exponent_se), {"1", "its standard error"});
  g.write("extrapolated_ratio", {"attractor"}, std::span<const double>(c.extrapolated_ratio),
          {"1", "exp(intercept) of log ratio + (W_i - W_g)/s against s: the prefactor as s -> 0"});
  g.write("extrapolated_ratio_se", {"attractor"}, std::span<const double>(c.extrapolated_ratio_se), {"1", "its standard error"});
  write_summary(root, c.rows);
}

}  // namespace fw::compare
