#pragma once
// The patch statistics' bound (the batch statistics of the fused first layer,
// kernels/cuda/patch_statistics.cu), checked by their kernel test against the fast CPU path's
// (kernels/cpu_fast/patch_statistics.cpp); gradcheck checks them through conv_bn_relu_pool. Both
// sum float products in float over a row or column of the padded grid, then in double, so they
// agree to the float rounding of those partial sums: far below these fractions of the largest
// entry.
namespace braincam::bounds::patch_statistics {

inline constexpr double kPatchMean = 1e-6;
// The patches' covariance, and the channel means and variances computed from it.
inline constexpr double kCovariance = 1e-5;

}  // namespace braincam::bounds::patch_statistics
