// solvers/action/block_tridiagonal.hpp — the block tridiagonal solve of
// the preconditioned gMAM step (small dense blocks, no allocation per node).
#pragma once

#include <cstddef>
#include <utility>
#include <vector>

#include "fwkit/core/types.hpp"

namespace fw::action::detail {

/// Dimensions up to which the drift's stiff part is taken implicitly.
constexpr Eigen::Index kMaxPreconditioned = 8;

/// inv = A^{-1} for a small row-major d x d matrix (Gauss-Jordan with
/// partial pivoting; A is overwritten).
inline void invert_small(double* A, double* inv, int d) {
  if (d == 2) {
    const double det = A[0] * A[3] - A[1] * A[2];
    inv[0] = A[3] / det, inv[1] = -A[1] / det, inv[2] = -A[2] / det, inv[3] = A[0] / det;
    return;
  }
  for (int a = 0; a < d; ++a)
    for (int b = 0; b < d; ++b) inv[a * d + b] = a == b ? 1.0 : 0.0;
  for (int col = 0; col < d; ++col) {
    int piv = col;
    for (int r = col + 1; r < d; ++r)
      if (std::abs(A[r * d + col]) > std::abs(A[piv * d + col])) piv = r;
    if (piv != col)
      for (int b = 0; b < d; ++b) std::swap(A[col * d + b], A[piv * d + b]), std::swap(inv[col * d + b], inv[piv * d + b]);
    const double scale = 1.0 / A[col * d + col];
    for (int b = 0; b < d; ++b) A[col * d + b] *= scale, inv[col * d + b] *= scale;
    for (int r = 0; r < d; ++r) {
      if (r == col) continue;
      const double f = A[r * d + col];
      if (f == 0) continue;
      for (int b = 0; b < d; ++b) A[r * d + b] -= f * A[col * d + b], inv[r * d + b] -= f * inv[col * d + b];
    }
  }
}

/// Solves L_i phi_{i-1} + ((1 + 2 c_i) I + tau J_i) phi_i + U_i phi_{i+1} = rhs_i
/// for the interior nodes with the ends fixed (block Thomas algorithm),
/// c_i = tau lambda_i^2 / h^2, L_i = -c_i I + q_i T_i, U_i = -c_i I - q_i T_i,
/// q_i = tau lambda_i / (2 h); J_i and T_i row-major d x d in `jblock` and
/// `tblock` (T = 0 when `tblock` is null).
template <int D>
Mat block_solve(const Mat& path, const Vec& lambda, double tau, const Mat& rhs, const std::vector<double>& jblock,
                const std::vector<double>* tblock, std::vector<double>& work) {
  const Eigen::Index n = path.cols(), d = D > 0 ? D : path.rows();
  const double hh = 1.0 / static_cast<double>(n - 1);
  Mat out = path;  // the ends stay
  if (n < 3) return out;
  // Forward sweep, phi_i = y_i - G_i phi_{i+1}: M_i = A_i - L_i G_{i-1},
  // G_i = -M_i^{-1} U_i, y_i = M_i^{-1} (rhs_i - L_i y_{i-1}); y_0 = phi_0, G_0 = 0.
  // Blocks up to kMaxPreconditioned^2 on the stack; G and y in `work`.
  work.resize(static_cast<std::size_t>(n * d * (d + 1)));
  double* G = work.data();
  double* y = G + n * d * d;
  for (Eigen::Index a = 0; a < d * d; ++a) G[a] = 0;
  constexpr int kB = kMaxPreconditioned * kMaxPreconditioned;
  double M[kB], inv[kB], L[kB], U[kB], r[kMaxPreconditioned];
  for (Eigen::Index k = 0; k < d; ++k) y[k] = path(k, 0);
  for (Eigen::Index i = 1; i + 1 < n; ++i) {
    const double c = tau * lambda[i] * lambda[i] / (hh * hh), q = tau * lambda[i] / (2 * hh);
    const double* J = jblock.data() + static_cast<std::size_t>(i * d * d);
    const double* T = tblock ? tblock->data() + static_cast<std::size_t>(i * d * d) : nullptr;
    for (Eigen::Index a = 0; a < d * d; ++a) {
      const double t = T ? q * T[a] : 0.0, diag = a % (d + 1) == 0 ? c : 0.0;
      L[a] = t - diag;
      U[a] = -t - diag;
    }
    const double* Gp = G + (i - 1) * d * d;
    const double* yp = y + (i - 1) * d;
    for (Eigen::Index a = 0; a < d; ++a) {
      double acc = rhs(a, i);
      for (Eigen::Index b = 0; b < d; ++b) {
        double lg = 0;
        for (Eigen::Index k = 0; k < d; ++k) lg += L[a * d + k] * Gp[k * d + b];
        M[a * d + b] = (a == b ? 1 + 2 * c : 0.0) + tau * J[a * d + b] - lg;
        acc -= L[a * d + b] * yp[b];
      }
      r[a] = acc;
    }
    invert_small(M, inv, static_cast<int>(d));
    double* Gi = G + i * d * d;
    double* yi = y + i * d;
    for (Eigen::Index a = 0; a < d; ++a) {
      double acc = 0;
      for (Eigen::Index b = 0; b < d; ++b) {
        double mu = 0;
        for (Eigen::Index k = 0; k < d; ++k) mu += inv[a * d + k] * U[k * d + b];
        Gi[a * d + b] = mu;
        acc += inv[a * d + b] * r[b];
      }
      yi[a] = acc;
    }
  }
  // The last interior node also couples to the fixed end: phi_i = y_i - G_i phi_{i+1}.
  double* o = out.data();
  for (Eigen::Index i = n - 2; i >= 1; --i) {
    const double* Gi = G + i * d * d;
    for (Eigen::Index a = 0; a < d; ++a) {
      double acc = y[i * d + a];
      for (Eigen::Index b = 0; b < d; ++b) acc -= Gi[a * d + b] * o[(i + 1) * d + b];
      o[i * d + a] = acc;
    }
  }
  return out;
}

}  // namespace fw::action::detail
