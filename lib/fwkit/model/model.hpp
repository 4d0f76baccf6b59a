// fwkit/model/model.hpp — a system plus a noise model: the one object every
// solver and the simulator take, so the potential that is computed and the
// dynamics that are simulated cannot drift apart.
#pragma once

#include <memory>
#include <string>

#include "fwkit/model/noise.hpp"
#include "fwkit/model/system.hpp"

namespace fw::model {

struct Model {
  std::shared_ptr<const System> system;
  std::shared_ptr<const NoiseModel> noise;  // never null once built

  int dim() const { return system->dim(); }
};

/// A model with Gaussian noise of covariance D(x) = sigma(x) sigma(x)^T taken
/// from the system (the identity for catalog systems).
Model with_system_diffusion(std::shared_ptr<const System> system);

}  // namespace fw::model
