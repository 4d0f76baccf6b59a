#include "sgd_covariance.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <numeric>

#include "fwkit/model/lyapunov.hpp"

namespace fw::analyze {

std::vector<SgdCovariance> predict_sgd_covariance(const model::Model& model, const Result& result, double eta) {
  std::vector<SgdCovariance> out;
  for (std::size_t i = 0; i < result.equilibria.size(); ++i) {
    const Equilibrium& e = result.equilibria[i];
    if (e.stability != Stability::kStable) continue;
    const auto r = model::sgd_stationary_covariance(model.system->jacobian_at(e.x), model.noise->covariance(e.x), eta);
    out.push_back({i, r.sigma, r.converged, r.residual});
  }
  return out;
}

std::string write_sgd_covariance(const io::Group& parent, const std::vector<SgdCovariance>& predictions, double eta,
                                 const std::vector<std::string>& names) {
  const io::Group g = parent.group("sgd_covariance");
  const std::size_t n = predictions.size(), d = names.size();
  g.add_index_dimension("stable", n, "stable equilibrium number");
  g.add_index_dimension("component", d, "state coordinate");
  g.add_index_dimension("component_2", d, "state coordinate");
  std::vector<double> cov;
  std::vector<std::int64_t> which, converged;
  std::string text;
  constexpr std::size_t kShown = 6;  // printed; every one is in the file
  for (const auto& p : predictions) {
    const bool shown = which.size() < kShown;
    cov.insert(cov.end(), p.covariance.data(), p.covariance.data() + p.covariance.size());  // symmetric
    which.push_back(static_cast<std::int64_t>(p.equilibrium));
    converged.push_back(p.converged);
    if (!shown) continue;
    // Every coordinate in declaration order; beyond eight, the eight largest.
    std::vector<std::size_t> order(d);
    std::iota(order.begin(), order.end(), 0);
    if (d > 8)
      std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        return p.covariance(static_cast<Eigen::Index>(a), static_cast<Eigen::Index>(a)) >
               p.covariance(static_cast<Eigen::Index>(b), static_cast<Eigen::Index>(b));
      });
    text += fmt::format("  SGD at eta = {}, around equilibrium {}: stationary sd{}", eta, p.equilibrium,
                        d > 8 ? " (largest 8)" : "");
    for (std::size_t k = 0; k < std::min<std::size_t>(d, 8); ++k)
      text += fmt::format(" {} {:.4g}", names[order[k]],
                          std::sqrt(p.covariance(static_cast<Eigen::Index>(order[k]), static_cast<Eigen::Index>(order[k]))));
    text += p.converged ? "\n" : fmt::format(" -- NOT converged (residual {:.2g}): the step is beyond stability\n", p.residual);
  }
  if (predictions.size() > kShown)
    text += fmt::format("  ... and {} more stable equilibria (all in /sgd_covariance)\n", predictions.size() - kShown);
  g.write("covariance", {"stable", "component", "component_2"}, std::span<const double>(cov),
          {"1", "predicted stationary covariance of constant-step SGD, S = A S A^T + eta^2 Sigma, A = I + eta Db"});
  g.write("equilibrium", {"stable"}, std::span<const std::int64_t>(which), {"1", "index into /equilibria"});
  g.write("converged", {"stable"}, std::span<const std::int64_t>(converged),
          {"1", "1 if the doubling converged (spectral radius of A below 1)"});
  g.set_attribute("step", eta);
  return text;
}

}  // namespace fw::analyze
