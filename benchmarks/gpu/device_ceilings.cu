#include "benchmarks/gpu/device_ceilings.h"
#include "benchmarks/gpu/gpu_timer.h"
#include "engine/cuda/check.h"

namespace braincam::bench {

namespace {

constexpr int kChains = 8, kIterations = 4096, kThreads = 256;

// kChains independent FMA chains per thread hide the FMA latency; the result is stored only
// when impossible, so that the compiler keeps the arithmetic but the stores cost nothing.
__global__ void fma_kernel(float* out, float a, float b) {
  float acc[kChains];
#pragma unroll
  for (int c = 0; c < kChains; ++c) acc[c] = threadIdx.x + c;
  for (int i = 0; i < kIterations; ++i) {
#pragma unroll
    for (int c = 0; c < kChains; ++c) acc[c] = fmaf(acc[c], a, b);
  }
  float sum = 0;
#pragma unroll
  for (int c = 0; c < kChains; ++c) sum += acc[c];
  if (sum == 1.2345f) out[blockIdx.x * blockDim.x + threadIdx.x] = sum;
}

__global__ void copy_kernel(float4* __restrict__ dst, const float4* __restrict__ src, long n) {
  for (long i = blockIdx.x * static_cast<long>(blockDim.x) + threadIdx.x; i < n;
       i += static_cast<long>(gridDim.x) * blockDim.x)
    dst[i] = src[i];
}

__global__ void fill_kernel(float* p, long n, unsigned seed, float lo, float hi) {
  for (long i = blockIdx.x * static_cast<long>(blockDim.x) + threadIdx.x; i < n;
       i += static_cast<long>(gridDim.x) * blockDim.x) {
    unsigned h = static_cast<unsigned>(i) * 0x9E3779B1u ^ seed * 0x85EBCA6Bu ^
                 static_cast<unsigned>(i >> 32);
    h ^= h >> 16;
    h *= 0x7FEB352Du;
    h ^= h >> 15;
    h *= 0x846CA68Bu;
    h ^= h >> 16;
    p[i] = lo + (hi - lo) * (h >> 8) * 0x1p-24f;
  }
}

int sm_count() {
  int device = 0, sms = 0;
  BRAINCAM_CUDA_CHECK(cudaGetDevice(&device));
  BRAINCAM_CUDA_CHECK(cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, device));
  return sms;
}

}  // namespace

DeviceCeilings measure_ceilings(cudaStream_t stream, int reps) {
  const int blocks = sm_count() * 16;
  float* sink = nullptr;
  BRAINCAM_CUDA_CHECK(cudaMallocAsync(&sink, sizeof(float) * blocks * kThreads, stream));
  const double fma_ms = median_ms(stream, 3, reps, [&](int) {
    fma_kernel<<<blocks, kThreads, 0, stream>>>(sink, 0.999f, 0.001f);
  });
  const double flops = 2.0 * kChains * kIterations * static_cast<double>(blocks) * kThreads;

  constexpr long kBytes = 512L << 20;
  float4 *src = nullptr, *dst = nullptr;
  BRAINCAM_CUDA_CHECK(cudaMallocAsync(&src, kBytes, stream));
  BRAINCAM_CUDA_CHECK(cudaMallocAsync(&dst, kBytes, stream));
  fill_uniform(reinterpret_cast<float*>(src), kBytes / 4, 1, 0.0f, 1.0f, stream);
  const long n = kBytes / sizeof(float4);
  const double copy_ms = median_ms(
      stream, 3, reps, [&](int) { copy_kernel<<<sm_count() * 8, 512, 0, stream>>>(dst, src, n); });
  BRAINCAM_CUDA_CHECK(cudaGetLastError());
  BRAINCAM_CUDA_CHECK(cudaFreeAsync(sink, stream));
  BRAINCAM_CUDA_CHECK(cudaFreeAsync(src, stream));
  BRAINCAM_CUDA_CHECK(cudaFreeAsync(dst, stream));
  BRAINCAM_CUDA_CHECK(cudaStreamSynchronize(stream));
  return {flops / (fma_ms * 1e6), 2.0 * kBytes / (copy_ms * 1e6)};
}

void fill_uniform(float* p, long n, unsigned seed, float lo, float hi, cudaStream_t stream) {
  fill_kernel<<<sm_count() * 8, 256, 0, stream>>>(p, n, seed, lo, hi);
  BRAINCAM_CUDA_CHECK(cudaGetLastError());
}

}  // namespace braincam::bench
