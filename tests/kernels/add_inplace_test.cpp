// The add_inplace kernel against the CPU reference: bitwise equal, every element updated.
#include "kernels/cpu/add_inplace.h"

#include "kernels/bounds/add_inplace.h"
#include "kernels/cuda/add_inplace.h"
#include "tests/kernels/kernel_test_support.h"

namespace braincam::test {
namespace {

static_assert(bounds::add_inplace::kBound.bitwise());

template <class Set>
void check_add_inplace() {
  for (long n : {0L, 1L, 33L, 262145L}) {
    INFO("n = " << n);
    std::mt19937 rng(static_cast<unsigned>(n));
    std::vector<float> dst = random_floats(n, rng), src = random_floats(n, rng);
    std::vector<float> want = dst;
    cpu::add_inplace<float>(want.data(), src.data(), n);
    Tensor D = on_device<Set>(dst), S = on_device<Set>(src);
    cuda::add_inplace<Set>(D.data<float>(), S.data<float>(), n, stream_of<Set>());
    require_identical(on_host<Set, float>(D), want, "dst");
  }
}

TEST_CASE("add_inplace: emulator matches the CPU reference bitwise", "[add_inplace][emulator]") {
  check_add_inplace<cuda::Emulated>();
}

TEST_CASE("add_inplace: GPU matches the CPU reference bitwise", "[add_inplace][gpu]") {
  on_gpu([]<class Set>() { check_add_inplace<Set>(); });
}

}  // namespace
}  // namespace braincam::test
