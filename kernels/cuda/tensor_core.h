#pragma once
// TF32 tensor cores for the kernels, in both builds (see simt.h):
//   tf32_round(x)   x rounded to TF32 (10 mantissa bits, to nearest, ties away from zero), as
//                   the bits of a float with the low 13 bits masked to zero (the PTX ISA leaves
//                   them to the implementation), so that they also read as that float;
//   tf32_split(x)   x = big + small, both TF32 (3xTF32, below);
//   mma_tf32_m16n8k8(d, a, b)
//                   d += a b for a 16 x 8 (M x K) and an 8 x 8 (K x N) matrix of TF32 values
//                   (tf32_round's) and a 16 x 8 float accumulator, spread over the 32 lanes of
//                   a warp (every lane must call it, with the whole warp converged).
// Under nvcc these are PTX's
//   cvt.rna.tf32.f32 and mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32 (sm_80 and later);
// in the emulator, a rounding of the bits and one warp_combine that gathers the fragments of all
// lanes.
//
// The fragments' places are the mma_* functions below: the PTX ISA's figures for this shape,
// checked against CUTLASS's SM80 traits, and on a GPU by tests/kernels/tensor_core_test.cpp.
// Tensor cores read only the TF32 bits of a and b, and so does the emulator. The products of
// TF32 values are exact in float; how the hardware adds the eight products and the accumulator
// is not specified (Fasi, Higham, Mikaitis and Pranesh, "Numerical behavior of NVIDIA tensor
// cores", 2021, found truncation on Ampere); the emulator adds them in k order, rounding to
// nearest.
#include <cstdint>

#include "kernels/cuda/simt.h"

#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ < 800
#error "braincam's tensor-core kernels need sm_80 or later (CMAKE_CUDA_ARCHITECTURES >= 80)"
#endif

namespace braincam::cuda {

// Where register i of `lane` sits in its matrix: row and column, with g = lane / 4 and
// t = lane % 4.
//   a[i] (A: 16 x 8)  row (i % 2) * 8 + g,  column (i / 2) * 4 + t
//   b[i] (B: 8 x 8)   row i * 4 + t,        column g
//   d[i] (D: 16 x 8)  row (i / 2) * 8 + g,  column 2 * t + i % 2
__host__ __device__ constexpr int mma_a_row(int lane, int i) { return i % 2 * 8 + lane / 4; }
__host__ __device__ constexpr int mma_a_column(int lane, int i) { return i / 2 * 4 + lane % 4; }
__host__ __device__ constexpr int mma_b_row(int lane, int i) { return i * 4 + lane % 4; }
__host__ __device__ constexpr int mma_b_column(int lane, int) { return lane / 4; }
__host__ __device__ constexpr int mma_d_row(int lane, int i) { return i / 2 * 8 + lane / 4; }
__host__ __device__ constexpr int mma_d_column(int lane, int i) { return 2 * (lane % 4) + i % 2; }

}  // namespace braincam::cuda

#ifdef __CUDACC__

namespace braincam::cuda {
namespace {

__device__ __forceinline__ std::uint32_t tf32_round(float x) {
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
    for (int i = 0; i < 4; ++i) {
      A[mma_a_row(lane, i)][mma_a_column(lane, i)] = tf32_operand(op.a[i]);
      D[mma_d_row(lane, i)][mma_d_column(lane, i)] = op.d[i];
    }
    for (int i = 0; i < 2; ++i)
      B[mma_b_row(lane, i)][mma_b_column(lane, i)] = tf32_operand(op.b[i]);
  }
  for (int lane = 0; lane < 32; ++lane) {
    const auto& op = *static_cast<const MmaOperands*>(lanes[lane]);
    for (int i = 0; i < 4; ++i) {
      const int row = mma_d_row(lane, i), column = mma_d_column(lane, i);
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

namespace braincam::cuda {
namespace {

// x = big + small, both TF32 (small rounds the rest of x). A product of two such splits taken as
// small·big + big·small + big·big (3xTF32), the small·small term dropped, is within about
// 3·2^-22 of the exact product, where TF32 alone rounds to 2^-11.
struct Tf32Split {
  std::uint32_t big, small;
};
__device__ __forceinline__ Tf32Split tf32_split(float x) {
  const std::uint32_t big = tf32_round(x);
  return {big, tf32_round(x - __uint_as_float(big))};
}

}  // namespace
}  // namespace braincam::cuda
