// solvers/compare/transitions_file.cpp — reading transitions files and
// locating points in configured regions (transitions_file.hpp).
#include "transitions_file.hpp"

#include <fmt/format.h>

#include <cmath>

#include "fwkit/config/model_config.hpp"
#include "fwkit/core/error.hpp"
#include "fwkit/io/reader.hpp"

namespace fw::compare {

namespace {

std::vector<Vec> rows(const io::Array& a) {
  std::vector<Vec> out;
  if (a.shape.size() != 2) return out;
  for (std::size_t i = 0; i < a.shape[0]; ++i)
    out.emplace_back(Eigen::Map<const Vec>(a.data.data() + i * a.shape[1], static_cast<Eigen::Index>(a.shape[1])));
  return out;
}

}  // namespace

TransitionsFile TransitionsFile::read(const std::filesystem::path& path) {
  const io::Reader r(path);
  if (r.string_attribute("/", "fwkit_kind") != "action" || !r.exists("/transitions/w"))
    throw data_error(fmt::format("{}: not an fwkit action file with /transitions ([action.transitions])", path.string()));
  const config::Config cfg =
      config::Config::from_string(r.string_attribute("/provenance", "config"), path.string() + ":/provenance/config");
  TransitionsFile t{path, rows(r.read("/transitions/attractors")), {}, r.read("/transitions/w").data, 0, {},
                    config::build_model(cfg.root().table("model")), model::HamiltonianKind::kLangevin};
  if (r.exists("/transitions/saddles")) t.saddles = rows(r.read("/transitions/saddles"));
  t.kind = r.string_attribute("/transitions", "hamiltonian") == "langevin" ? model::HamiltonianKind::kLangevin
                                                                          : model::HamiltonianKind::kDiscrete;
  for (double c : r.read("/transitions/cost").data)
    if (std::isfinite(c)) t.largest_cost = std::max(t.largest_cost, c);
  if (r.exists("/transitions/leg_from")) {
    const auto from = r.read("/transitions/leg_from").data, to = r.read("/transitions/leg_to").data,
               saddle = r.read("/transitions/leg_saddle").data, cost = r.read("/transitions/leg_cost").data,
               pre = r.read("/transitions/eyring_kramers_prefactor").data;
    for (std::size_t l = 0; l < from.size(); ++l)
      t.legs.push_back({static_cast<int>(from[l]), static_cast<int>(to[l]), static_cast<int>(saddle[l]), cost[l], pre[l], {}});
    if (r.exists("/transitions/leg_path")) {
      const io::Array p = r.read("/transitions/leg_path");  // leg, node, component
      const std::size_t nodes = p.shape.at(1), d = p.shape.at(2);
      for (std::size_t l = 0; l < t.legs.size() && l < p.shape.at(0); ++l)
        for (std::size_t k = 0; k < nodes; ++k) {
          Vec x = Eigen::Map<const Vec>(p.data.data() + (l * nodes + k) * d, static_cast<Eigen::Index>(d));
          if (x.allFinite()) t.legs[l].path.push_back(x);
        }
    }
  }
  return t;
}

Mat TransitionsFile::diffusion(const Vec& z) const {
  const model::Hamiltonian h(model, kind);
  return h.hess_p(z, Vec::Zero(z.size()));
}

sim::Region configured_region(const config::Table& regions, const std::string& name) {
  const config::Table r = regions.table(name);
  auto vec = [](const std::vector<double>& v) { return Vec(Eigen::Map<const Vec>(v.data(), static_cast<Eigen::Index>(v.size()))); };
  sim::Region out;
  out.name = name;
  if (r.has("center")) {
    out.center = vec(r.numbers("center"));
    out.radius = r.number("radius");
  } else {
    out.lower = vec(r.numbers("lower"));
    out.upper = vec(r.numbers("upper"));
  }
  return out;
}

std::string region_holding(const config::Table& regions, const Vec& x) {
  for (const auto& name : regions.keys()) {
    const sim::Region r = configured_region(regions, name);
    const Eigen::Index d = r.center.size() > 0 ? r.center.size() : r.lower.size();
    if (d > x.size()) continue;
    if (r.contains(x.data())) return name;
  }
  return "";
}

}  // namespace fw::compare
