// SUNDIALS backends: CVODE (BDF, Newton, dense analytic Jacobian) and
// ARKODE ARKStep (additive Runge–Kutta IMEX). The only file that includes
// SUNDIALS.
#include <arkode/arkode_arkstep.h>
#include <cvode/cvode.h>
#include <nvector/nvector_serial.h>
#include <sunlinsol/sunlinsol_dense.h>
#include <sunmatrix/sunmatrix_dense.h>

#include <cstring>

#include "fwkit/core/error.hpp"
#include "stepper.hpp"

namespace fw::ode::detail {
namespace {

class SundialsStepper final : public DenseStepper {
 public:
  SundialsStepper(const Rhs& rhs, const Options& o, Method m) : rhs_(rhs), opt_(o), imex_(m == Method::kImex) {
    if (!rhs_.jacobian) throw config_error(std::string("ode.method = \"") + to_string(m) + "\": needs the Jacobian of the right-hand side");
    if (imex_ && !(rhs_.implicit && rhs_.implicit_jacobian))
      throw config_error("ode.method = \"imex\": needs an implicit part (ode.implicit lists the stiff variables)");
    if (SUNContext_Create(nullptr, &ctx_) != 0) throw Error(ExitCode::kSoftware, "SUNDIALS: cannot create a context");
    const auto d = static_cast<sunindextype>(rhs_.dim);
    y_ = N_VNew_Serial(d, ctx_);
    tmp_ = N_VNew_Serial(d, ctx_);
    a_ = SUNDenseMatrix(d, d, ctx_);
    ls_ = SUNLinSol_Dense(y_, a_, ctx_);
    scratch_.resize(rhs_.dim);
  }
  ~SundialsStepper() override {
    if (mem_) imex_ ? ARKStepFree(&mem_) : CVodeFree(&mem_);
    if (ls_) SUNLinSolFree(ls_);
    if (a_) SUNMatDestroy(a_);
    if (tmp_) N_VDestroy(tmp_);
    if (y_) N_VDestroy(y_);
    if (ctx_) SUNContext_Free(&ctx_);
  }

  void initialize(double t0, const Vec& x0, double t_end) override {
    std::memcpy(N_VGetArrayPointer(y_), x0.data(), sizeof(double) * x0.size());
    t_ = t_prev_ = t0;
    x_ = x0;
    if (imex_) {
      mem_ = ARKStepCreate(&SundialsStepper::explicit_part, &SundialsStepper::implicit_part, t0, y_, ctx_);
      check(mem_ ? 0 : -1, "ARKStepCreate");
      check(ARKStepSetErrHandlerFn(mem_, &SundialsStepper::on_error, this), "error handler");
      check(ARKStepSetUserData(mem_, this), "user data");
      check(ARKStepSStolerances(mem_, opt_.rtol, opt_.atol), "tolerances");
      check(ARKStepSetLinearSolver(mem_, ls_, a_), "linear solver");
      check(ARKStepSetJacFn(mem_, &SundialsStepper::implicit_jacobian), "Jacobian");
      check(ARKStepSetMaxNumSteps(mem_, opt_.max_steps), "max steps");
      check(ARKStepSetStopTime(mem_, t_end), "stop time");
    } else {
      mem_ = CVodeCreate(CV_BDF, ctx_);
      check(mem_ ? 0 : -1, "CVodeCreate");
      check(CVodeSetErrHandlerFn(mem_, &SundialsStepper::on_error, this), "error handler");
      check(CVodeInit(mem_, &SundialsStepper::full, t0, y_), "CVodeInit");
      check(CVodeSetUserData(mem_, this), "user data");
      check(CVodeSStolerances(mem_, opt_.rtol, opt_.atol), "tolerances");
      check(CVodeSetLinearSolver(mem_, ls_, a_), "linear solver");
      check(CVodeSetJacFn(mem_, &SundialsStepper::full_jacobian), "Jacobian");
      check(CVodeSetMaxNumSteps(mem_, opt_.max_steps), "max steps");
      check(CVodeSetStopTime(mem_, t_end), "stop time");
    }
  }

  bool step() override {
    double t = t_;
    const int flag = imex_ ? ARKStepEvolve(mem_, t_ + 1e300, y_, &t, ARK_ONE_STEP)
                           : CVode(mem_, t_ + 1e300, y_, &t, CV_ONE_STEP);
    if (flag < 0) return false;
    t_prev_ = t_;
    t_ = t;
    x_ = Eigen::Map<const Vec>(N_VGetArrayPointer(y_), rhs_.dim);
    long n = 0;
    if (imex_) {
      long nfe = 0, nfi = 0;
      ARKStepGetNumSteps(mem_, &n);
      ARKStepGetNumRhsEvals(mem_, &nfe, &nfi);
      rhs_evals = nfe + nfi;
      ARKStepGetNumJacEvals(mem_, &jacobian_evals);
    } else {
      CVodeGetNumSteps(mem_, &n);
      CVodeGetNumRhsEvals(mem_, &rhs_evals);
      CVodeGetNumJacEvals(mem_, &jacobian_evals);
    }
    steps = n;
    return true;
  }
  double t_prev() const override { return t_prev_; }
  double t() const override { return t_; }
  const Vec& x() const override { return x_; }
  void interpolate(double s, Vec& out) const override {
    if (imex_) ARKStepGetDky(mem_, s, 0, tmp_);
    else CVodeGetDky(mem_, s, 0, tmp_);
    out = Eigen::Map<const Vec>(N_VGetArrayPointer(tmp_), rhs_.dim);
  }
  std::string message() const override { return last_error_.empty() ? "integration failed" : last_error_; }



 private:
  static SundialsStepper& self(void* user) { return *static_cast<SundialsStepper*>(user); }
  static int full(double t, N_Vector y, N_Vector ydot, void* user) {
    self(user).rhs_.f(t, N_VGetArrayPointer(y), N_VGetArrayPointer(ydot));
    return 0;
  }
  static int implicit_part(double t, N_Vector y, N_Vector ydot, void* user) {
    self(user).rhs_.implicit(t, N_VGetArrayPointer(y), N_VGetArrayPointer(ydot));
    return 0;
  }
  /// f_E = f - f_I.
  static int explicit_part(double t, N_Vector y, N_Vector ydot, void* user) {
    SundialsStepper& s = self(user);
    s.rhs_.f(t, N_VGetArrayPointer(y), N_VGetArrayPointer(ydot));
    s.rhs_.implicit(t, N_VGetArrayPointer(y), s.scratch_.data());
    double* out = N_VGetArrayPointer(ydot);
    for (int i = 0; i < s.rhs_.dim; ++i) out[i] -= s.scratch_[i];
    return 0;
  }
  static int full_jacobian(double t, N_Vector y, N_Vector, SUNMatrix j, void* user, N_Vector, N_Vector, N_Vector) {
    self(user).rhs_.jacobian(t, N_VGetArrayPointer(y), SUNDenseMatrix_Data(j));  // column-major
    return 0;
  }
  static int implicit_jacobian(double t, N_Vector y, N_Vector, SUNMatrix j, void* user, N_Vector, N_Vector, N_Vector) {
    self(user).rhs_.implicit_jacobian(t, N_VGetArrayPointer(y), SUNDenseMatrix_Data(j));
    return 0;
  }
  static void on_error(int, const char* module, const char* function, char* msg, void* user) {
    self(user).last_error_ = std::string(module) + "::" + function + ": " + msg;
  }
  void check(int flag, const char* what) {
    if (flag < 0) throw Error(ExitCode::kSoftware, std::string("SUNDIALS setup failed: ") + what + (last_error_.empty() ? "" : " (" + last_error_ + ")"));
  }

  const Rhs& rhs_;
  Options opt_;
  bool imex_;
  SUNContext ctx_ = nullptr;
  N_Vector y_ = nullptr, tmp_ = nullptr;
  SUNMatrix a_ = nullptr;
  SUNLinearSolver ls_ = nullptr;
  void* mem_ = nullptr;
  double t_ = 0, t_prev_ = 0;
  Vec x_;
  std::vector<double> scratch_;
  std::string last_error_;
};

}  // namespace

std::unique_ptr<DenseStepper> make_sundials_stepper(const Rhs& rhs, const Options& o, Method m) {
  return std::make_unique<SundialsStepper>(rhs, o, m);
}

}  // namespace fw::ode::detail
