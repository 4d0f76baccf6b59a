// solvers/ode/ode_io.hpp — ODE results in fwkit result files
// (docs/hdf5-schema.md): /trajectory with time as a dimension scale,
// /events, /slow_fast and /tracking.
#pragma once

#include <string>
#include <vector>

#include "fwkit/io/result_file.hpp"
#include "ode.hpp"
#include "slow_fast.hpp"
#include "tracking.hpp"

namespace fw::ode {

/// /trajectory and /events under `parent`.
void write_trajectory(const io::Group& parent, const Result& result,
                      const std::vector<std::string>& variables,
                      const std::vector<std::string>& event_names);
void write_slow_fast(const io::Group& parent, const SlowFastResult& result);
void write_tracking(const io::Group& parent, const TrackingResult& result);

}  // namespace fw::ode
