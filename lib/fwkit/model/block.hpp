// fwkit/model/block.hpp — a block of ensemble members at one step, as the
// noise models and finite sums see it when they are evaluated lane-parallel.
#pragma once

#include <cstdint>
#include <vector>

#include "fwkit/rng/block.hpp"

namespace fw::model {

/// One step of a block of ensemble members, in structure-of-arrays layout:
/// lane j is member first_member + j, and coordinate k of its state is
/// x[k * lanes + j]. Every draw of lane j depends only on (seed, member,
/// step), never on the block, so ensembles are bit-identical for any block
/// size and thread count.
struct BlockDraw {
  std::uint64_t seed = 0;
  std::int64_t first_member = 0;
  int lanes = 0;
  std::uint64_t step = 0;
  const double* x = nullptr;
  const char* alive = nullptr;  // lanes flags: a dead lane's output is unspecified
  int* chain = nullptr;         // Markov noise: the lanes' chain states
};

/// Scratch for the block samplers, owned by the caller and reused from call
/// to call (it only grows), so that the step loop allocates nothing.
struct BlockScratch {
  std::vector<double> real;     // the noise model's own draws and sums
  std::vector<double> gathered; // inputs gathered for a batched evaluation
  std::vector<double> tape;     // a tape's working slots
  std::vector<double*> slots;
  std::vector<const double*> inputs;  // a batched evaluation's input columns
  std::vector<char> marks;            // per data point: taken by this lane's batch
  std::vector<int> index;       // drawn data indices
  rng::IndexCache index_words;  // the index generator's words of four steps
};

}  // namespace fw::model
