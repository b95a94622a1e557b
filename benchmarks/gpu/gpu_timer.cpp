#include "benchmarks/gpu/gpu_timer.h"

#include <algorithm>
#include <vector>

#include "engine/cuda/check.h"

namespace braincam::bench {

double median_ms(cudaStream_t stream, int warmup, int reps,
                 const std::function<void(int rep)>& body) {
  for (int i = 0; i < warmup; ++i) body(i);
  cudaEvent_t start, stop;
  BRAINCAM_CUDA_CHECK(cudaEventCreate(&start));
  BRAINCAM_CUDA_CHECK(cudaEventCreate(&stop));
  std::vector<float> ms(reps);
  for (int i = 0; i < reps; ++i) {
    BRAINCAM_CUDA_CHECK(cudaEventRecord(start, stream));
    body(warmup + i);
    BRAINCAM_CUDA_CHECK(cudaEventRecord(stop, stream));
    BRAINCAM_CUDA_CHECK(cudaEventSynchronize(stop));
    BRAINCAM_CUDA_CHECK(cudaEventElapsedTime(&ms[i], start, stop));
  }
  BRAINCAM_CUDA_CHECK(cudaEventDestroy(start));
  BRAINCAM_CUDA_CHECK(cudaEventDestroy(stop));
  std::nth_element(ms.begin(), ms.begin() + reps / 2, ms.end());
  return ms[reps / 2];
}

int rotation_sets(std::size_t bytes) {
  int device = 0, l2 = 0;
  BRAINCAM_CUDA_CHECK(cudaGetDevice(&device));
  BRAINCAM_CUDA_CHECK(cudaDeviceGetAttribute(&l2, cudaDevAttrL2CacheSize, device));
  const std::size_t wanted =
      (3 * static_cast<std::size_t>(l2) + bytes - 1) / std::max<std::size_t>(bytes, 1);
  return static_cast<int>(std::clamp<std::size_t>(wanted, 2, 32));
}

}  // namespace braincam::bench
