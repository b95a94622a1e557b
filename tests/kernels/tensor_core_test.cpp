// tensor_core.h's primitives on the emulator and the GPU (kernels/cuda/tensor_core_probe.h): one
// warp's TF32 multiply-add against the matrix product, and the rounding to TF32 against its
// definition. On a GPU these check the fragment places and the rounding that the emulator copies
// from the PTX ISA.
#include <catch2/catch.hpp>
#include <cmath>
#include <random>
#include <vector>

#include "kernels/cuda/tensor_core_probe.h"
#include "tests/kernels/kernel_test_support.h"

namespace braincam::test {
namespace {

template <class Set>
void check_product() {
  // Small integers: TF32 holds them, and every sum is exact in any order, so the result is the
  // product itself whatever order the hardware adds in; a lane reading or writing the wrong place
  // gives another number.
  std::mt19937 rng(5);
  std::uniform_int_distribution<int> small(-50, 50);
  std::vector<float> A(16 * 8), B(8 * 8), C(16 * 8);
  for (std::vector<float>* m : {&A, &B, &C})
    for (float& v : *m) v = static_cast<float>(small(rng));
  const Tensor a = on_device<Set>(A), b = on_device<Set>(B), c = on_device<Set>(C);
  Tensor d = on_device<Set>(std::vector<float>(16 * 8, kPoison));
  cuda::tensor_core_product<Set>(d.data<float>(), a.data<float>(), b.data<float>(), c.data<float>(),
                                 stream_of<Set>());
  const std::vector<float> D = on_host<Set, float>(d);
  for (int row = 0; row < 16; ++row)
    for (int column = 0; column < 8; ++column) {
      float want = C[row * 8 + column];
      for (int k = 0; k < 8; ++k) want += A[row * 8 + k] * B[k * 8 + column];
      INFO("D[" << row << "][" << column << "]");
      CHECK(D[row * 8 + column] == want);
    }
}

// x rounded to 10 mantissa bits, to nearest, ties away from zero (x finite and normal).
float tf32_definition(float x) {
  const double unit = std::ldexp(1.0, std::ilogb(x) - 10);
  return static_cast<float>(std::copysign(std::floor(std::fabs(x) / unit + 0.5) * unit, x));
}

template <class Set>
void check_rounding() {
  const float step = std::ldexp(1.0f, -10);  // TF32's unit in the last place at 1
  std::vector<float> x = {1.0f,
                          1.0f + step / 4,
                          1.0f + step / 2,     // a tie goes away from zero
                          -(1.0f + step / 2),  // in both directions
                          1.0f + 3 * step / 4,
                          2.0f - step / 4,  // the carry reaches the exponent
                          INFINITY,
                          NAN};
  const std::vector<float> want = {1.0f, 1.0f, 1.0f + step, -(1.0f + step), 1.0f + step, 2.0f};
  std::mt19937 rng(6);
  std::uniform_real_distribution<float> any(-1000.0f, 1000.0f);
  for (int i = 0; i < 1000; ++i) x.push_back(any(rng));
  const Tensor in = on_device<Set>(x);
  Tensor out = on_device<Set>(std::vector<float>(x.size(), kPoison));
  cuda::tf32_round_values<Set>(out.data<float>(), in.data<float>(), static_cast<long>(x.size()),
                               stream_of<Set>());
  const std::vector<float> rounded = on_host<Set, float>(out);
  for (std::size_t i = 0; i < want.size(); ++i) CHECK(rounded[i] == want[i]);
  CHECK(std::isinf(rounded[6]));
  CHECK(std::isnan(rounded[7]));
  for (std::size_t i = 8; i < x.size(); ++i) {
    INFO("x = " << x[i]);
    CHECK(rounded[i] == tf32_definition(x[i]));
  }
}

TEST_CASE("tensor cores: the emulator's TF32 multiply-add is the matrix product",
          "[tensor_core][emulator]") {
  check_product<cuda::Emulated>();
}

TEST_CASE("tensor cores: the emulator rounds to TF32 as defined", "[tensor_core][emulator]") {
  check_rounding<cuda::Emulated>();
}

TEST_CASE("tensor cores: the GPU's TF32 multiply-add and rounding are as defined",
          "[tensor_core][gpu]") {
  on_gpu([]<class Set>() {
    check_product<Set>();
    check_rounding<Set>();
  });
}

}  // namespace
}  // namespace braincam::test
