#pragma once
// TF32 tensor cores for the kernels, in both builds (see simt.h):
//   tf32_round(x)   x rounded to TF32 (10 mantissa bits, to nearest, ties away from zero), as
//                   the bits of a float with the low 13 bits masked to zero (the PTX ISA leaves
//                   them to the implementation), so that they also read as that float;
//   mma_tf32_m16n8k8(d, a, b)
//                   d += a b for a 16 x 8 (M x K) and an 8 x 8 (K x N) matrix of TF32 values
//                   (tf32_round's) and a 16 x 8 float accumulator, spread over the 32 lanes of
//                   a warp (every lane must call it, with the whole warp converged).
// Under nvcc these are PTX's cvt.rna.tf32.f32 and mma.sync.aligned.m16n8k8.row.col.f32.tf32.
// tf32.f32 (sm_80 and later); in the emulator, a rounding of the bits and one warp_combine that
// gathers the fragments of all lanes.
//
// The fragments, with g = lane / 4 and t = lane % 4 (the PTX ISA's layout for this shape):
//   a[i]  row (i % 2) * 8 + g,  column (i / 2) * 4 + t        (A: 16 x 8)
//   b[i]  row i * 4 + t,        column g                      (B: 8 x 8)
//   d[i]  row (i / 2) * 8 + g,  column 2 * t + i % 2          (D: 16 x 8)
// (Checked against the PTX ISA's fragment figures and CUTLASS's SM80 traits for this shape.)
// Tensor cores read only the TF32 bits of a and b, and so does the emulator. The products of TF32
// values are exact in float; how the hardware adds the eight products and the accumulator is not
// specified (measurements on Ampere found truncation); the emulator adds them in k order,
// rounding to nearest.
#include <cstdint>

#include "kernels/cuda/simt.h"

#ifdef __CUDACC__

namespace braincam::cuda {
namespace {

__device__ __forceinline__ std::uint32_t tf32_round(float x) {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ < 800
#error "braincam's tensor-core kernels need sm_80 or later (CMAKE_CUDA_ARCHITECTURES >= 80)"
#endif
  std::uint32_t r;
  asm("cvt.rna.tf32.f32 %0, %1;" : "=r"(r) : "f"(x));
  return r & ~0x1fffu;
}

__device__ __forceinline__ void mma_tf32_m16n8k8(float (&d)[4], const std::uint32_t (&a)[4],
                                                 const std::uint32_t (&b)[2]) {
  asm("mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32 {%0, %1, %2, %3}, {%4, %5, %6, %7}, "
      "{%8, %9}, {%0, %1, %2, %3};"
      : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
      : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]));
}

}  // namespace
}  // namespace braincam::cuda

#else  // the emulator

#include <stdexcept>

namespace braincam::cuda {
namespace simt_emulation {

struct MmaOperands {
  float* d;
  const std::uint32_t* a;
  const std::uint32_t* b;
};

// The TF32 value of an operand register: its top 19 bits.
inline float tf32_operand(std::uint32_t bits) { return __uint_as_float(bits & ~0x1fffu); }

// The warp_combine of mma_tf32_m16n8k8: gathers A, B and the accumulator from the lanes'
// fragments, multiplies, and hands each lane its part of the result.
inline void mma_tf32_m16n8k8_warp(void* const* lanes) {
  float A[16][8], B[8][8], D[16][8];
  for (int lane = 0; lane < 32; ++lane) {
    if (!lanes[lane])
      throw std::runtime_error("mma_tf32_m16n8k8: every lane of the warp must take part");
    const auto& op = *static_cast<const MmaOperands*>(lanes[lane]);
    const int g = lane / 4, t = lane % 4;
    for (int i = 0; i < 4; ++i) {
      A[i % 2 * 8 + g][i / 2 * 4 + t] = tf32_operand(op.a[i]);
      D[i / 2 * 8 + g][2 * t + i % 2] = op.d[i];
    }
    for (int i = 0; i < 2; ++i) B[i * 4 + t][g] = tf32_operand(op.b[i]);
  }
  for (int lane = 0; lane < 32; ++lane) {
    const auto& op = *static_cast<const MmaOperands*>(lanes[lane]);
    const int g = lane / 4, t = lane % 4;
    for (int i = 0; i < 4; ++i) {
      const int row = i / 2 * 8 + g, column = 2 * t + i % 2;
      float sum = D[row][column];
      for (int k = 0; k < 8; ++k) sum += A[row][k] * B[k][column];
      op.d[i] = sum;
    }
  }
}

}  // namespace simt_emulation

// Rounds the bits: add half of the dropped part's unit to the magnitude, then drop it (a carry
// into the exponent is the right rounding). NaN and infinity are left alone.
inline std::uint32_t tf32_round(float x) {
  const std::uint32_t bits = __float_as_uint(x);
  if ((bits & 0x7f800000u) == 0x7f800000u) return bits;
  return (bits + 0x1000u) & ~0x1fffu;
}

inline void mma_tf32_m16n8k8(float (&d)[4], const std::uint32_t (&a)[4],
                             const std::uint32_t (&b)[2]) {
  simt_emulation::MmaOperands mine{d, a, b};
  emulator::warp_combine(0xffffffffu, &mine, simt_emulation::mma_tf32_m16n8k8_warp);
}

}  // namespace braincam::cuda

#endif
