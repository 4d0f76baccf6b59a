#include "equilibria_io.hpp"

#include <complex>

namespace fw::analyze {

void write_equilibria(const io::Group& parent, const Result& r, const Options& opt,
                      const std::vector<std::string>& names) {
  const io::Group g = parent.group("equilibria");
  const std::size_t n = r.equilibria.size();
  const std::size_t d = names.size();
  std::string joined;
  for (const auto& s : names) joined += (joined.empty() ? "" : ", ") + s;
  g.add_index_dimension("equilibrium", n, "equilibrium number");
  g.add_index_dimension("component", d, "state coordinate (" + joined + ")");
  g.add_index_dimension("eigenvalue", d, "eigenvalue number, ascending real part");
  std::vector<double> state, re, im, residual, loss, hess;
  std::vector<std::int64_t> stability, index, hits, flat, ends_only;
  for (const auto& e : r.equilibria) {
    for (std::size_t k = 0; k < d; ++k) {
      state.push_back(e.x[static_cast<Eigen::Index>(k)]);
      re.push_back(e.eigenvalues[static_cast<Eigen::Index>(k)].real());
      im.push_back(e.eigenvalues[static_cast<Eigen::Index>(k)].imag());
      if (e.has_loss) hess.push_back(e.hessian_eigenvalues[static_cast<Eigen::Index>(k)]);
    }
    stability.push_back(static_cast<std::int64_t>(e.stability));
    index.push_back(e.index);
    hits.push_back(e.hits);
    flat.push_back(e.flat);
    ends_only.push_back(e.spectrum_by_lanczos ? 1 : 0);
    residual.push_back(e.residual);
    loss.push_back(e.loss);
  }
  g.write("state", {"equilibrium", "component"}, std::span<const double>(state),
          {"1", "position of the equilibrium (" + joined + ")"});
  g.write("stability", {"equilibrium"}, std::span<const std::int64_t>(stability),
          {"1", "stability class from the eigenvalues of Db(x)", {0, 1, 2, 3},
           "stable saddle unstable degenerate"});
  g.write("index", {"equilibrium"}, std::span<const std::int64_t>(index),
          {"1", "number of eigenvalues of Db(x) with positive real part"});
  g.write("eigenvalue_real", {"equilibrium", "eigenvalue"}, std::span<const double>(re),
          {"1/time", "real part of the eigenvalues of the drift Jacobian Db(x)"});
  g.write("eigenvalue_imag", {"equilibrium", "eigenvalue"}, std::span<const double>(im),
          {"1/time", "imaginary part of the eigenvalues of the drift Jacobian Db(x)"});
  g.write("residual", {"equilibrium"}, std::span<const double>(residual),
          {"1", "|b(x)| at the equilibrium"});
  g.write("hits", {"equilibrium"}, std::span<const std::int64_t>(hits),
          {"1", "Newton starts that converged to this equilibrium"});
  g.write("flat", {"equilibrium"}, std::span<const std::int64_t>(flat),
          {"1", "eigenvalues with |real part| <= zero_tolerance"});
  g.write("spectrum_ends_only", {"equilibrium"}, std::span<const std::int64_t>(ends_only),
          {"1", "1: classified by Lanczos (only the smallest and largest eigenvalues; index and flat are lower bounds)"});
  const bool gradient = !r.equilibria.empty() && r.equilibria.front().has_loss;
  if (gradient) {
    g.write("loss", {"equilibrium"}, std::span<const double>(loss), {"1", "loss f at the equilibrium"});
    g.write("hessian_eigenvalues", {"equilibrium", "eigenvalue"}, std::span<const double>(hess),
            {"1", "eigenvalues of the Hessian of f, ascending"});
  }
  g.set_attribute("gradient_system", static_cast<std::int64_t>(gradient));
  g.set_attribute("box_lower", std::span<const double>(opt.lower));
  g.set_attribute("box_upper", std::span<const double>(opt.upper));
  g.set_attribute("starts", static_cast<std::int64_t>(r.starts));
  g.set_attribute("converged", static_cast<std::int64_t>(r.converged));
}

std::vector<Equilibrium> read_equilibria(const io::Reader& reader, const std::string& group) {
  const io::Array state = reader.read(group + "/state");
  const io::Array stability = reader.read(group + "/stability");
  const io::Array index = reader.read(group + "/index");
  const io::Array re = reader.read(group + "/eigenvalue_real");
  const io::Array im = reader.read(group + "/eigenvalue_imag");
  const bool gradient = reader.exists(group + "/loss");
  io::Array loss, hess;
  if (gradient) {
    loss = reader.read(group + "/loss");
    hess = reader.read(group + "/hessian_eigenvalues");
  }
  std::vector<Equilibrium> out;
  const std::size_t n = state.shape.at(0), d = state.shape.at(1);
  for (std::size_t i = 0; i < n; ++i) {
    Equilibrium e;
    e.x.resize(static_cast<Eigen::Index>(d));
    e.eigenvalues.resize(static_cast<Eigen::Index>(d));
    for (std::size_t k = 0; k < d; ++k) {
      e.x[static_cast<Eigen::Index>(k)] = state.at({i, k});
      e.eigenvalues[static_cast<Eigen::Index>(k)] = {re.at({i, k}), im.at({i, k})};
    }
    e.stability = static_cast<Stability>(static_cast<int>(stability.data[i]));
    e.index = static_cast<int>(index.data[i]);
    if (gradient) {
      e.has_loss = true;
      e.loss = loss.data[i];
      e.hessian_eigenvalues.resize(static_cast<Eigen::Index>(d));
      for (std::size_t k = 0; k < d; ++k) e.hessian_eigenvalues[static_cast<Eigen::Index>(k)] = hess.at({i, k});
    }
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace fw::analyze
