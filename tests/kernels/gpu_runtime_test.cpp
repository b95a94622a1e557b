// The engine's GPU runtime: availability, checked calls, device memory, reading results back. On
// a machine without a GPU, availability must answer without crashing; the tests that need a GPU
// say they are skipped.
#include <catch2/catch.hpp>

#include <stdexcept>

#include "engine/device_memory.h"
#include "engine/ops.h"
#include "engine/readback.h"
#include "engine/tensor.h"
#include "tests/kernels/kernel_test_support.h"

#if BRAINCAM_HAVE_CUDA
#include "engine/cuda/check.h"
#endif

namespace braincam::test {
namespace {

TEST_CASE("gpu: available() answers without crashing, with a reason when it is no", "[gpu_runtime]") {
  const bool available = gpu::available();
  CHECK(available == gpu::available());  // asking twice is fine
  if (!available) {
    CHECK_FALSE(gpu::unavailable_reason().empty());
    CHECK_THROWS_AS(Tensor({4}, DType::F32, Device::CUDA), std::runtime_error);
  }
}

#if BRAINCAM_HAVE_CUDA
TEST_CASE("gpu: BRAINCAM_CUDA_CHECK names the call, its error, the file and the line",
          "[gpu_runtime]") {
  // Fails with or without a GPU: there is no device -1.
  CHECK_THROWS_WITH([] { BRAINCAM_CUDA_CHECK(cudaSetDevice(-1)); }(),
                    Catch::Contains("cudaSetDevice(-1) failed: ") &&
                        Catch::Contains("gpu_runtime_test.cpp:"));
  // With a GPU the failure is not left behind for the next launch check. (Without a driver every
  // call, cudaGetLastError included, reports the missing driver.)
  if (gpu::available()) CHECK(cudaGetLastError() == cudaSuccess);
  CHECK_THROWS_WITH([] { BRAINCAM_CUDA_CHECK(cublasStatus_t{CUBLAS_STATUS_NOT_INITIALIZED}); }(),
                    Catch::Contains("CUBLAS_STATUS_NOT_INITIALIZED"));
  CHECK_THROWS_WITH([] { BRAINCAM_CUDA_CHECK(cudnnStatus_t{CUDNN_STATUS_BAD_PARAM}); }(),
                    Catch::Contains("CUDNN_STATUS_BAD_PARAM"));
  CHECK_NOTHROW([] { BRAINCAM_CUDA_CHECK(cudaError_t{cudaSuccess}); }());
}
#endif

TEST_CASE("gpu: the caching allocator reuses freed blocks and reports running out clearly",
          "[gpu]") {
  on_gpu([]<class>() {
    void* first = gpu::allocate(1000);
    gpu::release(first, 1000);
    void* again = gpu::allocate(900);  // the same 1024-byte size class
    CHECK(again == first);
    gpu::release(again, 900);
    CHECK_THROWS_WITH(gpu::allocate(std::size_t{1} << 50), Catch::Contains("out of GPU memory"));
  });
}

// A Readback made before more work is queued reads the values of its point in the queue, on
// every device: on the GPU through the side stream, while the later work may still run.
void check_readback(Device device) {
  Tensor values = Tensor::from_vector({4}, {1.5, -2, 3, 0.25}, DType::F32).to(device);
  const Readback readback({values});
  Var x(values), y = relu(x);  // queued after the point; writes another tensor
  const std::vector<Tensor> read = readback.read();
  REQUIRE(read.size() == 1);
  CHECK(read[0].device() == Device::CPU);
  CHECK(read[0].to_vector() == std::vector<double>{1.5, -2, 3, 0.25});
  CHECK(y.value().to_vector() == std::vector<double>{1.5, 0, 3, 0.25});
}

TEST_CASE("readback: values read on the host, on the CPU and the emulator", "[gpu_runtime]") {
  check_readback(Device::CPU);
  check_readback(Device::Emulator);
}

TEST_CASE("readback: values read on the host while later work is queued, on the GPU", "[gpu]") {
  on_gpu([]<class>() { check_readback(Device::CUDA); });
}

}  // namespace
}  // namespace braincam::test
