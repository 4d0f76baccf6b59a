// fwkit/model/tilted.hpp — exponential tilting of a finite distribution.
//
// For atoms c_k (columns of a d x K matrix) with log-weights w_k,
//     Lambda(p) = log sum_k exp(w_k + <p, c_k>),
// grad Lambda = E_p[c] and Hess Lambda = Cov_p[c] under the tilted weights
// proportional to exp(w_k + <p, c_k>). Computed with a shifted log-sum-exp, so
// it neither overflows nor underflows for large |p|.
#pragma once

#include "fwkit/core/types.hpp"
#include "fwkit/model/noise.hpp"

namespace fw::model {

void tilted_log_mgf(const Mat& atoms, const Vec& log_weights, const Vec& p,
                    const MgfRequest& out);

}  // namespace fw::model
