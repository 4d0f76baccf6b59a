#include "lanczos.hpp"

#include <algorithm>
#include <cmath>

namespace fw::analyze {

LanczosResult lanczos(const std::function<Vec(const Vec&)>& apply, int d, int steps, double tolerance) {
  const int m = std::min(std::max(steps, 1), d);
  Mat q(d, m + 1);
  Vec alpha(m), beta(m);
  // A start with weight on every coordinate, not all equal (all ones would
  // miss every direction orthogonal to it in a symmetric problem).
  for (int k = 0; k < d; ++k) q(k, 0) = 1.0 + 0.5 * std::sin(1.0 + 2.0 * k);
  q.col(0).normalize();
  int used = m;
  double size = 0;  // the largest |alpha| and beta so far: the operator's scale
  for (int j = 0; j < m; ++j) {
    Vec w = apply(q.col(j));
    alpha[j] = q.col(j).dot(w);
    // Full reorthogonalisation, twice (classical Gram-Schmidt is not enough alone).
    for (int pass = 0; pass < 2; ++pass) w -= q.leftCols(j + 1) * (q.leftCols(j + 1).transpose() * w);
    beta[j] = w.norm();
    size = std::max({size, std::abs(alpha[j]), j > 0 ? beta[j - 1] : 0.0});
    if (beta[j] <= 1e-14 * size) {  // an invariant subspace: exact there
      used = j + 1;
      beta[j] = 0;
      break;
    }
    q.col(j + 1) = w / beta[j];
  }
  Mat t = Mat::Zero(used, used);
  for (int j = 0; j < used; ++j) {
    t(j, j) = alpha[j];
    if (j + 1 < used) t(j, j + 1) = t(j + 1, j) = beta[j];
  }
  Eigen::SelfAdjointEigenSolver<Mat> es(t);
  LanczosResult r;
  r.steps = used;
  r.ritz = es.eigenvalues();
  const double scale = std::max(r.ritz.cwiseAbs().maxCoeff(), 1e-300);
  r.residual.resize(used);
  for (int i = 0; i < used; ++i) {
    r.residual[i] = std::abs(beta[used - 1] * es.eigenvectors()(used - 1, i));
    r.converged.push_back(r.residual[i] <= tolerance * scale);
  }
  return r;
}

}  // namespace fw::analyze
