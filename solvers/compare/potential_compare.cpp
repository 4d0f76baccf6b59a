// solvers/compare/potential_compare.cpp — the quasi-potential against the
// simulated density (potential_compare.hpp).
#include "potential_compare.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "fwkit/config/model_config.hpp"
#include "fwkit/core/error.hpp"
#include "option_checks.hpp"
#include "fwkit/io/grid_dimensions.hpp"
#include "fwkit/io/reader.hpp"
#include "least_squares.hpp"
#include "potential_model.hpp"
#include "simulation_file.hpp"

namespace fw::compare {

void PotentialCompareOptions::validate() const {
  if (hamiltonian != "discrete" && hamiltonian != "langevin")
    throw config_error(fmt::format("compare.hamiltonian = \"{}\": must be \"discrete\" or \"langevin\"", hamiltonian));
  require_positive("compare.tolerance", tolerance);
  require_positive("compare.slope_tolerance", slope_tolerance);
  if (!(min_count >= 1)) throw config_error(fmt::format("compare.min_count = {}: must be >= 1", min_count));
  if (quadrature < 1 || quadrature > 16)
    throw config_error(fmt::format("compare.quadrature = {}: must be in [1, 16]", quadrature));
}

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

/// The grid whose node coordinates are the datasets `<group>/<variable>`.
grid::Grid grid_of(const io::Reader& r, const std::string& group, const std::vector<std::string>& vars,
                   const std::string& file) {
  grid::Grid g;
  for (const auto& v : vars) {
    if (!r.exists(group + "/" + v))
      throw data_error(fmt::format("{}: {} has no coordinate \"{}\" (the model's variables)", file, group, v));
    const io::Array c = r.read(group + "/" + v);
    if (c.size() < 2) throw data_error(fmt::format("{}: {}/{} has fewer than two nodes", file, group, v));
    g.lower.push_back(c.data.front());
    g.upper.push_back(c.data.back());
    g.nodes.push_back(static_cast<int>(c.size()));
  }
  return g;
}

/// The coordinates of node `flat` of `g`.
void node_point(const grid::Grid& g, std::size_t flat, double* x) {
  for (int j = g.dim(); j-- > 0;) {
    x[j] = g.coordinate(j, static_cast<int>(flat % static_cast<std::size_t>(g.nodes[j])));
    flat /= static_cast<std::size_t>(g.nodes[j]);
  }
}

double rms(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x * x;
  return std::sqrt(s / static_cast<double>(v.size()));
}

}  // namespace

PotentialComparison compare_potential(const std::filesystem::path& simulation,
                                      const std::filesystem::path& quasipotential,
                                      const PotentialCompareOptions& o) {
  o.validate();
  PotentialComparison c;
  c.simulation = simulation;
  c.quasipotential = quasipotential;
  const SimulationFile sim(simulation, "the potential comparison");
  c.scale_key = scale_sweep(sim, "the potential comparison");
  const std::size_t n = sim.points().size();
  const config::Config first = sim.point_config(0);
  c.variables = config::build_model(first.root().table("model")).system->variable_names();
  const std::size_t d = c.variables.size();
  if (d < 2 || d > 3)
    throw config_error(fmt::format("{}: the potential comparison needs a 2-D or 3-D model, not {}-D", simulation.string(), d));
  const io::Reader& sr = sim.reader();

  // The potentials, the expected one first.
  const io::Reader qr(quasipotential);
  if (qr.string_attribute("/", "fwkit_kind") != "quasipotential")
    throw data_error(fmt::format("{}: is a \"{}\" file; the potential comparison reads a quasipotential file",
                                 quasipotential.string(), qr.string_attribute("/", "fwkit_kind")));
  const std::string other = o.hamiltonian == "discrete" ? "langevin" : "discrete";
  if (!qr.exists("/quasipotential/" + o.hamiltonian))
    throw data_error(fmt::format("{}: holds no /quasipotential/{}: compute it (quasipotential.hamiltonians) or set "
                                 "compare.hamiltonian to the one it holds",
                                 quasipotential.string(), o.hamiltonian));
  c.hamiltonian.push_back(o.hamiltonian);
  if (qr.exists("/quasipotential/" + other)) c.hamiltonian.push_back(other);
  std::vector<GridPotential> potentials;
  for (const auto& h : c.hamiltonian) {
    const std::string g = "/quasipotential/" + h;
    potentials.emplace_back(grid_of(qr, g, c.variables, quasipotential.string()), qr.read(g + "/V").data,
                            qr.read(g + "/grad_V").data);
  }

  // The histograms: one grid, member groups at every point.
  for (std::size_t k = 0; k < n; ++k)
    if (!sr.exists(sim.dataset(k, "histogram/group_count")))
      throw config_error(fmt::format("{}: the potential comparison needs a histogram in member groups "
                                     "(simulate.histogram.groups >= 4) for its error bars",
                                     sim.where(k)));
  c.cells = grid_of(sr, sim.dataset(0, "histogram"), c.variables, simulation.string());
  const std::size_t cells = c.cells.size();
  {
    const GridPotential& e = potentials.front();
    double at[3];
    node_point(e.grid(), e.minimum_node(), at);
    const std::int64_t ref = c.cells.locate(at);
    if (ref < 0)
      throw config_error(fmt::format("{}: the attractor of the {} potential lies outside simulate.histogram's box",
                                     simulation.string(), o.hamiltonian));
    c.reference = static_cast<std::size_t>(ref);
  }

  // Observed: -s log(n_c / n_ref) and its jackknife error over the groups.
  std::vector<std::vector<double>> count(n);
  c.observed.assign(n, std::vector<double>(cells, kNaN));
  c.observed_se.assign(n, std::vector<double>(cells, kNaN));
  for (std::size_t k = 0; k < n; ++k) {
    const double s = sim.points()[k].value;
    c.scale.push_back(s);
    const io::Array gc = sr.read(sim.dataset(k, "histogram/group_count"));
    const std::size_t groups = gc.shape.front();
    if (gc.size() != groups * cells || groups < 4)
      throw data_error(fmt::format("{}: histogram/group_count must hold >= 4 groups on the histogram's grid (simulate.histogram.groups)",
                                   sim.where(k)));
    count[k].assign(cells, 0.0);
    for (std::size_t g = 0; g < groups; ++g)
      for (std::size_t i = 0; i < cells; ++i) count[k][i] += gc.data[g * cells + i];
    const double nref = count[k][c.reference];
    if (!(nref > 0)) throw data_error(fmt::format("{}: no sample in the attractor's cell", sim.where(k)));
    for (std::size_t i = 0; i < cells; ++i) {
      if (!(count[k][i] > 0)) continue;
      c.observed[k][i] = -s * std::log(count[k][i] / nref);
      double mean = 0, m2 = 0;
      std::vector<double> loo(groups);
      bool ok = true;
      for (std::size_t g = 0; g < groups; ++g) {
        const double ni = count[k][i] - gc.data[g * cells + i], nr = nref - gc.data[g * cells + c.reference];
        ok = ok && ni > 0 && nr > 0;
        loo[g] = ok ? -s * std::log(ni / nr) : kNaN;
        mean += loo[g];
      }
      if (!ok) continue;
      mean /= static_cast<double>(groups);
      for (double v : loo) m2 += (v - mean) * (v - mean);
      c.observed_se[k][i] = std::sqrt(m2 * static_cast<double>(groups - 1) / static_cast<double>(groups));
    }
  }

  // Predicted: -s log(m_c / m_ref) for each potential.
  const std::size_t H = c.hamiltonian.size();
  const CellRule rule(o.quadrature);
  c.predicted.assign(H, std::vector<std::vector<double>>(n, std::vector<double>(cells, kNaN)));
  c.value.assign(H, std::vector<double>(cells, kNaN));
  for (std::size_t h = 0; h < H; ++h) {
    const GridPotential& v = potentials[h];
    for (std::size_t i = 0; i < cells; ++i) {
      double x[3];
      node_point(c.cells, i, x);
      c.value[h][i] = v.at(x);
    }
    for (std::size_t k = 0; k < n; ++k) {
      const double s = c.scale[k];
      const double ref = rule.log_mass(v, c.cells, c.reference, s, 0.0);
      if (!std::isfinite(ref))
        throw data_error(fmt::format("{}: the {} potential is not defined across the attractor's cell",
                                     quasipotential.string(), c.hamiltonian[h]));
      for (std::size_t i = 0; i < cells; ++i) {
        const double lm = rule.log_mass(v, c.cells, i, s, 0.0);
        if (!std::isnan(lm)) c.predicted[h][k][i] = -s * (lm - ref);
      }
    }
  }

  // The compared cells, and each one's discrepancy extrapolated to s -> 0.
  c.compared.assign(cells, 0);
  c.extrapolated.assign(H, std::vector<double>(cells, kNaN));
  c.extrapolated_se.assign(H, std::vector<double>(cells, kNaN));
  std::vector<std::size_t> used;
  for (std::size_t i = 0; i < cells; ++i) {
    bool ok = i != c.reference;
    for (std::size_t k = 0; k < n && ok; ++k) {
      ok = count[k][i] >= o.min_count && std::isfinite(c.observed_se[k][i]) && c.observed_se[k][i] > 0;
      for (std::size_t h = 0; h < H && ok; ++h) ok = std::isfinite(c.predicted[h][k][i]);
    }
    if (!ok) continue;
    c.compared[i] = 1;
    used.push_back(i);
    for (std::size_t h = 0; h < H; ++h) {
      std::vector<double> delta, se;
      for (std::size_t k = 0; k < n; ++k)
        delta.push_back(c.observed[k][i] - c.predicted[h][k][i]), se.push_back(c.observed_se[k][i]);
      const Line f = fit_line(c.scale, delta, se);
      c.extrapolated[h][i] = f.intercept;
      c.extrapolated_se[h][i] = f.intercept_se;
    }
  }
  if (used.size() < 10)
    throw data_error(fmt::format("{}: only {} cells hold >= {} samples at every point (compare.min_count); run longer "
                                 "or use coarser histogram cells",
                                 simulation.string(), used.size(), o.min_count));

  // The summary.
  double vmax = 0;
  for (std::size_t i : used) vmax = std::max(vmax, c.value[0][i]);
  const std::string where = fmt::format("{} cells, V <= {:.3g}", used.size(), vmax);
  const std::string sname = c.scale_key.substr(c.scale_key.find('.') + 1);
  std::vector<double> noise;
  for (std::size_t i : used) noise.push_back(c.extrapolated_se[0][i]);
  const double floor = rms(noise);
  for (std::size_t h = 0; h < H; ++h) {
    for (std::size_t k = 0; k < n; ++k) {
      std::vector<double> dk;
      for (std::size_t i : used) dk.push_back(c.observed[k][i] - c.predicted[h][k][i]);
      c.rows.push_back({fmt::format("RMS of -s log(count ratio) - cell-mass prediction ({})", c.hamiltonian[h]),
                        fmt::format("{} = {:g}", sname, c.scale[k]), "", 0, rms(dk), kNaN, Rule::kReport, 0});
    }
    std::vector<double> d0, ad0;
    for (std::size_t i : used) d0.push_back(c.extrapolated[h][i]), ad0.push_back(std::abs(c.extrapolated[h][i]));
    double mean = 0;
    for (double v : d0) mean += v / static_cast<double>(d0.size());
    // The expected potential must leave nothing; the other one misses by V_expected - V_other.
    const bool expected = h == 0;
    std::vector<double> dv;
    for (std::size_t i : used) dv.push_back(c.value[0][i] - c.value[h][i]);
    c.rows.push_back({fmt::format("RMS discrepancy extrapolated to s -> 0 ({})", c.hamiltonian[h]), where, "",
                      rms(dv), rms(d0), floor, expected ? Rule::kAbsolute : Rule::kReport, expected ? o.tolerance : 0});
    double dv_mean = 0, dv_max = 0;
    for (double v : dv) dv_mean += v / static_cast<double>(dv.size()), dv_max = std::max(dv_max, std::abs(v));
    c.rows.push_back({fmt::format("mean discrepancy extrapolated to s -> 0 ({})", c.hamiltonian[h]), where, "", dv_mean,
                      mean, kNaN, Rule::kReport, 0});
    c.rows.push_back({fmt::format("largest absolute discrepancy extrapolated to s -> 0 ({})", c.hamiltonian[h]), where, "",
                      dv_max, *std::max_element(ad0.begin(), ad0.end()), kNaN, Rule::kReport, 0});
  }
  if (H == 2) {
    // The other potential's discrepancy against V_expected - V_other: slope 1
    // (weighted least squares through the origin).
    double sxx = 0, sxy = 0;
    for (std::size_t i : used) {
      const double x = c.value[0][i] - c.value[1][i], w = 1 / (c.extrapolated_se[1][i] * c.extrapolated_se[1][i]);
      sxx += w * x * x;
      sxy += w * x * c.extrapolated[1][i];
    }
    c.rows.push_back({fmt::format("slope of the {} discrepancy against V({}) - V({})", c.hamiltonian[1],
                                  c.hamiltonian[0], c.hamiltonian[1]),
                      where, "", 1.0, sxy / sxx, 1 / std::sqrt(sxx), Rule::kRelative, o.slope_tolerance});
  }
  return c;
}

void write_potential_comparison(const io::Group& root, const PotentialComparison& c) {
  const io::Group g = root.group("potential");
  g.add_dimension("point", c.scale, {"1", "noise scale (" + c.scale_key + ")"});
  g.add_index_dimension("hamiltonian", c.hamiltonian.size(), "the potential (see the attribute hamiltonians)");
  const std::vector<std::string> dims = io::add_grid_dimensions(g, c.cells, c.variables);
  std::string names;
  for (const auto& h : c.hamiltonian) names += (names.empty() ? "" : " ") + h;
  g.set_attribute("hamiltonians", names);
  g.set_attribute("simulation", c.simulation.string());
  g.set_attribute("quasipotential", c.quasipotential.string());
  g.set_attribute("scale_key", c.scale_key);
  g.set_attribute("reference_cell", static_cast<std::int64_t>(c.reference));
  auto flat = [](const auto& rows) {
    std::vector<double> out;
    for (const auto& r : rows) out.insert(out.end(), r.begin(), r.end());
    return out;
  };
  std::vector<std::string> pd{"point"}, hd{"hamiltonian"}, hpd{"hamiltonian", "point"};
  pd.insert(pd.end(), dims.begin(), dims.end());
  hd.insert(hd.end(), dims.begin(), dims.end());
  hpd.insert(hpd.end(), dims.begin(), dims.end());
  g.write("compared", dims, std::span<const std::int64_t>(c.compared),
          {"1", "1 where the cell holds compare.min_count samples at every point"});
  g.write("observed", pd, std::span<const double>(flat(c.observed)),
          {"1", "-s log(count / count of the attractor's cell): the empirical potential"});
  g.write("observed_se", pd, std::span<const double>(flat(c.observed_se)), {"1", "jackknife error over member groups"});
  std::vector<double> pred;
  for (const auto& h : c.predicted) {
    const auto f = flat(h);
    pred.insert(pred.end(), f.begin(), f.end());
  }
  g.write("predicted", hpd, std::span<const double>(pred), {"1", "-s log(cell mass of exp(-V/s) / the attractor cell's)"});
  g.write("V", hd, std::span<const double>(flat(c.value)), {"1", "V at the cell's node"});
  g.write("extrapolated", hd, std::span<const double>(flat(c.extrapolated)),
          {"1", "observed - predicted, extrapolated linearly in s to s -> 0 (compared cells)"});
  g.write("extrapolated_se", hd, std::span<const double>(flat(c.extrapolated_se)), {"1", "its standard error"});
  write_summary(root, c.rows);
}

}  // namespace fw::compare
