#include "fwkit/model/tilted.hpp"

#include <cmath>

namespace fw::model {

void tilted_log_mgf(const Mat& atoms, const Vec& log_weights, const Vec& p,
                    const MgfRequest& out) {
  const Vec a = log_weights + atoms.transpose() * p;
  const double amax = a.maxCoeff();
  const Vec w = (a.array() - amax).exp().matrix();
  const double total = w.sum();
  if (out.value) *out.value = amax + std::log(total);
  if (!out.grad && !out.hess) return;
  const Vec q = w / total;
  const Vec mean = atoms * q;
  if (out.grad) *out.grad = mean;
  if (out.hess) {
    const Mat centred = atoms.colwise() - mean;
    *out.hess = centred * q.asDiagonal() * centred.transpose();
  }
}

}  // namespace fw::model
