#pragma once
// Adam's bounds. Not bitwise: each compiler may contract a·b + c into one fused multiply-add (the
// CPU build, with FMA enabled, and nvcc both do at their discretion), which rounds once instead
// of twice. Every operation is otherwise a correctly rounded float operation (sqrtf and the
// division are IEEE on the GPU without fast-math). The kernel test and gradcheck hold the same
// outputs to different numbers:
//  - kernel test, per element, doubled: m within 3 roundings of |β₁m| + |(1 − β₁)g|; v within 4
//    of |β₂v| + |(1 − β₂)g²|; p within one rounding of p plus 8 of the update (m, v, sqrt, two
//    divisions, the addition of ε, the product with the step size, the float bias corrections).
//    With decoupled weight decay, two more roundings of p: the factor 1 − lr·λ rounded to float
//    and its product with p (|p·(1 − lr·λ)| ≤ |p|).
//  - gradcheck, on the largest value of all the parameters' concatenated tensors: the whole
//    elementwise update in one chain of 12 (the moments' 3 and 4 roundings, the bias
//    corrections, sqrt, the division and the subtraction) times 2; 14 with the decay's two.
#include "kernels/bounds/rounding.h"

namespace braincam::bounds::adam {

// ---- kernel test; `magnitude` is the sum of the magnitudes of the update's terms ----

inline double first_moment(double magnitude) { return 2 * 3 * kUnitRoundoff * magnitude; }
inline double second_moment(double magnitude) { return 2 * 4 * kUnitRoundoff * magnitude; }
inline double parameter(double p, double update) {
  return 2 * (kUnitRoundoff * std::fabs(p) + 8 * kUnitRoundoff * update);
}
inline double decayed_parameter(double p, double update) {
  return parameter(p, update) + 2 * 2 * kUnitRoundoff * std::fabs(p);
}

// ---- gradcheck: the parameters, exp_avg and exp_avg_sq ----

inline constexpr Bound kUpdate{ErrorScale::TensorMax, 12, 2};
inline constexpr Bound kDecayedUpdate{ErrorScale::TensorMax, 14, 2};

}  // namespace braincam::bounds::adam
