// The binary cross-entropy kernels against the CPU reference run in double on the same float
// inputs, within the bounds of kernels/bounds/bce.h; outputs poisoned beforehand.
#include "kernels/cpu/bce.h"

#include "kernels/bounds/bce.h"
#include "kernels/cuda/bce.h"
#include "tests/kernels/kernel_test_support.h"

namespace braincam::test {
namespace {

template <class Set>
void check_bce(int N, unsigned seed) {
  INFO("N=" << N);
  std::mt19937 rng(seed);
  const std::vector<float> z = random_floats(N, rng, -8, 8), dloss{0.75f};
  std::vector<float> y(N);
  std::bernoulli_distribution label;
  for (float& v : y) v = label(rng) ? 1.0f : 0.0f;

  double loss = 0, loss_abs = 0;
  cpu::bce_with_logits_forward<double>(&loss, widened(z).data(), widened(y).data(), N);
  std::vector<double> dz(N), dz_tol(N);
  cpu::bce_with_logits_backward<double>(dz.data(), widened(z).data(), widened(y).data(),
                                        widened(dloss).data(), N);
  for (int n = 0; n < N; ++n) {
    loss_abs += std::max(double{z[n]}, 0.0) + std::fabs(double{z[n]} * y[n]) +
                std::log1p(std::exp(-std::fabs(double{z[n]})));
    const double sigmoid = 1 / (1 + std::exp(-double{z[n]}));
    dz_tol[n] = bounds::bce::logit_gradient(dloss[0], sigmoid, y[n], N);
  }
  loss_abs /= N;

  Tensor Z = on_device<Set>(z), Y = on_device<Set>(y), DLOSS = on_device<Set>(dloss);
  Tensor LOSS = on_device<Set>(std::vector<float>{kPoison}),
         DZ = on_device<Set>(std::vector<float>(N, kPoison));
  const cuda::Stream stream = stream_of<Set>();
  cuda::bce_with_logits_forward<Set>(LOSS.data<float>(), Z.data<float>(), Y.data<float>(), N,
                                     stream);
  cuda::bce_with_logits_backward<Set>(DZ.data<float>(), Z.data<float>(), Y.data<float>(),
                                      DLOSS.data<float>(), N, stream);
  require_close(on_host<Set, float>(LOSS), {loss},
                sum_tolerance({loss_abs}, bounds::bce::loss_chain(N)), "loss");
  require_close(on_host<Set, float>(DZ), dz, dz_tol, "dz");
}

template <class Set>
void check_bce_shapes() {
  check_bce<Set>(1, 61);
  check_bce<Set>(33, 62);
  check_bce<Set>(700, 63);  // more images than threads
}

TEST_CASE("bce_with_logits: emulator matches the CPU reference within float32 rounding",
          "[bce][emulator]") {
  check_bce_shapes<cuda::Emulated>();
}

TEST_CASE("bce_with_logits: GPU matches the CPU reference within float32 rounding", "[bce][gpu]") {
  on_gpu([]<class Set>() { check_bce_shapes<Set>(); });
}

}  // namespace
}  // namespace braincam::test
