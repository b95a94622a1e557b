#pragma once
// The cuBLAS equivalents of the model's fc layer (x: N x In row-major, w: 1 x In):
//   forward   z = x w^T                     cublasSgemv
//   backward  dw = dz^T x (cublasSgemv), dx = dz w (an outer product: cublasSgemm with k = 1)
// in strict FP32 (CUBLAS_DEFAULT_MATH). The bias (one value) is left out of both. Buffers are
// rotated by repetition, as in cudnn_baselines.h.
#include <cublas_v2.h>

#include <vector>

#include "benchmarks/gpu/cudnn_baselines.h"

namespace braincam::bench {

class Cublas {
 public:
  explicit Cublas(cudaStream_t stream);
  ~Cublas();
  Cublas(const Cublas&) = delete;
  Cublas& operator=(const Cublas&) = delete;
  cublasHandle_t handle() const { return handle_; }

 private:
  cublasHandle_t handle_ = nullptr;
};

LibraryCall linear_forward(Cublas& blas, int N, int In, const std::vector<const float*>& x,
                           const float* w, const std::vector<float*>& z);
LibraryCall linear_backward(Cublas& blas, int N, int In, const std::vector<const float*>& x,
                            const float* w, const std::vector<const float*>& dz,
                            const std::vector<float*>& dx, float* dw);

}  // namespace braincam::bench
