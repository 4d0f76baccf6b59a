#include "fwkit/model/catalog_systems.hpp"

namespace fw::model {

void LinearSystem::drift(const double* x, double* b) const {
  // Plain loops on the column-major entries (Eigen's product into a Map
  // allocates a temporary for aliasing), unrolled in 2-D and 3-D, where the
  // grid solvers call this a hundred times a node.
  const double* a = a_.data();
  switch (d_) {
    case 2:
      b[0] = a[0] * x[0] + a[2] * x[1];
      b[1] = a[1] * x[0] + a[3] * x[1];
      return;
    case 3:
      b[0] = a[0] * x[0] + a[3] * x[1] + a[6] * x[2];
      b[1] = a[1] * x[0] + a[4] * x[1] + a[7] * x[2];
      b[2] = a[2] * x[0] + a[5] * x[1] + a[8] * x[2];
      return;
    default:
      for (int i = 0; i < d_; ++i) {
        double acc = 0;
        for (int j = 0; j < d_; ++j) acc += a[i + j * d_] * x[j];
        b[i] = acc;
      }
  }
}

void LinearSystem::jacobian(const double*, double* jac) const {
  Eigen::Map<Mat>(jac, dim(), dim()) = a_;
}

void LinearSystem::drift_batch(const double* x, double* b, std::size_t n) const {
  // Structure of arrays: X is n x d column-major, so B = X A^T.
  const Eigen::Map<const Mat> xs(x, static_cast<Eigen::Index>(n), dim());
  Eigen::Map<Mat>(b, static_cast<Eigen::Index>(n), dim()).noalias() = xs * a_.transpose();
}

void DoubleWell2D::jacobian(const double* x, double* jac) const {
  jac[0] = 1 - 3 * x[0] * x[0];
  jac[1] = 0;
  jac[2] = 0;
  jac[3] = -k_;
}

double DoubleWell2D::loss(const double* x) const {
  const double s = x[0] * x[0] - 1;
  return 0.25 * s * s + 0.5 * k_ * x[1] * x[1] - c_ * x[0];
}

void MaierStein::jacobian(const double* x, double* jac) const {
  jac[0] = 1 - 3 * x[0] * x[0] - beta_ * x[1] * x[1];  // d b1/dx
  jac[1] = -2 * mu_ * x[0] * x[1];                      // d b2/dx
  jac[2] = -2 * beta_ * x[0] * x[1];                    // d b1/dy
  jac[3] = -mu_ * (1 + x[0] * x[0]);                    // d b2/dy
}

double MaierStein::loss(const double* x) const {
  if (!is_gradient()) return System::loss(x);
  const double x2 = x[0] * x[0];
  return -0.5 * x2 + 0.25 * x2 * x2 + 0.5 * mu_ * (1 + x2) * x[1] * x[1];
}

void MullerBrown::jacobian(const double* x, double* jac) const {
  double hxx = 0, hxy = 0, hyy = 0;
  for (int i = 0; i < 4; ++i) {
    const double dx = x[0] - kX0[i], dy = x[1] - kY0[i];
    const double e = kA[i] * std::exp(ka[i] * dx * dx + kb[i] * dx * dy + kc[i] * dy * dy);
    const double px = 2 * ka[i] * dx + kb[i] * dy, py = kb[i] * dx + 2 * kc[i] * dy;
    hxx += e * (px * px + 2 * ka[i]);
    hxy += e * (px * py + kb[i]);
    hyy += e * (py * py + 2 * kc[i]);
  }
  jac[0] = -s_ * hxx;
  jac[1] = -s_ * hxy;
  jac[2] = -s_ * hxy;
  jac[3] = -s_ * hyy;
}

double MullerBrown::loss(const double* x) const {
  double u = 0;
  for (int i = 0; i < 4; ++i) {
    const double dx = x[0] - kX0[i], dy = x[1] - kY0[i];
    u += kA[i] * std::exp(ka[i] * dx * dx + kb[i] * dx * dy + kc[i] * dy * dy);
  }
  return s_ * u;
}

void RotationalDoubleWell::jacobian(const double* x, double* jac) const {
  const double uxx = 3 * x[0] * x[0] - 1;  // U_yy = 1, U_xy = 0
  jac[0] = -uxx;       // d b1/dx
  jac[1] = -g_ * uxx;  // d b2/dx
  jac[2] = g_;         // d b1/dy
  jac[3] = -1;         // d b2/dy
}

double RotationalDoubleWell::potential(const double* x) const {
  const double s = x[0] * x[0] - 1;
  return 0.25 * s * s + 0.5 * x[1] * x[1];
}

void VanDerPol::jacobian(const double* x, double* jac) const {
  jac[0] = mu_ * (1 - x[0] * x[0]);
  jac[1] = 1 / mu_;
  jac[2] = -mu_;
  jac[3] = 0;
}

}  // namespace fw::model
