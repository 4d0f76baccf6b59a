// Test helpers: central finite differences and small reference models.
#pragma once

#include <cmath>
#include <functional>
#include <string>
#include <utility>

#include "fwkit/core/error.hpp"
#include "fwkit/core/types.hpp"

namespace fw::test {

/// The exit code and message of the fw::Error `f` throws; {0, "no error"}.
template <class F>
std::pair<int, std::string> error_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return {static_cast<int>(e.code()), e.what()};
  }
  return {0, "no error"};
}

/// Central-difference Jacobian of f: R^n -> R^m at x.
inline Mat fd_jacobian(const std::function<Vec(const Vec&)>& f, const Vec& x, double rel = 1e-6) {
  const Vec f0 = f(x);
  Mat j(f0.size(), x.size());
  Vec xp = x;
  for (Eigen::Index k = 0; k < x.size(); ++k) {
    const double h = rel * (1 + std::abs(x[k]));
    xp[k] = x[k] + h;
    const Vec up = f(xp);
    xp[k] = x[k] - h;
    const Vec dn = f(xp);
    xp[k] = x[k];
    j.col(k) = (up - dn) / (2 * h);
  }
  return j;
}

/// Central-difference gradient of a scalar function.
inline Vec fd_gradient(const std::function<double(const Vec&)>& f, const Vec& x, double rel = 1e-6) {
  return fd_jacobian([&](const Vec& y) { return Vec::Constant(1, f(y)); }, x, rel).transpose();
}

/// max |a - b| / (1 + max |b|): a relative error robust to zero entries.
inline double rel_err(const Mat& a, const Mat& b) {
  return (a - b).cwiseAbs().maxCoeff() / (1 + b.cwiseAbs().maxCoeff());
}

}  // namespace fw::test
