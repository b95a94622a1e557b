#pragma once
// Deterministic reductions over the threads of a warp or of a one-dimensional block, for the
// kernel sources. The order of the operations is fixed by the lane and warp numbers, never by
// timing, so the result has the same bits on every run: a warp reduces by a shuffle tree, then
// every thread combines the warp results in warp order.
#include "kernels/cuda/simt.h"

namespace braincam::cuda {

#ifndef __CUDACC__
namespace simt_emulation {
// warp_reduce's shuffle tree for all 32 lanes at once: each step, every lane combines its value
// with that of the lane `offset` above it (its own where there is none, as __shfl_down_sync
// gives it), so every lane ends with the bits the shuffles give it on a GPU.
template <class T, class Op>
void reduce_lanes(void* const* lanes) {
  T values[32], next[32];
  for (int l = 0; l < 32; ++l) values[l] = *static_cast<T*>(lanes[l]);
  for (int offset = 16; offset > 0; offset /= 2) {
    for (int l = 0; l < 32; ++l)
      next[l] = Op{}(values[l], values[l + offset < 32 ? l + offset : l]);
    std::copy(next, next + 32, values);
  }
  for (int l = 0; l < 32; ++l) *static_cast<T*>(lanes[l]) = values[l];
}
}  // namespace simt_emulation
#endif

namespace {

constexpr unsigned kFullWarp = 0xffffffffu;

struct Sum {
  template <class T>
  __device__ T operator()(T a, T b) const {
    return a + b;
  }
};
struct Max {
  template <class T>
  __device__ T operator()(T a, T b) const {
    return b > a ? b : a;
  }
};

// The first maximum: the largest value, and among equal values the smallest index.
struct ValueIndex {
  float value;
  int index;
};
struct FirstMax {
  __device__ ValueIndex operator()(ValueIndex a, ValueIndex b) const {
    return b.value > a.value || (b.value == a.value && b.index < a.index) ? b : a;
  }
};

template <class T>
__device__ __forceinline__ T shuffle_down(T value, int offset) {
  return __shfl_down_sync(kFullWarp, value, offset);
}
// CUDA shuffles only scalars: a pair goes as two.
__device__ __forceinline__ ValueIndex shuffle_down(ValueIndex v, int offset) {
  return {__shfl_down_sync(kFullWarp, v.value, offset),
          __shfl_down_sync(kFullWarp, v.index, offset)};
}

// The value of lane (this lane ^ lanes). A pair travels as one 64-bit word: two 32-bit shuffles on
// the GPU either way, one warp collective instead of two in the emulator.
__device__ __forceinline__ ValueIndex shuffle_xor(ValueIndex v, int lanes) {
  const unsigned long long word = static_cast<unsigned long long>(static_cast<unsigned>(v.index))
                                      << 32 |
                                  __float_as_uint(v.value);
  const unsigned long long other = __shfl_xor_sync(kFullWarp, word, lanes);
  return {__uint_as_float(static_cast<unsigned>(other)), static_cast<int>(other >> 32)};
}

// Lane 0 gets op over the 32 lanes' values (the other lanes get partial results). Every lane of
// the warp must call it. The emulator runs the whole tree as one warp collective instead of five
// shuffles (ten for a pair): the same results, a fifth of the fiber switches.
template <class T, class Op>
__device__ __forceinline__ T warp_reduce(T value, Op op) {
#ifdef __CUDACC__
  for (int offset = 16; offset > 0; offset /= 2) value = op(value, shuffle_down(value, offset));
#else
  emulator::warp_combine(kFullWarp, &value, simt_emulation::reduce_lanes<T, Op>);
#endif
  return value;
}

// Every thread of the block gets op over all threads' values. kThreads = blockDim.x, a multiple
// of 32. Ends with a barrier, so a block may reduce again right away; every thread must call it.
template <int kThreads, class T, class Op>
__device__ T block_reduce(T value, Op op) {
  static_assert(kThreads % 32 == 0 && kThreads <= 1024, "whole warps, at most 1024 threads");
  constexpr int kWarps = kThreads / 32;
  BRAINCAM_SHARED(T, warp_totals, kWarps);
  value = warp_reduce(value, op);
  if (threadIdx.x % 32 == 0) warp_totals[threadIdx.x / 32] = value;
  __syncthreads();
  T total = warp_totals[0];
  for (int w = 1; w < kWarps; ++w) total = op(total, warp_totals[w]);
  __syncthreads();  // warp_totals is free again
  return total;
}

template <int kThreads, class T>
__device__ T block_sum(T value) {
  return block_reduce<kThreads>(value, Sum{});
}

// totals[s] = the sum over the block's threads of values[s], for s < kCount, in a fixed order: a
// float shuffle tree per warp, then the warp totals in warp order in double; on return every
// thread sees all totals.
// totals must be shared memory of kCount doubles; every thread must call it.
template <int kThreads, int kCount>
__device__ void block_sum_each(double* totals, const float (&values)[kCount]) {
  static_assert(kThreads % 32 == 0 && kThreads <= 1024, "whole warps, at most 1024 threads");
  constexpr int kWarps = kThreads / 32;
  BRAINCAM_SHARED(float, warp_totals, kCount* kWarps);  // [value][warp]
  BRAINCAM_UNROLL
  for (int s = 0; s < kCount; ++s) {
    const float total = warp_reduce(values[s], Sum{});
    if (threadIdx.x % 32 == 0) warp_totals[s * kWarps + threadIdx.x / 32] = total;
  }
  __syncthreads();
  for (int s = threadIdx.x; s < kCount; s += kThreads) {
    double total = 0.0;
    for (int w = 0; w < kWarps; ++w) total += warp_totals[s * kWarps + w];
    totals[s] = total;
  }
  __syncthreads();
}

}  // namespace
}  // namespace braincam::cuda
