#pragma once
// The fused first layer's bounds, maxpool4(relu(batchnorm(conv5x5(x)))) in one op. Both
// comparisons take 8-bit inputs (images k/256, weights and biases m/256), so that every
// convolution output is exact in any order of summation and both sides pick the same pooling
// winners; what remains is the rounding of the batch statistics and of the gradients' sums. They
// hold the same outputs to different numbers:
//  - kernel test: against the float32 reference composition on the CPU, at small shapes, each
//    tensor within a fixed fraction of its largest value (kTest... below). And on continuous
//    inputs, where the tensor-core convolution (3xTF32) is inexact, F within the textbook bound
//    of a float sum of the same terms (continuous_output), which plain TF32 misses 7 to 13 times
//    over.
//  - gradcheck: against the float64 reference composition at the model's shapes, on the tensor's
//    largest value: F within the affine map's few roundings (chain 4, times 4); the running
//    statistics, dγ, dβ and dw, which the fused kernels sum in double from float terms, to
//    batchnorm's gradcheck bounds for the same quantities (kernels/bounds/batchnorm.h).
//    conv1.bias's gradient, exactly 0 in the fused backward and rounding noise in the
//    reference, is not compared.
#include "kernels/bounds/batchnorm.h"
#include "kernels/bounds/rounding.h"

namespace braincam::bounds::conv_bn_relu_pool {

// ---- kernel test ----

// F, training and evaluation: of max(1, max |F|).
inline constexpr double kTestOutput = 1e-5;
// The running mean: absolute; the running variance: of its largest value.
inline constexpr double kTestRunningStatistic = 1e-6;
// dw, dγ, dβ: of their largest value; db (0 in exact arithmetic) on the scale of dw's.
inline constexpr double kTestGradient = 1e-4;

// Continuous inputs: n·u·Σ|terms| for the n = taps + 1 terms of a convolution output (the
// products and the bias; not doubled), times |scale| of the channel's batchnorm.
inline double continuous_output(int taps, double scale, double terms) {
  return (taps + 1) * kUnitRoundoff * std::fabs(scale) * terms;
}

// ---- gradcheck, whole tensors ----

inline constexpr Bound kOutput{ErrorScale::TensorMax, 4, 4};
// running_mean, running_var, dγ, dβ.
inline Bound statistic(long pixels, int N) { return batchnorm::train_output(pixels, N); }
inline Bound weight_gradient(long pixels, int N) {
  return batchnorm::train_input_gradient(pixels, N);
}

}  // namespace braincam::bounds::conv_bn_relu_pool
