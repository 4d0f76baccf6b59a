// solvers/compare/covariance_compare.cpp — SGD's stationary covariance,
// discrete Lyapunov against simulation (covariance_compare.hpp).
#include "covariance_compare.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "analyze/minimize.hpp"
#include "analyze/sgd_covariance.hpp"
#include "fwkit/config/model_config.hpp"
#include "fwkit/core/error.hpp"
#include "option_checks.hpp"
#include "simulation_file.hpp"

namespace fw::compare {

void CovarianceCompareOptions::validate() const {
  require_positive("compare.standard_errors", standard_errors);
  require_positive("compare.zero_fraction", zero_fraction);
}

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

/// The strict minimum the run at point i started from, minimised from its x0.
analyze::Equilibrium minimum_of(const SimulationFile& sim, std::size_t i, const model::Model& m) {
  const config::Table s = sim.point_config(i).root().table("simulate");
  const std::vector<double> x0 = s.numbers("x0");
  if (static_cast<int>(x0.size()) != m.dim())
    throw Error(ExitCode::kData, fmt::format("{}: simulate.x0 has {} entries for a model of dimension {}", sim.where(i),
                                             x0.size(), m.dim()));
  analyze::MinimizeOptions o;
  o.names = m.system->variable_names();
  const analyze::Minimum min = analyze::minimize(*m.system, Eigen::Map<const Vec>(x0.data(), m.dim()), o);
  if (min.status != analyze::MinimizeStatus::kConverged && min.status != analyze::MinimizeStatus::kRounding)
    throw Error(ExitCode::kData, fmt::format("{}: minimising the loss from simulate.x0 {}: {}", sim.where(i),
                                             analyze::to_string(min.status), min.reason));
  analyze::Equilibrium e;
  e.x = min.x;
  e.stability = analyze::Stability::kStable;
  e.has_loss = true;
  e.loss = min.loss;
  e.hessian_eigenvalues =
      Eigen::SelfAdjointEigenSolver<Mat>(m.system->loss_hessian_at(min.x), Eigen::EigenvaluesOnly).eigenvalues();
  if (!(e.hessian_eigenvalues.minCoeff() > 0))
    throw Error(ExitCode::kData, fmt::format("{}: the point simulate.x0 minimises to is not a strict minimum (smallest "
                                             "Hessian eigenvalue {:.3g}): the Lyapunov prediction needs one",
                                             sim.where(i), e.hessian_eigenvalues.minCoeff()));
  return e;
}

/// The coordinates the noise reaches at step k (predicted variance above
/// zero_fraction of the largest).
std::vector<Eigen::Index> live_coordinates(const CovarianceComparison& c, Eigen::Index k, double zero_fraction) {
  std::vector<Eigen::Index> live;
  const double top = c.predicted.row(k).maxCoeff();
  for (Eigen::Index j = 0; j < c.predicted.cols(); ++j)
    if (c.predicted(k, j) > zero_fraction * top) live.push_back(j);
  return live;
}

/// The row the noise-free coordinates get at step k (none if every one is live).
void add_zero_row(CovarianceComparison& c, Eigen::Index k, const CovarianceCompareOptions& o) {
  const double top = c.predicted.row(k).maxCoeff();
  double worst = 0;
  bool any = false;
  for (Eigen::Index j = 0; j < c.predicted.cols(); ++j)
    if (c.predicted(k, j) <= o.zero_fraction * top) any = true, worst = std::max(worst, c.simulated(k, j));
  if (any)
    c.rows.push_back({"largest variance where the noise does not reach", fmt::format("step = {:g}", c.step[static_cast<std::size_t>(k)]),
                      "1", 0, worst, kNaN, Rule::kAbsolute, o.zero_fraction * top});
}

/// One step: every live coordinate's variance within standard errors.
void add_direct_rows(CovarianceComparison& c, Eigen::Index k, const CovarianceCompareOptions& o) {
  const std::string cond = fmt::format("step = {:g}", c.step[static_cast<std::size_t>(k)]);
  for (Eigen::Index j : live_coordinates(c, k, o.zero_fraction))
    c.rows.push_back({"variance of " + c.names[static_cast<std::size_t>(j)], cond, "1", c.predicted(k, j),
                      c.simulated(k, j), c.simulated_se(k, j), Rule::kWithinSe, o.standard_errors});
}

/// A sweep: per step, the mean relative deviation and the largest |z|
/// (reported: the O(eta) discrepancy is resolved at the larger steps);
/// judged, per live coordinate, the ratio simulated / predicted
/// extrapolated linearly to eta -> 0 from the two smallest steps, against 1.
void add_sweep_rows(CovarianceComparison& c, const CovarianceCompareOptions& o) {
  const Eigen::Index n = c.predicted.rows();
  std::vector<Eigen::Index> order(static_cast<std::size_t>(n));
  for (Eigen::Index k = 0; k < n; ++k) order[static_cast<std::size_t>(k)] = k;
  std::sort(order.begin(), order.end(), [&](auto a, auto b) { return c.step[static_cast<std::size_t>(a)] < c.step[static_cast<std::size_t>(b)]; });
  for (Eigen::Index k : order) {
    double mean = 0, zmax = 0;
    const auto live = live_coordinates(c, k, o.zero_fraction);
    for (Eigen::Index j : live) {
      mean += (c.simulated(k, j) / c.predicted(k, j) - 1) / static_cast<double>(live.size());
      zmax = std::max(zmax, std::abs(c.simulated(k, j) - c.predicted(k, j)) / c.simulated_se(k, j));
    }
    const std::string cond = fmt::format("step = {:g}", c.step[static_cast<std::size_t>(k)]);
    c.rows.push_back({"mean of simulated / predicted variance - 1", cond, "1", kNaN, mean, kNaN, Rule::kReport, 0});
    c.rows.push_back({"largest z-score (simulated - predicted) / se over coordinates", cond, "se", kNaN, zmax, kNaN, Rule::kReport, 0});
    add_zero_row(c, k, o);
  }
  const Eigen::Index a = order[0], b = order[1];  // the smallest steps, eta_a < eta_b
  const double ea = c.step[static_cast<std::size_t>(a)], eb = c.step[static_cast<std::size_t>(b)];
  if (!(eb > ea))
    throw config_error(fmt::format("{}: the sweep's two smallest steps are equal ({}): the comparison extrapolates in "
                                   "eta, so the simulation must sweep simulate.step", c.simulation.string(), ea));
  const std::string cond = fmt::format("eta -> 0 from steps {:g} and {:g}", ea, eb);
  for (Eigen::Index j : live_coordinates(c, a, o.zero_fraction)) {
    // r(eta) = ratio - 1 = r'(0) eta + ...: r(0) = (eb r_a - ea r_b) / (eb - ea).
    const double ra = c.simulated(a, j) / c.predicted(a, j), rb = c.simulated(b, j) / c.predicted(b, j);
    const double sa = c.simulated_se(a, j) / c.predicted(a, j), sb = c.simulated_se(b, j) / c.predicted(b, j);
    const double wa = eb / (eb - ea), wb = ea / (eb - ea);
    // The two runs are treated as independent (with a shared seed they are
    // positively correlated, and this se is then an overestimate).
    c.rows.push_back({"simulated / predicted variance of " + c.names[static_cast<std::size_t>(j)], cond, "1", 1,
                      wa * ra - wb * rb, std::hypot(wa * sa, wb * sb), Rule::kWithinSe, o.standard_errors});
  }
}

}  // namespace

CovarianceComparison compare_covariance(const std::filesystem::path& simulation, const CovarianceCompareOptions& o) {
  o.validate();
  const SimulationFile sim(simulation, "the SGD covariance comparison");
  CovarianceComparison c;
  c.simulation = simulation;
  const std::size_t n = sim.points().size();
  for (std::size_t i = 0; i < n; ++i) {
    const config::Config cfg = sim.point_config(i);
    const config::Table s = cfg.root().table("simulate");
    if (s.string("scheme", "sgd") != "sgd")
      throw config_error(fmt::format("{}: simulate.scheme = \"{}\": the SGD covariance comparison needs \"sgd\"",
                                     sim.where(i), s.string("scheme", "sgd")));
    const model::Model m = config::build_model(cfg.root().table("model"));
    if (!m.system->is_gradient())
      throw config_error(sim.where(i) + ": the model has no loss; the SGD covariance comparison needs a minimum of one");
    const analyze::Equilibrium e = minimum_of(sim, i, m);
    const double eta = s.number("step");
    analyze::Result one;
    one.equilibria.push_back(e);
    const auto p = analyze::predict_sgd_covariance(m, one, eta).at(0);
    if (!p.converged)
      throw Error(ExitCode::kData, fmt::format("{}: step {} is beyond stability at the minimum (eta lambda_max = {:.3g} "
                                               ">= 2): SGD has no stationary covariance there",
                                               sim.where(i), eta, eta * e.hessian_eigenvalues.maxCoeff()));
    if (i == 0) {
      c.names = m.system->variable_names();
      c.minimum = e.x;
      c.loss = e.loss;
      c.hessian_eigenvalues = e.hessian_eigenvalues;
      c.predicted.resize(static_cast<Eigen::Index>(n), m.dim());
      c.simulated.resizeLike(c.predicted);
      c.simulated_se.resizeLike(c.predicted);
    }
    const auto var = sim.reader().read(sim.dataset(i, "summary/variance")).data;
    const auto se = sim.reader().read(sim.dataset(i, "summary/variance_se")).data;
    const auto k = static_cast<Eigen::Index>(i);
    for (Eigen::Index j = 0; j < m.dim(); ++j) {
      c.predicted(k, j) = p.covariance(j, j);
      c.simulated(k, j) = var[static_cast<std::size_t>(j)];
      c.simulated_se(k, j) = se[static_cast<std::size_t>(j)];
    }
    c.step.push_back(eta);
  }
  c.rows.push_back({"loss at the minimum", "", "1", kNaN, c.loss, kNaN, Rule::kReport, 0});
  c.rows.push_back({"smallest Hessian eigenvalue", "", "1", kNaN, c.hessian_eigenvalues.minCoeff(), kNaN, Rule::kReport, 0});
  c.rows.push_back({"largest Hessian eigenvalue", "", "1", kNaN, c.hessian_eigenvalues.maxCoeff(), kNaN, Rule::kReport, 0});
  if (c.predicted.rows() == 1) {
    add_direct_rows(c, 0, o);
    add_zero_row(c, 0, o);
  } else {
    add_sweep_rows(c, o);
  }
  return c;
}

void write_covariance_comparison(const io::Group& root, const CovarianceComparison& c) {
  const io::Group g = root.group("sgd_covariance");
  g.add_dimension("step", c.step, {"1", "SGD step"});
  g.add_index_dimension("component", c.names.size(), "state coordinate");
  g.add_index_dimension("eigenvalue", static_cast<std::size_t>(c.hessian_eigenvalues.size()), "Hessian eigenvalue, ascending");
  std::string names;
  for (const auto& s : c.names) names += (names.empty() ? "" : " ") + s;
  g.set_attribute("variables", names);
  g.set_attribute("simulation", c.simulation.string());
  g.set_attribute("loss", c.loss);
  const Mat pr = c.predicted.transpose(), si = c.simulated.transpose(), se = c.simulated_se.transpose();  // row-major step x component
  g.write("predicted", {"step", "component"}, std::span<const double>(pr.data(), static_cast<std::size_t>(pr.size())),
          {"1", "variance predicted by the discrete Lyapunov equation"});
  g.write("simulated", {"step", "component"}, std::span<const double>(si.data(), static_cast<std::size_t>(si.size())),
          {"1", "simulated stationary variance"});
  g.write("simulated_se", {"step", "component"}, std::span<const double>(se.data(), static_cast<std::size_t>(se.size())),
          {"1", "its standard error"});
  g.write("minimum", {"component"}, std::span<const double>(c.minimum.data(), static_cast<std::size_t>(c.minimum.size())),
          {"1", "the minimum the runs started from"});
  g.write("hessian_eigenvalues", {"eigenvalue"},
          std::span<const double>(c.hessian_eigenvalues.data(), static_cast<std::size_t>(c.hessian_eigenvalues.size())),
          {"1", "eigenvalues of the loss's Hessian at the minimum"});
  write_summary(root, c.rows);
}

}  // namespace fw::compare
