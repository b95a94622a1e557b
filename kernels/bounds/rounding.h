#pragma once
// The float32 error bounds of the kernels: one header per op in kernels/bounds/, read by the
// op's kernel test (tests/kernels/<op>_test.cpp) and by `braincam gradcheck` (tools/gradcheck/),
// so that each bound is stated, and derived, once. This header holds what they share.
//
// u = 2^-24 is the unit roundoff of float32. A float computation whose longest chain of roundings
// is m operations is within m·u·Σ|terms| of the exact value, to first order (Higham, Accuracy and
// Stability of Numerical Algorithms, §3.1). The bounds allow 2·m·u: doubled for margin. For a
// chain of stages (a sum, then a sum of its results, ...) the chains add up, on the scale of the
// same computation run on the magnitudes of the inputs. A sigmoid's slope is at most 1/4; exp and
// log1p are within 2 ulp on a GPU. A chain of 0 is bitwise equality. A wrong or missing term is
// off by about Σ|terms|/m, far above any of these bounds.
//
// Two comparisons use them, and where an op's header gives each its own numbers it says which is
// which:
//  - the kernel test: the CUDA kernel (in the emulator, and on a GPU) against the CPU reference
//    run in double, element by element, at small odd shapes. Its bounds follow the kernel's own
//    order of operations (its reduction tree, its sums in double), so they are the tightest.
//  - gradcheck: the op through the engine on any device (the GPU, the emulator, and the CPU's
//    float32 reference and fast path) against the CPU reference in float64, one whole tensor per
//    row, at the model's shapes. Each row is a Bound below; since it must hold for every
//    device's implementation, it is stated from the op's maths rather than one kernel's order.
#include <cmath>

namespace braincam::bounds {

inline constexpr double kUnitRoundoff = 0x1p-24;

// What a gradcheck row's relative error divides by.
enum class ErrorScale {
  SumOfMagnitudes,  // per element: Σ|terms| of its sum of products (the reference on |inputs|)
  TensorMax,        // max |want| over the whole output (the nonlinear ops)
};

// A gradcheck row's bound: relative error at most 2·chain·u·allowance on `scale`, where
// `allowance` covers the conditioning of the nonlinear ops (a mean subtracted, a sigmoid or an
// exponential after a sum).
struct Bound {
  ErrorScale scale;
  double chain;            // longest chain of float32 roundings; 0: bitwise
  double allowance = 1.0;  // conditioning factor of nonlinear ops
  double relative() const { return 2.0 * chain * kUnitRoundoff * allowance; }
  constexpr bool bitwise() const { return chain == 0; }
};

// The same operations in the same order as the reference: the same bits.
inline constexpr Bound kBitwise{ErrorScale::TensorMax, 0};

// block_sum over n values (kernels/cuda/block_reduce.h, 256 threads): a thread's strided share,
// the 5 shuffle steps of its warp, the 8 warps in order.
inline double block_sum_chain(long n) { return std::ceil(n / 256.0) + 5 + 8; }

// conv5x5's weight-gradient reduction over n positions, through shared memory: a thread's
// strided share, one thread adding a warp's 32 values, one adding the 8 warps' totals, then
// `partials` per-block partial sums added in order. gradcheck holds every reduction over
// positions to it, an upper bound of block_sum_chain.
inline double staged_reduction_chain(long n, long partials) {
  return std::ceil(n / 256.0) + 1 + 32 + 8 + partials;
}

// A sigmoid of a sum whose chain is `chain` on the scale `magnitude` (the sum run on the
// magnitudes): its error times the slope's 1/4, plus 4u for exp and the division.
inline double sigmoid_of_sum(double chain, double magnitude) {
  return 0.25 * 2 * chain * kUnitRoundoff * magnitude + 4 * kUnitRoundoff;
}

// y = x·gate: the gate's error carried by |x|, plus the product's rounding.
inline double gated_product(double x_magnitude, double gate_bound, double y) {
  return x_magnitude * gate_bound + 2 * kUnitRoundoff * std::fabs(y);
}

}  // namespace braincam::bounds
