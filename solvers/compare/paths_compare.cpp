// solvers/compare/paths_compare.cpp — transition paths against the
// instanton (paths_compare.hpp).
#include "paths_compare.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "fwkit/core/error.hpp"
#include "option_checks.hpp"
#include "fwkit/io/reader.hpp"
#include "instanton_curve.hpp"
#include "least_squares.hpp"
#include "simulation_file.hpp"
#include "transitions_file.hpp"

namespace fw::compare {

void PathsCompareOptions::validate() const {
  require_positive("compare.exponent_tolerance", exponent_tolerance);
  if (bins < 2 || bins > 10000) throw config_error(fmt::format("compare.bins = {}: must be in [2, 10000]", bins));
}

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

}  // namespace

PathsComparison compare_paths(const std::filesystem::path& simulation, const std::filesystem::path& transitions,
                              const PathsCompareOptions& o) {
  o.validate();
  PathsComparison c;
  c.simulation = simulation;
  c.transitions = transitions;
  const TransitionsFile tf = TransitionsFile::read(transitions);
  const std::size_t m = tf.attractors.size();
  if (tf.legs.empty())
    throw data_error(fmt::format("{}: no attractor-to-saddle legs: the path comparison needs two attractors and a saddle",
                                 transitions.string()));
  for (const auto& leg : tf.legs)
    if (leg.path.size() < 2)
      throw data_error(fmt::format("{}: leg {} -> {} has no path (/transitions/leg_path)", transitions.string(), leg.from, leg.to));
  const SimulationFile sim(simulation, "the path comparison");
  c.scale_key = scale_sweep(sim, "the path comparison");
  const std::vector<std::string> names = regions_holding(sim, tf.attractors);
  const config::Config first = sim.point_config(0);
  const config::Table regions = first.root().table("simulate").table("regions");
  std::vector<sim::Region> areas;
  for (const auto& n : names) areas.push_back(configured_region(regions, n));
  for (std::size_t s = 0; s < tf.saddles.size(); ++s)
    for (std::size_t i = 0; i < m; ++i)
      if (areas[i].contains(tf.saddles[s].data()))
        throw config_error(fmt::format("{}: simulate.regions.{} holds saddle {}: a transition path must start and end "
                                       "away from the saddles",
                                       simulation.string(), names[i], s));

  // The instanton of each leg: uphill by minimum action, downhill by the flow.
  double span = 0;
  for (std::size_t i = 0; i < m; ++i)
    for (std::size_t j = 0; j < m; ++j) span = std::max(span, (tf.attractors[i] - tf.attractors[j]).norm());
  std::vector<Polyline> curve;
  std::vector<std::vector<int>> leg_of(m, std::vector<int>(m, -1));
  for (std::size_t l = 0; l < tf.legs.size(); ++l) {
    const TransitionLeg& leg = tf.legs[l];
    std::vector<Vec> pts = leg.path;
    const std::vector<Vec> down =
        descent(*tf.model.system, tf.saddles.at(static_cast<std::size_t>(leg.saddle)), tf.attractors.at(leg.to), 1e-3 * span);
    const std::size_t every = std::max<std::size_t>(1, down.size() / 400);
    for (std::size_t k = 0; k < down.size(); k += every) pts.push_back(down[k]);
    pts.push_back(down.back());
    c.instanton.push_back(pts);
    curve.emplace_back(pts);
    int& best = leg_of[leg.from][leg.to];
    if (best < 0 || leg.cost < tf.legs[best].cost) best = static_cast<int>(l);
  }

  // The transition paths of each point.
  const io::Reader& r = sim.reader();
  const std::size_t n = sim.points().size();
  std::vector<std::vector<double>> pooled(n);
  for (std::size_t k = 0; k < n; ++k) {
    c.scale.push_back(sim.points()[k].value);
    if (!r.exists(sim.dataset(k, "trajectory/state")))
      throw config_error(fmt::format("{}: no trajectories: the path comparison needs [simulate.trajectory] members > 0",
                                     sim.where(k)));
    const io::Array st = r.read(sim.dataset(k, "trajectory/state"));  // member, time, component
    const std::size_t M = st.shape.at(0), T = st.shape.at(1), d = st.shape.at(2);
    std::vector<double> rms, line;
    for (std::size_t mem = 0; mem < M; ++mem) {
      int last = -1;
      std::size_t last_t = 0;
      for (std::size_t t = 0; t < T; ++t) {
        const double* x = &st.data[(mem * T + t) * d];
        if (!std::isfinite(x[0])) break;  // flagged from here on
        int a = -1;
        for (std::size_t i = 0; i < m && a < 0; ++i)
          if (areas[i].contains(x)) a = static_cast<int>(i);
        if (a < 0) continue;
        if (last >= 0 && a != last && leg_of[last][a] >= 0 && t > last_t + 1) {
          const Polyline& cv = curve[static_cast<std::size_t>(leg_of[last][a])];
          const Polyline straight({tf.attractors[last], tf.attractors[a]});
          double s2 = 0, l2 = 0;
          for (std::size_t u = last_t + 1; u < t; ++u) {
            const double* y = &st.data[(mem * T + u) * d];
            const double dist = cv.distance(y), dl = straight.distance(y);
            s2 += dist * dist;
            l2 += dl * dl;
            pooled[k].push_back(dist);
          }
          const double cnt = static_cast<double>(t - last_t - 1);
          rms.push_back(std::sqrt(s2 / cnt));
          line.push_back(std::sqrt(l2 / cnt));
        }
        last = a;
        last_t = t;
      }
    }
    c.paths.push_back(static_cast<std::int64_t>(rms.size()));
    double mean = 0, lmean = 0, var = 0;
    for (std::size_t p = 0; p < rms.size(); ++p) mean += rms[p], lmean += line[p];
    mean /= static_cast<double>(rms.size());
    lmean /= static_cast<double>(rms.size());
    for (double v : rms) var += (v - mean) * (v - mean);
    const double se = rms.size() > 1 ? std::sqrt(var / static_cast<double>(rms.size() - 1) / static_cast<double>(rms.size())) : kNaN;
    c.distance.push_back(rms.empty() ? kNaN : mean);
    c.distance_se.push_back(se);
    c.line_distance.push_back(rms.empty() ? kNaN : lmean);
  }

  // The distance distribution of the path samples, per point.
  double top = 0;
  for (auto& p : pooled)
    if (!p.empty()) {
      std::vector<double> q = p;
      const auto at = q.begin() + static_cast<std::ptrdiff_t>(0.99 * static_cast<double>(q.size() - 1));
      std::nth_element(q.begin(), at, q.end());
      top = std::max(top, *at);
    }
  if (!(top > 0)) top = 1;
  const double width = top / o.bins;
  for (int b = 0; b <= o.bins; ++b) c.bin_edges.push_back(b * width);
  for (const auto& p : pooled) {
    std::vector<double> dens(static_cast<std::size_t>(o.bins), 0.0);
    for (double v : p) {
      const auto b = static_cast<std::size_t>(v / width);
      if (b < dens.size()) dens[b] += 1;
    }
    for (double& v : dens) v = p.empty() ? kNaN : v / (static_cast<double>(p.size()) * width);
    c.density.push_back(dens);
  }

  // The summary.
  const std::string sname = c.scale_key.substr(c.scale_key.find('.') + 1);
  std::vector<double> lx, ly, lse;
  for (std::size_t k = 0; k < n; ++k) {
    const std::string cond = fmt::format("{} = {:g}, {} paths", sname, c.scale[k], c.paths[k]);
    c.rows.push_back({"mean RMS distance of the transition paths to the instanton", cond, "", kNaN, c.distance[k],
                      c.distance_se[k], Rule::kReport, 0});
    c.rows.push_back({"the same to the straight segment between the attractors", cond, "", kNaN, c.line_distance[k], kNaN,
                      Rule::kReport, 0});
    if (c.paths[k] >= 2 && c.distance[k] > 0)
      lx.push_back(std::log(c.scale[k])), ly.push_back(std::log(c.distance[k])), lse.push_back(c.distance_se[k] / c.distance[k]);
  }
  if (lx.size() < 2)
    throw data_error(fmt::format("{}: fewer than two points with two or more transition paths on the kept trajectories; "
                                 "keep more members' trajectories or run longer",
                                 simulation.string()));
  const Line f = fit_line(lx, ly, lse);
  c.exponent = f.slope;
  c.exponent_se = f.slope_se;
  c.rows.push_back({fmt::format("exponent of the mean distance in {} (tube width ~ sqrt({}))", sname, sname),
                    fmt::format("{} points", lx.size()), "", 0.5, f.slope, f.slope_se, Rule::kRelative, o.exponent_tolerance});
  return c;
}

void write_paths_comparison(const io::Group& root, const PathsComparison& c) {
  const io::Group g = root.group("paths");
  g.add_dimension("point", c.scale, {"1", "noise scale (" + c.scale_key + ")"});
  std::vector<double> centre;
  for (std::size_t b = 0; b + 1 < c.bin_edges.size(); ++b) centre.push_back(0.5 * (c.bin_edges[b] + c.bin_edges[b + 1]));
  g.add_dimension("distance", centre, {"1", "distance to the instanton (bin centres)"});
  g.set_attribute("simulation", c.simulation.string());
  g.set_attribute("transitions", c.transitions.string());
  g.set_attribute("scale_key", c.scale_key);
  g.set_attribute("bin_width", c.bin_edges.size() > 1 ? c.bin_edges[1] - c.bin_edges[0] : 0.0);
  g.set_attribute("exponent", c.exponent);
  g.set_attribute("exponent_se", c.exponent_se);
  g.write("paths", {"point"}, std::span<const std::int64_t>(c.paths), {"1", "transition paths measured"});
  g.write("mean_distance", {"point"}, std::span<const double>(c.distance),
          {"1", "mean over paths of the RMS distance of a path's samples to the instanton"});
  g.write("mean_distance_se", {"point"}, std::span<const double>(c.distance_se), {"1", "its standard error"});
  g.write("line_distance", {"point"}, std::span<const double>(c.line_distance),
          {"1", "the same to the straight segment between the attractors"});
  std::vector<double> dens;
  for (const auto& row : c.density) dens.insert(dens.end(), row.begin(), row.end());
  g.write("density", {"point", "distance"}, std::span<const double>(dens),
          {"1", "probability density of a path sample's distance to the instanton"});
  std::size_t longest = 0;
  for (const auto& p : c.instanton) longest = std::max(longest, p.size());
  const std::size_t d = c.instanton.empty() ? 0 : static_cast<std::size_t>(c.instanton.front().front().size());
  g.add_index_dimension("leg", c.instanton.size(), "leg of the transitions file");
  g.add_index_dimension("node", longest, "point along the instanton (NaN-padded)");
  g.add_index_dimension("component", d, "state coordinate");
  std::vector<double> inst(c.instanton.size() * longest * d, kNaN);
  for (std::size_t l = 0; l < c.instanton.size(); ++l)
    for (std::size_t k = 0; k < c.instanton[l].size(); ++k)
      for (std::size_t j = 0; j < d; ++j) inst[(l * longest + k) * d + j] = c.instanton[l][k][static_cast<Eigen::Index>(j)];
  g.write("instanton", {"leg", "node", "component"}, std::span<const double>(inst),
          {"1", "minimum action path to the saddle, then the flow down to the next attractor"});
  write_summary(root, c.rows);
}

}  // namespace fw::compare
