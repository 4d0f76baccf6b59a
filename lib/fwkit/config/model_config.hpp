// fwkit/config/model_config.hpp — the [model] table of a run configuration.
//
//   [model.system]
//   kind = "maier_stein"            # a catalog name, "expression" or "finite_sum"
//   parameters = { beta = 10.0 }    # catalog parameters
//   # kind = "expression": variables = ["x", "y"], and drift = ["...", "..."]
//   #   or loss = "..." (b = -grad f); optional diffusion = [["..", ".."], ...]
//   # kind = "finite_sum": variables, component = "f_i in terms of data columns",
//   #   [model.system.data] column = [...]
//
//   [model.parameters]              # constants usable in every expression
//
//   [model.noise]                   # optional; default: Gaussian with D = sigma sigma^T
//   kind = "gaussian"               # gaussian | minibatch | rademacher | discrete | mixture | markov
//   # gaussian: covariance = [[..]] or sigma = [["expr", ..], ..]
//   # minibatch: batch = 1, replacement = true
//   # rademacher: scales = [..]
//   # discrete: atoms = [[..], ..] (one row per atom), probabilities = [..], scale = "expr"
//   # mixture: means = [[..], ..], covariances = { c0 = [[..]], c1 = .. },
//   #   logits = ["expr", ..] (optional, softmax weights)
//   # markov: variables = [..], kernel = [["expr", ..], ..], increments = [["expr", ..], ..]
//   #   (no [model.system]: the drift is the kernel-averaged increment)
#pragma once

#include "fwkit/config/config.hpp"
#include "fwkit/model/expression.hpp"
#include "fwkit/model/model.hpp"

namespace fw::config {

/// Builds the model described by `model` (the [model] table).
model::Model build_model(const Table& model);

/// The constants of [model.parameters], as every expression of the model
/// sees them (for expressions a subcommand compiles itself, e.g. events).
model::Parameters read_parameters(const Table& model);

/// Throws a data error (exit 65) unless the drift and the noise covariance
/// of `m` are finite at `x`, naming the key that defines the undefined part
/// (`model.system.drift[1]`, `model.noise.sigma`, ...) and `start`, the key
/// x came from ("simulate.x0 (c.toml line 7)"). Run before any work: a model
/// undefined at its start would otherwise run to the end on NaN.
void check_defined_at(const model::Model& m, const Table& model, const Vec& x, const std::string& start);

}  // namespace fw::config
