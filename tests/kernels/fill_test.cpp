// Filling device buffers (kernels/cuda/fill.cu), the device side of Tensor::fill: every element of
// every width gets the value's bytes, and nothing past the end is written.
#include "kernels/cuda/fill.h"

#include <catch2/catch.hpp>
#include <cstring>

#include "tests/kernels/kernel_test_support.h"

namespace braincam::test {
namespace {

template <class Element>
void check_width(Element value) {
  constexpr long n = 1000;  // not a multiple of the block
  std::vector<Element> buffer(n + 3, Element{42});
  std::uint64_t pattern = 0;
  std::memcpy(&pattern, &value, sizeof value);
  cuda::fill_elements<cuda::Emulated>(buffer.data(), pattern, sizeof(Element), n, nullptr);
  for (long i = 0; i < n; ++i) REQUIRE(std::memcmp(&buffer[i], &value, sizeof value) == 0);
  for (long i = n; i < n + 3; ++i) REQUIRE(buffer[i] == Element{42});
}

TEST_CASE("fill: the emulator sets every element of 1, 4 and 8 bytes", "[fill][emulator]") {
  check_width<std::uint8_t>(200);
  check_width<float>(-1.5f);
  check_width<double>(0.1);
  std::uint32_t word = 0;
  CHECK_THROWS_AS(cuda::fill_elements<cuda::Emulated>(&word, 1, 2, 1, nullptr),
                  std::invalid_argument);
}

TEST_CASE("fill: Tensor::full on the GPU", "[fill][gpu]") {
  on_gpu([]<class>() {
    for (DType dtype : {DType::F32, DType::F64, DType::I32, DType::I64, DType::U8}) {
      INFO(dtype_name(dtype));
      const Tensor t = Tensor::full({1001}, 7.0, dtype, Device::CUDA);
      CHECK(t.to_vector() == std::vector<double>(1001, 7.0));
    }
    CHECK(Tensor::zeros({3}, DType::F32, Device::CUDA).to_vector() == std::vector<double>(3, 0.0));
  });
}

}  // namespace
}  // namespace braincam::test
