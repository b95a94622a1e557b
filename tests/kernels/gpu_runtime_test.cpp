// The engine's GPU runtime: availability, checked calls, device memory, reading results back. On
// a machine without a GPU, availability must answer without crashing; the tests that need a GPU
// say they are skipped.
#include <catch2/catch.hpp>
#include <optional>
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

TEST_CASE("gpu: available() answers without crashing, with a reason when it is no",
          "[gpu_runtime]") {
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
  CHECK_THROWS_WITH(
      [] { BRAINCAM_CUDA_CHECK(cudaSetDevice(-1)); }(),
      Catch::Contains("cudaSetDevice(-1) failed: ") && Catch::Contains("gpu_runtime_test.cpp:"));
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

// A Readback of a kernel's output, read after more work is queued that allocates blocks of the
// same size and writes other values: it reads the output, on every device (on the GPU through
// the side stream, while the later work may still run). The Readback alone keeps the output.
void check_readback(Device device) {
  constexpr int n = 1 << 20;
  std::mt19937 rng(3);
  const std::vector<float> values = random_floats(n, rng);
  Tensor host({n}, DType::F32);
  std::copy(values.begin(), values.end(), host.data<float>());
  const Var x(host.to(device));
  std::optional<Readback> readback;
  {
    const Var y = relu(x);
    readback.emplace(std::vector<Tensor>{y.value()});
  }
  for (int i = 0; i < 4; ++i) relu(Var(Tensor::full({n}, 7.0 + i, DType::F32, device)));
  const std::vector<Tensor> read = readback->read();
  REQUIRE(read.size() == 1);
  CHECK(read[0].device() == Device::CPU);
  const float* got = read[0].data<float>();
  for (int i = 0; i < n; ++i)
    if (got[i] != std::max(values[i], 0.0f)) FAIL("element " << i << ": " << got[i]);
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
