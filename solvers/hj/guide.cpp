#include "guide.hpp"

#include <limits>

#include "fwkit/core/error.hpp"
#include "jet_cost.hpp"

namespace fw::hj {

template <int D>
Guide make_guide(const model::Hamiltonian& h, const grid::Grid& fine, const Result& coarse) {
  using Vd = typename JetCost<D>::Vd;
  if (fine.dim() != D || coarse.grid.dim() != D || coarse.grad.size() != coarse.grid.size() * D)
    throw Error(ExitCode::kSoftware, "hj::make_guide: needs a jet result of the same dimension");
  const JetCost<D> jet(h);
  const grid::Grid& cg = coarse.grid;
  const std::size_t n = fine.size();
  Guide out;
  out.value.assign(n, std::numeric_limits<float>::infinity());
  out.direction.assign(n * D, 0);
  std::int64_t cstride[D], fstride[D];
  cstride[D - 1] = fstride[D - 1] = 1;
  for (int k = D - 2; k >= 0; --k) {
    cstride[k] = cstride[k + 1] * cg.nodes[k + 1];
    fstride[k] = fstride[k + 1] * fine.nodes[k + 1];
  }
  for (std::size_t f = 0; f < n; ++f) {
    Vd x;
    int base[D];
    double frac[D];
    for (int k = 0; k < D; ++k) {
      x[k] = fine.coordinate(k, static_cast<int>((static_cast<std::int64_t>(f) / fstride[k]) % fine.nodes[k]));
      const double u = std::clamp((x[k] - cg.lower[k]) / cg.spacing(k), 0.0, cg.nodes[k] - 1.0);
      base[k] = std::min(static_cast<int>(u), cg.nodes[k] - 2);
      frac[k] = u - base[k];
    }
    // Bilinear (trilinear) V and grad V from the coarse cell around x.
    double v = 0;
    Vd g = Vd::Zero();
    bool ok = true;
    for (int corner = 0; corner < (1 << D) && ok; ++corner) {
      double w = 1;
      std::int64_t c = 0;
      for (int k = 0; k < D; ++k) {
        const int bit = corner >> k & 1;
        w *= bit ? frac[k] : 1 - frac[k];
        c += (base[k] + bit) * cstride[k];
      }
      if (w == 0) continue;
      const double vc = coarse.value[static_cast<std::size_t>(c)];
      ok = std::isfinite(vc);
      v += w * vc;
      for (int k = 0; k < D; ++k) g[k] += w * coarse.grad[static_cast<std::size_t>(c) * D + k];
    }
    if (!ok || !g.allFinite()) continue;
    out.value[f] = static_cast<float>(v);
    const Vd u = -jet.characteristic(jet.at(x), g);
    const double un = u.norm();
    if (!(un > 0)) continue;
    for (int k = 0; k < D; ++k)
      out.direction[f * D + k] = static_cast<std::int16_t>(std::lround(u[k] / un * Guide::kDirectionScale));
  }
  return out;
}

template Guide make_guide<2>(const model::Hamiltonian&, const grid::Grid&, const Result&);
template Guide make_guide<3>(const model::Hamiltonian&, const grid::Grid&, const Result&);

}  // namespace fw::hj
