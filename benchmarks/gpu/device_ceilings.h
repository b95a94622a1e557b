#pragma once
// The card's measured ceilings, against which every kernel's throughput is read: float32 FMA
// throughput (independent FMA chains in every thread of a full grid) and DRAM copy bandwidth
// (a grid-stride float4 copy of 512 MiB, read plus written bytes).
#include <cuda_runtime.h>

namespace braincam::bench {

struct DeviceCeilings {
  double fma_gflop_per_s;  // 2 flops per FMA
  double copy_gb_per_s;    // bytes read + bytes written, 1e9 bytes per GB
};

DeviceCeilings measure_ceilings(cudaStream_t stream, int reps);

// Fills p[0..n) with uniform values in [lo, hi) from a hash of (seed, index), on the GPU.
void fill_uniform(float* p, long n, unsigned seed, float lo, float hi, cudaStream_t stream);

}  // namespace braincam::bench
