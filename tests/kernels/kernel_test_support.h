#pragma once
// Helpers of the kernel tests: random inputs, poisoned outputs, buffers on the device of a kernel
// set, the GPU-or-skip wrapper, and comparisons against the CPU reference.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <type_traits>
#include <vector>

#include "engine/device_memory.h"
#include "engine/gpu_runtime.h"
#include "engine/tensor.h"
#include "kernels/bounds/rounding.h"
#include "kernels/cuda/kernel_set.h"

namespace braincam::test {

inline constexpr float kPoison = std::numeric_limits<float>::quiet_NaN();

inline std::vector<float> random_floats(std::size_t n, std::mt19937& rng, float lo = -1.0f,
                                        float hi = 1.0f) {
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> v(n);
  for (float& x : v) x = dist(rng);
  return v;
}

inline std::vector<double> widened(const std::vector<float>& v) { return {v.begin(), v.end()}; }

inline std::vector<double> magnitudes(const std::vector<float>& v) {
  std::vector<double> m(v.size());
  std::transform(v.begin(), v.end(), m.begin(), [](float x) { return std::fabs(double{x}); });
  return m;
}

template <class Set>
constexpr Device device_of() {
  return std::is_same_v<Set, cuda::Gpu> ? Device::CUDA : Device::Emulator;
}

template <class Set>
cuda::Stream stream_of() {
  if constexpr (std::is_same_v<Set, cuda::Gpu>) return gpu::stream();
  return nullptr;
}

// A copy of `values` on the device of kernel set Set (host memory for the emulator).
template <class Set, class T>
Tensor on_device(const std::vector<T>& values) {
  Tensor host({static_cast<std::int64_t>(values.size())}, dtype_of<T>(), Device::CPU);
  std::copy(values.begin(), values.end(), host.data<T>());
  return host.to(device_of<Set>());
}

// The values of a tensor after the kernels launched on the kernel set Set have run.
template <class Set, class T>
std::vector<T> on_host(const Tensor& t) {
  if constexpr (std::is_same_v<Set, cuda::Gpu>) gpu::check_launch("kernel test");
  const Tensor host = t.to(Device::CPU);
  return {host.data<T>(), host.data<T>() + host.numel()};
}

// Runs body.template operator()<cuda::Gpu>() when there is a GPU. Otherwise the test says it is
// skipped, and CTest reports it as skipped (tests/kernels/CMakeLists.txt): it never passes
// silently.
template <class Body>
void on_gpu(Body&& body) {
#if BRAINCAM_HAVE_CUDA
  if (gpu::available()) {
    body.template operator()<cuda::Gpu>();
    return;
  }
#endif
  WARN("skipped: no GPU: " << gpu::unavailable_reason());
}

// Bitwise equality, NaN poison included.
template <class T>
void require_identical(const std::vector<T>& got, const std::vector<T>& want, const char* what) {
  REQUIRE(got.size() == want.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    if (std::memcmp(&got[i], &want[i], sizeof(T)) == 0) continue;
    FAIL(what << "[" << i << "]: got " << got[i] << ", want " << want[i]);
  }
}

// |got - want| <= tolerance elementwise; a NaN (an element never written) always fails.
inline void require_close(const std::vector<float>& got, const std::vector<double>& want,
                          const std::vector<double>& tolerance, const char* what) {
  REQUIRE(got.size() == want.size());
  double worst = 0.0;
  for (std::size_t i = 0; i < got.size(); ++i) {
    const double error = std::fabs(double{got[i]} - want[i]);
    if (!(error <= tolerance[i]))
      FAIL(what << "[" << i << "]: got " << got[i] << ", want " << want[i] << ", error " << error
                << " over the tolerance " << tolerance[i]);
    worst = std::max(worst, error);
  }
  INFO(what << ": worst absolute error " << worst);
  SUCCEED();
}

// The tolerance of a float32 sum of products whose longest chain of roundings is `chain`
// operations (kernels/bounds/rounding.h): chain * u * sum |terms| bounds the error (to first
// order), doubled for margin.
inline std::vector<double> sum_tolerance(const std::vector<double>& abs_sums, double chain) {
  std::vector<double> t(abs_sums.size());
  std::transform(abs_sums.begin(), abs_sums.end(), t.begin(),
                 [&](double s) { return 2.0 * chain * bounds::kUnitRoundoff * s + 1e-30; });
  return t;
}

}  // namespace braincam::test
