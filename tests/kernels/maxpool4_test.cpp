// The 4x4 max pooling kernels against the CPU reference: values, winners (ties included: the
// first maximum wins) and gradients bitwise equal, every output written.
#include "kernels/cpu/maxpool4.h"

#include "kernels/bounds/maxpool4.h"
#include "kernels/cuda/maxpool4.h"
#include "tests/kernels/kernel_test_support.h"

namespace braincam::test {
namespace {

static_assert(bounds::maxpool4::kBound.bitwise());

struct PoolShape {
  int NC, H, W;
};

template <class Set>
void check_maxpool4(PoolShape s, unsigned seed) {
  INFO("NC=" << s.NC << " H=" << s.H << " W=" << s.W);
  std::mt19937 rng(seed);
  const long in = static_cast<long>(s.NC) * s.H * s.W, out = in / 16;
  // Few distinct values, so that most windows hold a tie for the maximum.
  std::vector<float> x(in);
  std::uniform_int_distribution<int> level(-2, 2);
  for (float& v : x) v = static_cast<float>(level(rng));
  const std::vector<float> dy = random_floats(out, rng);
  std::vector<float> y_ref(out), dx_ref(in);
  std::vector<std::int32_t> argmax_ref(out);
  cpu::maxpool4_forward<float>(y_ref.data(), argmax_ref.data(), x.data(), s.NC, s.H, s.W);
  cpu::maxpool4_backward<float>(dx_ref.data(), dy.data(), argmax_ref.data(), s.NC, s.H, s.W);

  Tensor X = on_device<Set>(x), DY = on_device<Set>(dy);
  Tensor Y = on_device<Set>(std::vector<float>(out, kPoison));
  Tensor A = on_device<Set>(std::vector<std::int32_t>(out, -1));
  Tensor DX = on_device<Set>(std::vector<float>(in, kPoison));
  const cuda::Stream stream = stream_of<Set>();
  cuda::maxpool4_forward<Set>(Y.data<float>(), A.data<std::int32_t>(), X.data<float>(), s.NC, s.H,
                              s.W, stream);
  cuda::maxpool4_backward<Set>(DX.data<float>(), DY.data<float>(), A.data<std::int32_t>(), s.NC,
                               s.H, s.W, stream);
  require_identical(on_host<Set, float>(Y), y_ref, "y");
  require_identical(on_host<Set, std::int32_t>(A), argmax_ref, "argmax");
  require_identical(on_host<Set, float>(DX), dx_ref, "dx");

  // Without argmax (inference): the same values.
  Tensor Y2 = on_device<Set>(std::vector<float>(out, kPoison));
  cuda::maxpool4_forward<Set>(Y2.data<float>(), nullptr, X.data<float>(), s.NC, s.H, s.W, stream);
  require_identical(on_host<Set, float>(Y2), y_ref, "y without argmax");
}

template <class Set>
void check_maxpool4_shapes() {
  unsigned seed = 1;
  for (PoolShape s :
       {PoolShape{1, 4, 4}, PoolShape{3, 12, 20}, PoolShape{33 * 2, 8, 12}, PoolShape{5, 60, 60}})
    check_maxpool4<Set>(s, seed++);
}

TEST_CASE("maxpool4: emulator matches the CPU reference bitwise", "[maxpool4][emulator]") {
  check_maxpool4_shapes<cuda::Emulated>();
}

TEST_CASE("maxpool4: GPU matches the CPU reference bitwise", "[maxpool4][gpu]") {
  on_gpu([]<class Set>() { check_maxpool4_shapes<Set>(); });
}

}  // namespace
}  // namespace braincam::test
