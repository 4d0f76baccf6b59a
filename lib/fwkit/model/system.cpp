#include "fwkit/model/system.hpp"

#include <algorithm>

#include "fwkit/core/error.hpp"

namespace fw::model {

std::vector<std::string> System::variable_names() const {
  static constexpr const char* kFirst[] = {"x", "y", "z"};
  std::vector<std::string> names;
  for (int k = 0; k < dim(); ++k)
    names.push_back(dim() <= 3 ? kFirst[k] : "x" + std::to_string(k + 1));
  return names;
}

void System::drift_batch(const double* x, double* b, std::size_t n) const {
  const int d = dim();
  Vec xm(d), bm(d);
  for (std::size_t m = 0; m < n; ++m) {
    for (int k = 0; k < d; ++k) xm[k] = x[k * n + m];
    drift(xm.data(), bm.data());
    for (int k = 0; k < d; ++k) b[k * n + m] = bm[k];
  }
}

double System::loss(const double*) const {
  throw Error(ExitCode::kConfig, "system '" + name() + "' is not a gradient system: it has no loss");
}

void System::loss_hessian_times(const double* x, const double* v, double* hv) const {
  Eigen::Map<Vec>(hv, dim()) = loss_hessian_at(Eigen::Map<const Vec>(x, dim())) * Eigen::Map<const Vec>(v, dim());
}

void System::diffusion(const double*, double* sigma) const {
  const int d = dim();
  const int r = noise_rank();
  for (int j = 0; j < r; ++j)
    for (int i = 0; i < d; ++i) sigma[j * d + i] = (i == j) ? 1.0 : 0.0;
}

Vec System::drift_at(const Vec& x) const {
  Vec b(dim());
  drift(x.data(), b.data());
  return b;
}

Mat System::jacobian_at(const Vec& x) const {
  Mat jac(dim(), dim());
  jacobian(x.data(), jac.data());
  return jac;
}

Mat System::loss_hessian_at(const Vec& x) const {
  const Mat jac = jacobian_at(x);
  return -0.5 * (jac + jac.transpose());
}

Mat System::diffusion_at(const Vec& x) const {
  Mat sigma(dim(), noise_rank());
  diffusion(x.data(), sigma.data());
  return sigma;
}

Mat System::diffusion_matrix_at(const Vec& x) const {
  const Mat sigma = diffusion_at(x);
  return sigma * sigma.transpose();
}

}  // namespace fw::model

namespace fw::model {

void FiniteSum::mean_gradient_block(const double* x, int lanes, const int* index, int batch, double* g,
                                    BlockScratch& scratch) const {
  const int d = dim();
  scratch.gathered.resize(3 * static_cast<std::size_t>(d));
  double* point = scratch.gathered.data();
  double* one = point + d;
  double* acc = one + d;
  for (int j = 0; j < lanes; ++j) {
    for (int k = 0; k < d; ++k) point[k] = x[static_cast<std::size_t>(k) * lanes + j];
    std::fill(acc, acc + d, 0.0);
    for (int q = 0; q < batch; ++q) {
      component_gradient(index[static_cast<std::size_t>(q) * lanes + j], point, one);
      for (int k = 0; k < d; ++k) acc[k] += one[k];
    }
    for (int k = 0; k < d; ++k) g[static_cast<std::size_t>(k) * lanes + j] = acc[k] * (1.0 / batch);
  }
}

}  // namespace fw::model
