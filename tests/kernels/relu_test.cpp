// The ReLU kernels against the CPU reference: bitwise equal, every output written.
#include "kernels/cpu/relu.h"

#include "kernels/bounds/relu.h"
#include "kernels/cuda/relu.h"
#include "tests/kernels/kernel_test_support.h"

namespace braincam::test {
namespace {

static_assert(bounds::relu::kBound.bitwise());

template <class Set>
void check_relu(long n, unsigned seed) {
  std::mt19937 rng(seed);
  std::vector<float> x = random_floats(n, rng), dy = random_floats(n, rng);
  if (n > 2) x[0] = 0.0f, x[1] = -0.0f;  // the gradient at 0 is 0
  std::vector<float> y_ref(n), dx_ref(n);
  cpu::relu_forward<float>(y_ref.data(), x.data(), n);
  cpu::relu_backward<float>(dx_ref.data(), dy.data(), y_ref.data(), n);

  Tensor X = on_device<Set>(x), DY = on_device<Set>(dy);
  Tensor Y = on_device<Set>(std::vector<float>(n, kPoison));
  Tensor DX = on_device<Set>(std::vector<float>(n, kPoison));
  cuda::relu_forward<Set>(Y.data<float>(), X.data<float>(), n, stream_of<Set>());
  cuda::relu_backward<Set>(DX.data<float>(), DY.data<float>(), Y.data<float>(), n,
                           stream_of<Set>());
  require_identical(on_host<Set, float>(Y), y_ref, "y");
  require_identical(on_host<Set, float>(DX), dx_ref, "dx");
}

template <class Set>
void check_relu_sizes() {
  for (long n : {0L, 1L, 7L, 1000L, 262145L}) {  // the last one needs the grid-stride loop
    INFO("n = " << n);
    check_relu<Set>(n, static_cast<unsigned>(n) + 1);
  }
}

TEST_CASE("relu: emulator matches the CPU reference bitwise", "[relu][emulator]") {
  check_relu_sizes<cuda::Emulated>();
}

TEST_CASE("relu: GPU matches the CPU reference bitwise", "[relu][gpu]") {
  on_gpu([]<class Set>() { check_relu_sizes<Set>(); });
}

}  // namespace
}  // namespace braincam::test
