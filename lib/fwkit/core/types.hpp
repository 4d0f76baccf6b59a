// fwkit/core/types.hpp — vector and matrix types shared by every layer.
//
// States, momenta and drifts are dense column vectors of runtime dimension;
// matrices are column-major. Grid solvers that fix the dimension at compile
// time convert at their boundary.
#pragma once

#include <Eigen/Dense>

namespace fw {

using Vec = Eigen::VectorXd;  // a state x, a momentum p, a drift b(x)
using Mat = Eigen::MatrixXd;  // Jacobians, covariances, kernels
using VecRef = Eigen::Ref<Vec>;
using ConstVecRef = Eigen::Ref<const Vec>;
using MatRef = Eigen::Ref<Mat>;
using ConstMatRef = Eigen::Ref<const Mat>;

}  // namespace fw
