// fwkit/model/catalog_systems.hpp — the classes behind the catalog.
//
// Fixed-dimension systems derive from FixedSystem<Derived, D>, which turns a
// pointwise `eval(x, b)` template into drift(), drift_batch() (an inlined,
// vectorisable loop over structure-of-arrays points) and the virtual API.
#pragma once

#include <array>
#include <cmath>

#include "fwkit/model/system.hpp"

namespace fw::model {

template <class Derived, int D>
class FixedSystem : public System {
 public:
  int dim() const override { return D; }
  void drift(const double* x, double* b) const override { self().eval(x, b); }
  void drift_batch(const double* x, double* b, std::size_t n) const override {
    for (std::size_t m = 0; m < n; ++m) {
      std::array<double, D> xs, bs;
      for (int k = 0; k < D; ++k) xs[k] = x[k * n + m];
      self().eval(xs.data(), bs.data());
      for (int k = 0; k < D; ++k) b[k * n + m] = bs[k];
    }
  }

 private:
  const Derived& self() const { return static_cast<const Derived&>(*this); }
};

/// b = A x in any dimension.
class LinearSystem final : public System {
 public:
  explicit LinearSystem(Mat a) : a_(std::move(a)), d_(static_cast<int>(a_.rows())) {}
  int dim() const override { return d_; }
  std::string name() const override { return "linear"; }
  void drift(const double* x, double* b) const override;
  void jacobian(const double* x, double* jac) const override;
  void drift_batch(const double* x, double* b, std::size_t n) const override;
  const Mat& matrix() const { return a_; }

 private:
  Mat a_;
  int d_;
};

/// f = (x^2-1)^2/4 - c x, b = -f'.
class DoubleWell1D final : public FixedSystem<DoubleWell1D, 1> {
 public:
  explicit DoubleWell1D(double tilt) : c_(tilt) {}
  std::string name() const override { return "double_well_1d"; }
  void eval(const double* x, double* b) const { b[0] = x[0] - x[0] * x[0] * x[0] + c_; }
  void jacobian(const double* x, double* jac) const override { jac[0] = 1 - 3 * x[0] * x[0]; }
  bool is_gradient() const override { return true; }
  double loss(const double* x) const override {
    const double s = x[0] * x[0] - 1;
    return 0.25 * s * s - c_ * x[0];
  }

 private:
  double c_;
};

/// f = (x^2-1)^2/4 + k y^2/2 - c x, b = -grad f.
class DoubleWell2D final : public FixedSystem<DoubleWell2D, 2> {
 public:
  DoubleWell2D(double tilt, double stiffness) : c_(tilt), k_(stiffness) {}
  std::string name() const override { return "double_well_2d"; }
  void eval(const double* x, double* b) const {
    b[0] = x[0] - x[0] * x[0] * x[0] + c_;
    b[1] = -k_ * x[1];
  }
  void jacobian(const double* x, double* jac) const override;
  bool is_gradient() const override { return true; }
  double loss(const double* x) const override;

 private:
  double c_, k_;
};

/// Maier–Stein: b = (x - x^3 - beta x y^2, -mu (1 + x^2) y).
class MaierStein final : public FixedSystem<MaierStein, 2> {
 public:
  MaierStein(double beta, double mu) : beta_(beta), mu_(mu) {}
  std::string name() const override { return "maier_stein"; }
  void eval(const double* x, double* b) const {
    b[0] = x[0] - x[0] * x[0] * x[0] - beta_ * x[0] * x[1] * x[1];
    b[1] = -mu_ * (1 + x[0] * x[0]) * x[1];
  }
  void jacobian(const double* x, double* jac) const override;
  // Gradient exactly when beta == mu: then f = -x^2/2 + x^4/4 + mu (1+x^2) y^2 / 2.
  bool is_gradient() const override { return beta_ == mu_; }
  double loss(const double* x) const override;

 private:
  double beta_, mu_;
};

/// Müller–Brown: b = -grad U, U = scale * sum_i A_i exp(a_i dx^2 + b_i dx dy + c_i dy^2).
class MullerBrown final : public FixedSystem<MullerBrown, 2> {
 public:
  explicit MullerBrown(double scale) : s_(scale) {}
  std::string name() const override { return "muller_brown"; }
  void eval(const double* x, double* b) const {
    double gx = 0, gy = 0;
    for (int i = 0; i < 4; ++i) {
      const double dx = x[0] - kX0[i], dy = x[1] - kY0[i];
      const double e = kA[i] * std::exp(ka[i] * dx * dx + kb[i] * dx * dy + kc[i] * dy * dy);
      gx += e * (2 * ka[i] * dx + kb[i] * dy);
      gy += e * (kb[i] * dx + 2 * kc[i] * dy);
    }
    b[0] = -s_ * gx;
    b[1] = -s_ * gy;
  }
  void jacobian(const double* x, double* jac) const override;
  bool is_gradient() const override { return true; }
  double loss(const double* x) const override;

  static constexpr double kA[4] = {-200, -100, -170, 15};
  static constexpr double ka[4] = {-1, -1, -6.5, 0.7};
  static constexpr double kb[4] = {0, 0, 11, 0.6};
  static constexpr double kc[4] = {-10, -10, -6.5, 0.7};
  static constexpr double kX0[4] = {1, 0, -0.5, -1};
  static constexpr double kY0[4] = {0, 0.5, 1.5, 1};

 private:
  double s_;
};

/// b = -(I + g J) grad U, U = (x^2-1)^2/4 + y^2/2, J = [[0,-1],[1,0]].
/// The rotational part is orthogonal to grad U, so with D = I the
/// quasi-potential is V = 2 (U - U_min) for every g.
class RotationalDoubleWell final : public FixedSystem<RotationalDoubleWell, 2> {
 public:
  explicit RotationalDoubleWell(double g) : g_(g) {}
  std::string name() const override { return "rotational_double_well"; }
  void eval(const double* x, double* b) const {
    const double ux = x[0] * x[0] * x[0] - x[0], uy = x[1];
    b[0] = -ux + g_ * uy;
    b[1] = -uy - g_ * ux;
  }
  void jacobian(const double* x, double* jac) const override;
  /// U(x), the potential with V = 2 (U - U_min).
  double potential(const double* x) const;

 private:
  double g_;
};

/// Van der Pol in Liénard form: x' = mu (x - x^3/3 - y), y' = x / mu.
/// x is fast and y slow, with time-scale ratio eps = 1/mu^2; the time is that
/// of x'' - mu (1 - x^2) x' + x = 0.
class VanDerPol final : public FixedSystem<VanDerPol, 2> {
 public:
  explicit VanDerPol(double mu) : mu_(mu) {}
  std::string name() const override { return "van_der_pol"; }
  void eval(const double* x, double* b) const {
    b[0] = mu_ * (x[0] - x[0] * x[0] * x[0] / 3 - x[1]);
    b[1] = x[0] / mu_;
  }
  void jacobian(const double* x, double* jac) const override;

 private:
  double mu_;
};

}  // namespace fw::model
