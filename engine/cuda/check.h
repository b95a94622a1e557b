#pragma once
// BRAINCAM_CUDA_CHECK(call): runs a CUDA runtime, cuBLAS or cuDNN call and throws
// std::runtime_error naming the call, its error, the file and the line when it fails:
//
//   BRAINCAM_CUDA_CHECK(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToHost, s));
//   -> "cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToHost, s) failed:
//       invalid argument (cudaErrorInvalidValue) at engine/cuda/stream.cpp:41"
#include <cublas_v2.h>
#include <cuda_runtime.h>
#include <cudnn.h>

#include <string>

namespace braincam::gpu {

// The error of a failed status, in words; empty for success.
inline std::string status_error(cudaError_t status) {
  if (status == cudaSuccess) return {};
  // A failed runtime call also records the error as "last error"; clear it so that the next
  // launch check does not report it again.
  cudaGetLastError();
  return std::string(cudaGetErrorString(status)) + " (" + cudaGetErrorName(status) + ")";
}
inline std::string status_error(cublasStatus_t status) {
  if (status == CUBLAS_STATUS_SUCCESS) return {};
  return std::string(cublasGetStatusString(status)) + " (" + cublasGetStatusName(status) + ")";
}
inline std::string status_error(cudnnStatus_t status) {
  if (status == CUDNN_STATUS_SUCCESS) return {};
  return cudnnGetErrorString(status);
}

[[noreturn]] void throw_call_error(const char* call, const std::string& error, const char* file,
                                   int line);

}  // namespace braincam::gpu

#define BRAINCAM_CUDA_CHECK(call)                                                    \
  do {                                                                               \
    const std::string braincam_error_ = ::braincam::gpu::status_error(call);         \
    if (!braincam_error_.empty())                                                    \
      ::braincam::gpu::throw_call_error(#call, braincam_error_, __FILE__, __LINE__); \
  } while (0)
