#pragma once
// batchnorm's bounds. The kernel test and gradcheck hold the same outputs to different numbers:
//  - kernel test (element by element, small shapes): the kernels keep every channel sum in
//    double, as the reference does, so each float output is one rounding of a double within
//    about 1e-12 of the reference's value (relatively to the magnitudes of its terms): 2u of the
//    magnitudes that make it up, plus kDoubleSumError of Σ|terms| for dγ and dβ. Evaluation and
//    the running statistics are float formulas of 3 to 4 roundings: 8u of their magnitudes.
//  - gradcheck (whole tensors at the model's shapes, every device): a reduction over the N·H·W
//    values of a channel (staged_reduction_chain with the N images' partials) on the scale of the
//    tensor's largest value, times 4 for y, the running statistics, dγ and dβ (through the mean
//    and the variance) and 8 for dx (two more reductions of dy). Coarser: it would hold for
//    statistics summed in float too.
#include "kernels/bounds/rounding.h"

namespace braincam::bounds::batchnorm {

// ---- kernel test, per element ----

// One rounding of a double: the mean and variance, and dγ and dβ before kDoubleSumError.
inline double rounded(double value) { return 2 * kUnitRoundoff * std::fabs(value); }

// y = x·scale + shift, computed in double and rounded once.
inline double normalized(double x_times_scale, double shift) {
  return 2 * kUnitRoundoff * (std::fabs(x_times_scale) + std::fabs(shift));
}

// The double sums' own error, per unit of |term| (dγ: |dy·x̂|, dβ: |dy|).
inline constexpr double kDoubleSumError = 1e-12;

// dx = k·(dy − a − x̂·b), k = γ·invstd, in double and rounded once; `terms` is
// |dy| + |a| + |x̂·b|.
inline double input_gradient(double gamma, double invstd, double terms) {
  return 2 * kUnitRoundoff * gamma * invstd * terms;
}

// Evaluation (scale, shift, x·scale + shift) and the running statistics: float formulas of 3 to
// 4 roundings, each side free to contract a multiply-add; `magnitude` is the sum of the
// magnitudes of the formula's terms.
inline double float_formula(double magnitude) { return 8 * kUnitRoundoff * magnitude; }

// ---- gradcheck, whole tensors ----

inline double batch_chain(long pixels, int N) { return staged_reduction_chain(pixels, N); }
// y, running_mean, running_var, dγ, dβ.
inline Bound train_output(long pixels, int N) {
  return {ErrorScale::TensorMax, batch_chain(pixels, N), 4};
}
inline Bound train_input_gradient(long pixels, int N) {
  return {ErrorScale::TensorMax, batch_chain(pixels, N), 8};
}
// (x − mean)·γ/√(var + ε) + β: six roundings, rsqrt within 2 ulp.
inline constexpr Bound kEvalOutput{ErrorScale::TensorMax, 6, 2};

}  // namespace braincam::bounds::batchnorm
