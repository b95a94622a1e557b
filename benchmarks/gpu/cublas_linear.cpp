#include "benchmarks/gpu/cublas_linear.h"

#include "engine/cuda/check.h"

namespace braincam::bench {

namespace {
const float kOne = 1.0f, kZero = 0.0f;
}

Cublas::Cublas(cudaStream_t stream) {
  BRAINCAM_CUDA_CHECK(cublasCreate(&handle_));
  BRAINCAM_CUDA_CHECK(cublasSetStream(handle_, stream));
  BRAINCAM_CUDA_CHECK(cublasSetMathMode(handle_, CUBLAS_DEFAULT_MATH));  // no TF32
}

Cublas::~Cublas() { cublasDestroy(handle_); }

// Row-major x (N x In) is the column-major In x N matrix with leading dimension In.
LibraryCall linear_forward(Cublas& blas, int N, int In, const std::vector<const float*>& x,
                           const float* w, const std::vector<float*>& z) {
  const cublasHandle_t h = blas.handle();
  return {[=](int rep) {
            const std::size_t i = rep % x.size();
            BRAINCAM_CUDA_CHECK(
                cublasSgemv(h, CUBLAS_OP_T, In, N, &kOne, x[i], In, w, 1, &kZero, z[i], 1));
          },
          "cublasSgemv"};
}

LibraryCall linear_backward(Cublas& blas, int N, int In, const std::vector<const float*>& x,
                            const float* w, const std::vector<const float*>& dz,
                            const std::vector<float*>& dx, float* dw) {
  const cublasHandle_t h = blas.handle();
  return {[=](int rep) {
            const std::size_t i = rep % x.size();
            BRAINCAM_CUDA_CHECK(
                cublasSgemv(h, CUBLAS_OP_N, In, N, &kOne, x[i], In, dz[i], 1, &kZero, dw, 1));
            BRAINCAM_CUDA_CHECK(cublasSgemm(h, CUBLAS_OP_N, CUBLAS_OP_N, In, N, 1, &kOne, w, In,
                                            dz[i], 1, &kZero, dx[i], In));
          },
          "cublasSgemv (dw) + cublasSgemm k=1 (dx)"};
}

}  // namespace braincam::bench
