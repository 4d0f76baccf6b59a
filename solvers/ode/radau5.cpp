// Radau IIA of order 5 (three stages, stiffly accurate, L-stable), after
// Hairer & Wanner, Solving ODEs II, sec. IV.8: simplified Newton on the stage
// increments with the Jacobian at the start of the step, the embedded error
// estimate filtered through (gamma0 I - h J)^{-1}, and the collocation
// polynomial as dense output. The 3d x 3d Newton matrix is factored directly
// (no complex transformation): meant for the small stiff systems of slow-fast
// limits, where it costs a few microseconds per step.
#include <algorithm>
#include <cmath>

#include "stepper.hpp"

namespace fw::ode::detail {
namespace {

const double kS6 = std::sqrt(6.0);
const double kC[3] = {(4 - kS6) / 10, (4 + kS6) / 10, 1};
// Real eigenvalue of A^{-1} and the error-estimate weights.
const double kGamma0 = 3.6378342527444957;
const double kE[3] = {-(13 + 7 * kS6) / 3, (-13 + 7 * kS6) / 3, -1.0 / 3};

Mat radau_a() {
  Mat a(3, 3);
  a << (88 - 7 * kS6) / 360, (296 - 169 * kS6) / 1800, (-2 + 3 * kS6) / 225,
       (296 + 169 * kS6) / 1800, (88 + 7 * kS6) / 360, (-2 - 3 * kS6) / 225,
       (16 - kS6) / 36, (16 + kS6) / 36, 1.0 / 9;
  return a;
}

class Radau5 final : public DenseStepper {
 public:
  Radau5(const Rhs& rhs, const Options& o) : rhs_(rhs), opt_(o), a_(radau_a()) {
    if (!rhs_.jacobian) throw config_error("ode.method = \"radau\": needs the Jacobian of the right-hand side");
    d_ = rhs_.dim;
    fnewt_ = std::max(10 * 2.2e-16 / o.rtol, std::min(0.03, std::sqrt(o.rtol)));
  }
  void initialize(double t0, const Vec& x0, double t_end) override {
    t_ = t_prev_ = t0;
    t_end_ = t_end;
    x_ = x_prev_ = x0;
    z_ = Mat::Zero(d_, 3);
    h_ = std::min(opt_.dt, t_end - t0);
  }
  bool step() override {
    for (int attempt = 0; attempt < 60; ++attempt) {
      const double h = std::min(h_, t_end_ - t_);
      double err = 0;
      if (!try_step(h, err)) {
        h_ = 0.5 * h;  // Newton failed: halve and retry
        continue;
      }
      const double fac = std::clamp(0.9 * std::pow(err, -0.25), 0.2, 8.0);
      if (opt_.fixed_step) {
        if (h_ < opt_.dt) return false;  // Newton failed at the fixed step
        err = 0;                         // no error control: always accept
      }
      if (err <= 1) {
        t_prev_ = t_;
        x_prev_ = x_;
        zc_ = z_;
        hc_ = h;
        t_ = (t_end_ - (t_ + h) < 1e-13 * std::abs(t_end_)) ? t_end_ : t_ + h;
        x_ = x_ + z_.col(2);
        h_ = opt_.fixed_step ? opt_.dt : h * (rejected_ ? std::min(1.0, fac) : fac);
        rejected_ = false;
        ++steps;
        return x_.allFinite();
      }
      rejected_ = true;
      h_ = h * fac;
    }
    return false;
  }
  double t_prev() const override { return t_prev_; }
  double t() const override { return t_; }
  const Vec& x() const override { return x_; }
  void interpolate(double s, Vec& out) const override {
    // Collocation polynomial through (0, 0), (c_i, Z_i) in theta = (s - t_prev)/h.
    const double th = (s - t_prev_) / hc_;
    const double nodes[4] = {0, kC[0], kC[1], kC[2]};
    out = x_prev_;
    for (int i = 1; i < 4; ++i) {
      double l = 1;
      for (int j = 0; j < 4; ++j)
        if (j != i) l *= (th - nodes[j]) / (nodes[i] - nodes[j]);
      out += l * zc_.col(i - 1);
    }
  }
  std::string message() const override { return "Radau5: step size underflow (Newton or error test keeps failing)"; }

 private:
  double norm(const Vec& v, const Vec& scale) const {
    return std::sqrt((v.array() / scale.array()).square().sum() / static_cast<double>(v.size()));
  }
  /// One attempt with step h: Newton on the stages, then the error estimate.
  bool try_step(double h, double& err) {
    Mat jac(d_, d_);
    rhs_.jacobian(t_, x_.data(), jac.data());
    ++jacobian_evals;
    const int n = 3 * d_;
    Mat m = Mat::Identity(n, n);
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 3; ++j) m.block(i * d_, j * d_, d_, d_) -= h * a_(i, j) * jac;
    const Eigen::PartialPivLU<Mat> lu(m);
    Vec scale = opt_.atol + opt_.rtol * x_.cwiseAbs().array();
    Mat z = Mat::Zero(d_, 3), f(d_, 3);
    Vec xi(d_), fi(d_);
    double prev = 0;
    bool converged = false;
    for (int it = 0; it < 7 && !converged; ++it) {
      for (int i = 0; i < 3; ++i) {
        xi = x_ + z.col(i);
        rhs_.f(t_ + kC[i] * h, xi.data(), fi.data());
        f.col(i) = fi;
      }
      rhs_evals += 3;
      // Residual of Z = h (A x I) F(x0 + Z), stacked stage by stage.
      Vec r(n);
      for (int i = 0; i < 3; ++i) r.segment(i * d_, d_) = -z.col(i) + h * (f * a_.row(i).transpose());
      const Vec dz = lu.solve(r);
      const double dn = norm(dz, scale.replicate(3, 1));
      for (int i = 0; i < 3; ++i) z.col(i) += dz.segment(i * d_, d_);
      if (!z.allFinite()) return false;
      if (it > 0) {
        const double theta = dn / prev;
        if (theta < 0.99) {
          converged = theta / (1 - theta) * dn <= fnewt_;
        } else if (dn <= fnewt_) {
          converged = true;  // no contraction left: corrections at round-off
        } else {
          return false;  // diverging
        }
      } else {
        converged = dn <= 1e-2 * fnewt_;
      }
      prev = dn;
    }
    if (!converged) return false;
    // Error estimate: (gamma0 I - h J)^{-1} (h f(x0) + sum_i e_i Z_i).
    Vec f0(d_);
    rhs_.f(t_, x_.data(), f0.data());
    ++rhs_evals;
    const Mat filter = kGamma0 * Mat::Identity(d_, d_) - h * jac;
    const Eigen::PartialPivLU<Mat> flu(filter);
    const Vec g = kE[0] * z.col(0) + kE[1] * z.col(1) + kE[2] * z.col(2);
    Vec e = flu.solve(h * f0 + g);
    scale = opt_.atol + opt_.rtol * x_.cwiseAbs().cwiseMax((x_ + z.col(2)).cwiseAbs()).array();
    err = norm(e, scale);
    if (err >= 1 && (steps == 0 || rejected_)) {
      // Second, sharper estimate for the first step and after rejections.
      const Vec xe = x_ + e;
      Vec fe(d_);
      rhs_.f(t_, xe.data(), fe.data());
      ++rhs_evals;
      e = flu.solve(h * fe + g);
      err = norm(e, scale);
    }
    err = std::max(err, 1e-10);
    z_ = z;
    return true;
  }

  const Rhs& rhs_;
  Options opt_;
  Mat a_;
  int d_ = 0;
  double fnewt_ = 0.03;
  double t_ = 0, t_prev_ = 0, t_end_ = 0, h_ = 0, hc_ = 1;
  bool rejected_ = false;
  Vec x_, x_prev_;
  Mat z_, zc_;
};

}  // namespace

std::unique_ptr<DenseStepper> make_radau_stepper(const Rhs& rhs, const Options& o) {
  return std::make_unique<Radau5>(rhs, o);
}

}  // namespace fw::ode::detail
