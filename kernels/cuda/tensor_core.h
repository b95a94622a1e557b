#pragma once
// TF32 tensor cores for the kernels, in both builds (see simt.h):
//   tf32_round(x)   x rounded to TF32 (10 mantissa bits, to nearest, ties away from zero), as
//                   the bits of a float with the low 13 bits masked to zero (the PTX ISA leaves
//                   them to the implementation), so that they also read as that float;
//   tf32_split(x)   x = big + small, both TF32 (3xTF32, below);
//   mma_tf32_m16n8k8(d, a, b)
//                   d += a b for a 16 x 8 (M x K) and an 8 x 8 (K x N) matrix of TF32 values
//                   (tf32_round's) and a 16 x 8 float accumulator, spread over the 32 lanes of
//                   a warp (every lane must call it, with the whole warp converged);
//   mma_3xtf32_tile(d, a_big, a_small, b_big, b_small)
//                   a warp's tile of such products for float matrices given as their TF32
//                   halves: for each of M A fragments and N B fragments, d[m][n] += a[m] b[n]
//                   as the three mma_tf32_m16n8k8 of a_small b_big, a_big b_small and a_big
//                   b_big, in that order (the emulator gathers the warp's fragments once for
//                   the whole tile).
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

template <int M, int N>
__device__ __forceinline__ void mma_3xtf32_tile(float (&d)[M][N][4],
                                                const std::uint32_t (&a_big)[M][4],
                                                const std::uint32_t (&a_small)[M][4],
                                                const std::uint32_t (&b_big)[N][2],
                                                const std::uint32_t (&b_small)[N][2]) {
  BRAINCAM_UNROLL
  for (int m = 0; m < M; ++m) {
    BRAINCAM_UNROLL
    for (int n = 0; n < N; ++n) {
      mma_tf32_m16n8k8(d[m][n], a_small[m], b_big[n]);
      mma_tf32_m16n8k8(d[m][n], a_big[m], b_small[n]);
      mma_tf32_m16n8k8(d[m][n], a_big[m], b_big[n]);
    }
  }
}

}  // namespace
}  // namespace braincam::cuda

#else  // the emulator

#include <stdexcept>

namespace braincam::cuda {
namespace simt_emulation {

// One lane's fragments of a tile of M x N multiply-adds: d[m][n] (4 floats each) += the products
// a[p][m] b[p][n] (4 and 2 registers each) for p < products, in turn.
struct MmaOperands {
  float* d;
  int M, N, products;
  const std::uint32_t* a[3];
  const std::uint32_t* b[3];
};

// The TF32 value of an operand register: its top 19 bits.
inline float tf32_operand(std::uint32_t bits) { return __uint_as_float(bits & ~0x1fffu); }

// The warp_combine of the multiply-adds: for each (m, n), gathers the accumulator from the
// lanes' fragments, adds each product's A B in turn (each sum in k order), and hands each lane
// its part of the result.
inline void mma_tf32_m16n8k8_warp(void* const* lanes) {
  const MmaOperands* op[32];
  for (int lane = 0; lane < 32; ++lane) {
    if (!lanes[lane])
      throw std::runtime_error("mma_tf32_m16n8k8: every lane of the warp must take part");
    op[lane] = static_cast<const MmaOperands*>(lanes[lane]);
  }
  const MmaOperands& shape = *op[0];
  for (int m = 0; m < shape.M; ++m)
    for (int n = 0; n < shape.N; ++n) {
      float D[16][8];
      const int tile = (m * shape.N + n) * 4;
      for (int lane = 0; lane < 32; ++lane)
        for (int i = 0; i < 4; ++i)
          D[mma_d_row(lane, i)][mma_d_column(lane, i)] = op[lane]->d[tile + i];
      for (int p = 0; p < shape.products; ++p) {
        float A[16][8], B[8][8];
        for (int lane = 0; lane < 32; ++lane) {
          for (int i = 0; i < 4; ++i)
            A[mma_a_row(lane, i)][mma_a_column(lane, i)] = tf32_operand(op[lane]->a[p][m * 4 + i]);
          for (int i = 0; i < 2; ++i)
            B[mma_b_row(lane, i)][mma_b_column(lane, i)] = tf32_operand(op[lane]->b[p][n * 2 + i]);
        }
        for (int row = 0; row < 16; ++row)
          for (int column = 0; column < 8; ++column)
            for (int k = 0; k < 8; ++k) D[row][column] += A[row][k] * B[k][column];
      }
      for (int lane = 0; lane < 32; ++lane)
        for (int i = 0; i < 4; ++i)
          op[lane]->d[tile + i] = D[mma_d_row(lane, i)][mma_d_column(lane, i)];
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
  simt_emulation::MmaOperands mine{d, 1, 1, 1, {a}, {b}};
  emulator::warp_combine(0xffffffffu, &mine, simt_emulation::mma_tf32_m16n8k8_warp);
}

template <int M, int N>
void mma_3xtf32_tile(float (&d)[M][N][4], const std::uint32_t (&a_big)[M][4],
                     const std::uint32_t (&a_small)[M][4], const std::uint32_t (&b_big)[N][2],
                     const std::uint32_t (&b_small)[N][2]) {
  simt_emulation::MmaOperands mine{&d[0][0][0],
                                   M,
                                   N,
                                   3,
                                   {&a_small[0][0], &a_big[0][0], &a_big[0][0]},
                                   {&b_big[0][0], &b_small[0][0], &b_big[0][0]}};
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
