// Noise models used across the tests, one of each kind.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "fwkit/model/catalog.hpp"
#include "fwkit/model/expression.hpp"
#include "fwkit/model/noise.hpp"
#include "fwkit/model/noise_markov.hpp"

namespace fw::test {

struct NamedNoise {
  std::string name;
  std::shared_ptr<const model::NoiseModel> noise;
  std::shared_ptr<const model::System> system;  // a system of the same dimension
};

/// A finite-sum least-squares-like loss in 2-D over 5 data points.
inline std::shared_ptr<const model::System> finite_sum_system() {
  model::FiniteSumSpec spec;
  spec.variables = {"x", "y"};
  spec.parameters = {{"k", 0.7}};
  spec.component = "0.5*a*(x - u)^2 + 0.5*(y - v)^2 + k*x*y*u + 0.1*x^4";
  spec.data = {{"a", {1.0, 2.0, 0.5, 1.5, 1.0}},
               {"u", {-1.0, 0.5, 2.0, 0.0, 1.2}},
               {"v", {0.3, -0.8, 0.0, 1.1, 0.4}}};
  return model::make_finite_sum_system(spec);
}

/// Two-state chain on a 2-D state: P = [[1-a, a], [c, 1-c]] with
/// a = 0.3 + 0.1 tanh(x), c = 0.2 + 0.05 sin(y); h(x, y_k) affine in x.
inline std::shared_ptr<model::MarkovNoise> markov_noise() {
  const std::vector<std::string> vars{"x", "y"};
  auto kernel = model::make_expression_field(
      {{"0.7 - 0.1*tanh(x)", "0.3 + 0.1*tanh(x)"}, {"0.2 + 0.05*sin(y)", "0.8 - 0.05*sin(y)"}},
      vars, {}, "kernel");
  auto incr = model::make_expression_field({{"1 - x", "0.5 - y"}, {"-2 - x", "-1 - y + 0.3*x"}},
                                           vars, {}, "increments");
  return model::make_markov_noise(kernel, incr, 2);
}

inline std::vector<NamedNoise> all_noise_models() {
  const std::vector<std::string> vars{"x", "y"};
  std::shared_ptr<const model::System> dw = model::make_catalog_system("double_well_2d", {});
  Mat cov(2, 2);
  cov << 1.0, 0.4, 0.4, 0.5;
  Mat singular(2, 2);
  singular << 1.0, 2.0, 2.0, 4.0;
  Mat atoms(2, 3);
  atoms << 1.0, -0.5, 0.2, 0.0, 1.5, -1.0;
  std::vector<Vec> means{(Vec(2) << 0.0, 0.0).finished(), (Vec(2) << 1.5, -0.5).finished()};
  Mat c1(2, 2), c2(2, 2);
  c1 << 0.5, 0.1, 0.1, 0.3;
  c2 << 0.2, 0.0, 0.0, 0.6;
  auto fs = finite_sum_system();
  auto markov = markov_noise();
  return {
      {"gaussian", model::make_gaussian_noise(cov), dw},
      {"gaussian (singular)", model::make_gaussian_noise(singular), dw},
      {"gaussian (state-dependent)",
       model::make_state_gaussian_noise(
           model::make_expression_field({{"1 + 0.5*sin(x)", "0.2"}, {"0.3*y", "1"}}, vars, {}, "sigma"),
           2, 2),
       dw},
      {"rademacher", model::make_rademacher_noise((Vec(2) << 0.7, 1.3).finished()), dw},
      {"discrete", model::make_discrete_noise(atoms, (Vec(3) << 0.5, 0.2, 0.3).finished(),
                                              model::make_expression_field({{"1 + 0.2*x^2"}}, vars, {}, "scale")),
       dw},
      {"minibatch B=2 with replacement", model::make_minibatch_noise(fs, 2, true), fs},
      {"minibatch B=2 without replacement", model::make_minibatch_noise(fs, 2, false), fs},
      {"minibatch B=1", model::make_minibatch_noise(fs, 1, false), fs},
      {"mixture", model::make_mixture_noise(means, {c1, c2},
                                            model::make_expression_field({{"0", "0.5*x - y"}}, vars, {}, "logits")),
       dw},
      {"markov", markov, std::make_shared<model::MarkovAverageSystem>(markov)},
  };
}

}  // namespace fw::test
