#include "fwkit/model/families.hpp"

#include <cmath>

#include <fmt/format.h>

#include "fwkit/core/error.hpp"

namespace fw::model {
namespace {

/// log(1 + e^z) without overflow, and the logistic function.
double softplus(double z) { return z > 0 ? z + std::log1p(std::exp(-z)) : std::log1p(std::exp(z)); }
double logistic(double z) { return z >= 0 ? 1 / (1 + std::exp(-z)) : std::exp(z) / (1 + std::exp(z)); }

/// One sample's loss, gradient and Hessian-vector product in the parameters
/// theta (weight decay is added by the system).
/// `work` holds work_size() doubles (no allocation in the inner loops).
class Sample {
 public:
  virtual ~Sample() = default;
  virtual std::size_t work_size() const { return 0; }
  virtual double loss(const double* theta, const double* x, double y, double* work) const = 0;
  /// Overwrites g (d entries).
  virtual void gradient(const double* theta, const double* x, double y, double* g, double* work) const = 0;
  /// Overwrites hv = Hess_theta f_i v.
  virtual void hessian_times(const double* theta, const double* x, double y, const double* v, double* hv,
                             double* work) const = 0;
};

/// The scalar output loss phi(o, y) with its first two derivatives in o.
struct OutputLoss {
  bool logistic_loss = false;
  double value(double o, double y) const { return logistic_loss ? softplus(o) - y * o : 0.5 * (o - y) * (o - y); }
  double d1(double o, double y) const { return logistic_loss ? logistic(o) - y : o - y; }
  double d2(double o) const {
    if (!logistic_loss) return 1;
    const double s = logistic(o);
    return s * (1 - s);
  }
};

/// phi(w.x + b, y): least squares and logistic regression.
class Linear final : public Sample {
 public:
  Linear(int p, bool intercept, OutputLoss loss) : p_(p), intercept_(intercept), loss_(loss) {}
  double loss(const double* t, const double* x, double y, double*) const override { return loss_.value(output(t, x), y); }
  void gradient(const double* t, const double* x, double y, double* g, double*) const override {
    const double r = loss_.d1(output(t, x), y);
    for (int q = 0; q < p_; ++q) g[q] = r * x[q];
    if (intercept_) g[p_] = r;
  }
  void hessian_times(const double* t, const double* x, double, const double* v, double* hv, double*) const override {
    const double c = loss_.d2(output(t, x)) * output(v, x);  // the direction's intercept pairs with input 1
    for (int q = 0; q < p_; ++q) hv[q] = c * x[q];
    if (intercept_) hv[p_] = c;
  }

 private:
  double output(const double* t, const double* x) const {
    double z = intercept_ ? t[p_] : 0;
    for (int q = 0; q < p_; ++q) z += t[q] * x[q];
    return z;
  }
  int p_;
  bool intercept_;
  OutputLoss loss_;
};

/// log sum_k e^{z_k} - z_y, z = W x + b.
class Softmax final : public Sample {
 public:
  Softmax(int p, int k, bool intercept) : p_(p), k_(k), intercept_(intercept) {}
  std::size_t work_size() const override { return 2 * static_cast<std::size_t>(k_); }
  double loss(const double* t, const double* x, double y, double* z) const override {
    const double lse = scores(t, x, z);
    return lse - z[static_cast<int>(y)];
  }
  void gradient(const double* t, const double* x, double y, double* g, double* pi) const override {
    probabilities(t, x, pi);
    for (int k = 0; k < k_; ++k) {
      const double r = pi[k] - (k == static_cast<int>(y) ? 1 : 0);
      for (int q = 0; q < p_; ++q) g[k * p_ + q] = r * x[q];
      if (intercept_) g[k_ * p_ + k] = r;
    }
  }
  void hessian_times(const double* t, const double* x, double, const double* v, double* hv, double* work) const override {
    // Hess in z is diag(pi) - pi pi^T; dz = V x + v_b.
    double* pi = work;
    double* dz = work + k_;
    probabilities(t, x, pi);
    double mean = 0;
    for (int k = 0; k < k_; ++k) {
      double s = intercept_ ? v[k_ * p_ + k] : 0;
      for (int q = 0; q < p_; ++q) s += v[k * p_ + q] * x[q];
      dz[k] = s;
      mean += pi[k] * s;
    }
    for (int k = 0; k < k_; ++k) {
      const double u = pi[k] * (dz[k] - mean);
      for (int q = 0; q < p_; ++q) hv[k * p_ + q] = u * x[q];
      if (intercept_) hv[k_ * p_ + k] = u;
    }
  }

 private:
  /// z into out; returns log sum e^z.
  double scores(const double* t, const double* x, double* z) const {
    double top = -INFINITY;
    for (int k = 0; k < k_; ++k) {
      double s = intercept_ ? t[k_ * p_ + k] : 0;
      for (int q = 0; q < p_; ++q) s += t[k * p_ + q] * x[q];
      z[k] = s;
      top = std::max(top, s);
    }
    double sum = 0;
    for (int k = 0; k < k_; ++k) sum += std::exp(z[k] - top);
    return top + std::log(sum);
  }
  void probabilities(const double* t, const double* x, double* pi) const {
    const double lse = scores(t, x, pi);
    for (int k = 0; k < k_; ++k) pi[k] = std::exp(pi[k] - lse);
  }
  int p_, k_;
  bool intercept_;
};

/// An activation with its first two derivatives.
struct Activation {
  enum Kind { kTanh, kRelu, kSoftplus } kind = kTanh;
  void eval(double a, double& s, double& s1, double& s2) const {
    switch (kind) {
      case kTanh: s = std::tanh(a), s1 = 1 - s * s, s2 = -2 * s * s1; break;
      case kRelu: s = a > 0 ? a : 0, s1 = a > 0 ? 1 : 0, s2 = 0; break;
      default: {
        const double g = logistic(a);
        s = softplus(a), s1 = g, s2 = g * (1 - g);
      }
    }
  }
};

/// o = sum_j v_j s(W_j.x + b_j) + c, loss phi(o, y). Layout: W (m x p, row
/// by row), b (m), v (m), c. Work: s, s', s'' and the R-pass's R(a), 4 m.
class TwoLayer final : public Sample {
 public:
  TwoLayer(int p, int m, Activation act, OutputLoss loss) : p_(p), m_(m), act_(act), loss_(loss) {}
  std::size_t work_size() const override { return 4 * static_cast<std::size_t>(m_); }
  double loss(const double* t, const double* x, double y, double* work) const override {
    return loss_.value(forward(t, x, work), y);
  }
  void gradient(const double* t, const double* x, double y, double* g, double* work) const override {
    const double r = loss_.d1(forward(t, x, work), y);
    const double *s = work, *s1 = work + m_;
    const double* v = t + m_ * p_ + m_;
    for (int j = 0; j < m_; ++j) {
      const double back = r * v[j] * s1[j];
      for (int q = 0; q < p_; ++q) g[j * p_ + q] = back * x[q];
      g[m_ * p_ + j] = back;
      g[m_ * p_ + m_ + j] = r * s[j];
    }
    g[m_ * p_ + 2 * m_] = r;
  }
  void hessian_times(const double* t, const double* x, double y, const double* u, double* hv,
                     double* work) const override {
    // Pearlmutter's R-operator: the directional derivative of the gradient along u.
    const double o = forward(t, x, work);
    const double *s = work, *s1 = work + m_, *s2 = work + 2 * m_;
    double* ra = work + 3 * m_;
    const double r = loss_.d1(o, y);
    const double* v = t + m_ * p_ + m_;
    const double *uw = u, *ub = u + m_ * p_, *uv = u + m_ * p_ + m_;
    double ro = u[m_ * p_ + 2 * m_];
    for (int j = 0; j < m_; ++j) {
      double a = ub[j];
      for (int q = 0; q < p_; ++q) a += uw[j * p_ + q] * x[q];
      ra[j] = a;
      ro += uv[j] * s[j] + v[j] * s1[j] * a;
    }
    const double rr = loss_.d2(o) * ro;
    for (int j = 0; j < m_; ++j) {
      const double back = rr * v[j] * s1[j] + r * uv[j] * s1[j] + r * v[j] * s2[j] * ra[j];
      for (int q = 0; q < p_; ++q) hv[j * p_ + q] = back * x[q];
      hv[m_ * p_ + j] = back;
      hv[m_ * p_ + m_ + j] = rr * s[j] + r * s1[j] * ra[j];
    }
    hv[m_ * p_ + 2 * m_] = rr;
  }

 private:
  /// The output o; s, s', s'' of every unit into work.
  double forward(const double* t, const double* x, double* work) const {
    const double* b = t + m_ * p_;
    const double* v = b + m_;
    double o = v[m_];  // c
    for (int j = 0; j < m_; ++j) {
      double a = b[j];
      for (int q = 0; q < p_; ++q) a += t[j * p_ + q] * x[q];
      act_.eval(a, work[j], work[m_ + j], work[2 * m_ + j]);
      o += v[j] * work[j];
    }
    return o;
  }
  int p_, m_;
  Activation act_;
  OutputLoss loss_;
};

class FamilySystem final : public System, public FiniteSum {
 public:
  FamilySystem(const FamilySpec& spec, std::unique_ptr<Sample> sample, std::vector<std::string> names)
      : x_(spec.inputs), y_(spec.targets), wd_(spec.weight_decay), family_(spec.family),
        sample_(std::move(sample)), names_(std::move(names)), d_(static_cast<int>(names_.size())) {}
  // System
  int dim() const override { return d_; }
  std::string name() const override { return family_; }
  std::vector<std::string> variable_names() const override { return names_; }
  bool is_gradient() const override { return true; }
  const FiniteSum* finite_sum() const override { return this; }
  double loss(const double* t) const override {
    std::vector<double> work(sample_->work_size());
    double f = 0;
    for (int i = 0; i < size(); ++i) f += sample_->loss(t, x_.col(i).data(), y_[i], work.data());
    return f / size() + decay(t);
  }
  void drift(const double* t, double* b) const override {
    std::vector<double> g(static_cast<std::size_t>(d_)), work(sample_->work_size());
    std::fill(b, b + d_, 0.0);
    for (int i = 0; i < size(); ++i) {
      sample_->gradient(t, x_.col(i).data(), y_[i], g.data(), work.data());
      for (int k = 0; k < d_; ++k) b[k] -= g[static_cast<std::size_t>(k)];
    }
    for (int k = 0; k < d_; ++k) b[k] = b[k] / size() - wd_ * t[k];
  }
  void jacobian(const double* t, double* jac) const override {
    // Column k is -Hess f e_k, from one Hessian-vector product per sample.
    std::vector<double> e(static_cast<std::size_t>(d_), 0.0);
    for (int k = 0; k < d_; ++k) {
      e[static_cast<std::size_t>(k)] = 1;
      loss_hessian_times(t, e.data(), jac + static_cast<std::size_t>(k) * d_);
      for (int r = 0; r < d_; ++r) jac[static_cast<std::size_t>(k) * d_ + r] *= -1;
      e[static_cast<std::size_t>(k)] = 0;
    }
  }
  void loss_hessian_times(const double* t, const double* v, double* hv) const override {
    std::vector<double> one(static_cast<std::size_t>(d_)), work(sample_->work_size());
    std::fill(hv, hv + d_, 0.0);
    for (int i = 0; i < size(); ++i) {
      sample_->hessian_times(t, x_.col(i).data(), y_[i], v, one.data(), work.data());
      for (int k = 0; k < d_; ++k) hv[k] += one[static_cast<std::size_t>(k)];
    }
    for (int k = 0; k < d_; ++k) hv[k] = hv[k] / size() + wd_ * v[k];
  }
  // FiniteSum
  int size() const override { return static_cast<int>(y_.size()); }
  double component_loss(int i, const double* t) const override {
    std::vector<double> work(sample_->work_size());
    return sample_->loss(t, x_.col(i).data(), y_[i], work.data()) + decay(t);
  }
  void component_gradient(int i, const double* t, double* g) const override {
    std::vector<double> work(sample_->work_size());
    sample_->gradient(t, x_.col(i).data(), y_[i], g, work.data());
    for (int k = 0; k < d_; ++k) g[k] += wd_ * t[k];
  }
  void mean_gradient_block(const double* x, int lanes, const int* index, int batch, double* g,
                           BlockScratch& scratch) const override {
    // Lane by lane: the lane's parameters gathered once, the batch's
    // gradients summed, the mean and the decay written back.
    const std::size_t L = static_cast<std::size_t>(lanes), d = static_cast<std::size_t>(d_);
    scratch.gathered.resize(3 * d + sample_->work_size());
    double *t = scratch.gathered.data(), *sum = t + d, *one = sum + d, *work = one + d;
    for (std::size_t j = 0; j < L; ++j) {
      for (std::size_t k = 0; k < d; ++k) t[k] = x[k * L + j], sum[k] = 0;
      for (int q = 0; q < batch; ++q) {
        const int i = index[static_cast<std::size_t>(q) * L + j];
        sample_->gradient(t, x_.col(i).data(), y_[i], one, work);
        for (std::size_t k = 0; k < d; ++k) sum[k] += one[k];
      }
      for (std::size_t k = 0; k < d; ++k) g[k * L + j] = sum[k] / batch + wd_ * t[k];
    }
  }

 private:
  double decay(const double* t) const {
    double s = 0;
    for (int k = 0; k < d_; ++k) s += t[k] * t[k];
    return 0.5 * wd_ * s;
  }
  Mat x_;
  Vec y_;
  double wd_;
  std::string family_;
  std::unique_ptr<Sample> sample_;
  std::vector<std::string> names_;
  int d_;
};

void append(std::vector<std::string>& names, const std::string& base, int n) {
  for (int i = 1; i <= n; ++i) names.push_back(fmt::format("{}[{}]", base, i));
}
void append(std::vector<std::string>& names, const std::string& base, int rows, int cols) {
  for (int i = 1; i <= rows; ++i)
    for (int j = 1; j <= cols; ++j) names.push_back(fmt::format("{}[{},{}]", base, i, j));
}

/// The number of softmax classes, with every target checked to be one.
int softmax_classes(const FamilySpec& s) {
  int top = 0;
  for (Eigen::Index i = 0; i < s.targets.size(); ++i) {
    const double y = s.targets[i];
    if (!(y >= 0 && y == std::floor(y) && y < 1e6))
      throw Error(ExitCode::kData, fmt::format("{}.target: data point {} has {} but softmax needs class indices 0, 1, 2, ...",
                                               s.key_path, i + 1, y));
    top = std::max(top, static_cast<int>(y));
  }
  const int k = s.classes > 0 ? s.classes : top + 1;
  if (top >= k)
    throw config_error(fmt::format("{}.classes = {}: the data has class {} (indices run 0..classes-1)", s.key_path, k, top));
  if (k < 2) throw config_error(s.key_path + ".classes: softmax needs at least 2 classes (the data has 1)");
  return k;
}

void check_unit_targets(const FamilySpec& s, const std::string& what) {
  for (Eigen::Index i = 0; i < s.targets.size(); ++i)
    if (!(s.targets[i] >= 0 && s.targets[i] <= 1))
      throw Error(ExitCode::kData, fmt::format("{}.target: data point {} has {} but {} needs targets in [0, 1]",
                                               s.key_path, i + 1, s.targets[i], what));
}

Activation activation(const FamilySpec& s) {
  if (s.activation == "tanh") return {Activation::kTanh};
  if (s.activation == "relu") return {Activation::kRelu};
  if (s.activation == "softplus") return {Activation::kSoftplus};
  throw config_error(s.key_path + ".activation = \"" + s.activation + "\": must be one of \"tanh\", \"relu\", \"softplus\"");
}

OutputLoss output_loss(const FamilySpec& s) {
  if (s.loss == "squared") return {false};
  if (s.loss == "logistic") {
    check_unit_targets(s, "the logistic loss");
    return {true};
  }
  throw config_error(s.key_path + ".loss = \"" + s.loss + "\": must be \"squared\" or \"logistic\"");
}

}  // namespace

std::vector<std::string> family_parameter_names(const FamilySpec& s) {
  const int p = static_cast<int>(s.inputs.rows());
  std::vector<std::string> names;
  if (s.family == "least_squares" || s.family == "logistic") {
    append(names, "w", p);
    if (s.intercept) names.push_back("b");
  } else if (s.family == "softmax") {
    const int k = softmax_classes(s);
    append(names, "W", k, p);
    if (s.intercept) append(names, "b", k);
  } else if (s.family == "two_layer") {
    append(names, "W", s.width, p);
    append(names, "b", s.width);
    append(names, "v", s.width);
    names.push_back("c");
  }
  return names;
}

std::unique_ptr<System> make_family_system(const FamilySpec& s) {
  const int p = static_cast<int>(s.inputs.rows());
  if (p < 1 || s.inputs.cols() < 1 || s.inputs.cols() != s.targets.size())
    throw config_error(fmt::format("{}: needs n >= 1 points with p >= 1 inputs and one target each (got {} x {} "
                                   "inputs, {} targets)", s.key_path, p, s.inputs.cols(), s.targets.size()));
  if (!(s.weight_decay >= 0))
    throw config_error(fmt::format("{}.weight_decay = {}: must be >= 0", s.key_path, s.weight_decay));
  std::unique_ptr<Sample> sample;
  if (s.family == "least_squares") sample = std::make_unique<Linear>(p, s.intercept, OutputLoss{false});
  else if (s.family == "logistic") {
    check_unit_targets(s, "logistic regression");
    sample = std::make_unique<Linear>(p, s.intercept, OutputLoss{true});
  } else if (s.family == "softmax") sample = std::make_unique<Softmax>(p, softmax_classes(s), s.intercept);
  else if (s.family == "two_layer") {
    if (s.width < 1) throw config_error(fmt::format("{}.width = {}: must be >= 1", s.key_path, s.width));
    sample = std::make_unique<TwoLayer>(p, s.width, activation(s), output_loss(s));
  } else {
    throw config_error(s.key_path + ".kind = \"" + s.family +
                       "\": not a model family (least_squares, logistic, softmax, two_layer)");
  }
  return std::make_unique<FamilySystem>(s, std::move(sample), family_parameter_names(s));
}

}  // namespace fw::model
