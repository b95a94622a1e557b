// The softmax cross-entropy kernels against the CPU reference run in double on the same float
// inputs, within the bounds of kernels/bounds/softmax_cross_entropy.h; outputs poisoned
// beforehand.
#include "kernels/cpu/softmax_cross_entropy.h"

#include "kernels/bounds/softmax_cross_entropy.h"
#include "kernels/cuda/softmax_cross_entropy.h"
#include "tests/kernels/kernel_test_support.h"

namespace braincam::test {
namespace {

namespace sce = bounds::softmax_cross_entropy;

// The per-logit tolerances of dz and the loss's scale, from the double reference's view of z.
struct Tolerances {
  std::vector<double> dz;
  double loss_scale = 0;
};

Tolerances tolerances(const std::vector<float>& z, const std::vector<std::int64_t>& y, double dloss,
                      int N, int K) {
  Tolerances t{std::vector<double>(z.size())};
  for (int n = 0; n < N; ++n) {
    const float* row = z.data() + static_cast<std::size_t>(n) * K;
    const double largest = *std::max_element(row, row + K);
    double sum = 0;
    for (int k = 0; k < K; ++k) sum += std::exp(row[k] - largest);
    t.loss_scale += sce::term_scale(largest, std::log(sum), row[y[n]]);
    for (int k = 0; k < K; ++k) {
      const double p = std::exp(row[k] - largest) / sum, shift = largest - row[k];
      t.dz[static_cast<std::size_t>(n) * K + k] =
          sce::logit_gradient(dloss, p, k == y[n] ? 1 : 0, shift, N, K);
    }
  }
  t.loss_scale /= N;
  return t;
}

template <class Set>
void check_softmax_cross_entropy(int N, int K, unsigned seed) {
  INFO("N=" << N << " K=" << K);
  std::mt19937 rng(seed);
  const std::vector<float> z = random_floats(static_cast<std::size_t>(N) * K, rng, -8, 8),
                           dloss{0.75f};
  std::vector<std::int64_t> y(N);
  std::uniform_int_distribution<std::int64_t> label(0, K - 1);
  for (std::int64_t& v : y) v = label(rng);

  double loss = 0;
  cpu::softmax_cross_entropy_forward<double>(&loss, widened(z).data(), y.data(), N, K);
  std::vector<double> dz(z.size());
  cpu::softmax_cross_entropy_backward<double>(dz.data(), widened(z).data(), y.data(),
                                              widened(dloss).data(), N, K);
  const Tolerances tol = tolerances(z, y, dloss[0], N, K);

  Tensor Z = on_device<Set>(z), Y = on_device<Set>(y), DLOSS = on_device<Set>(dloss);
  Tensor LOSS = on_device<Set>(std::vector<float>{kPoison}),
         DZ = on_device<Set>(std::vector<float>(z.size(), kPoison));
  const cuda::Stream stream = stream_of<Set>();
  cuda::softmax_cross_entropy_forward<Set>(LOSS.data<float>(), Z.data<float>(),
                                           Y.data<std::int64_t>(), N, K, stream);
  cuda::softmax_cross_entropy_backward<Set>(
      DZ.data<float>(), Z.data<float>(), Y.data<std::int64_t>(), DLOSS.data<float>(), N, K, stream);
  require_close(on_host<Set, float>(LOSS), {loss},
                sum_tolerance({tol.loss_scale}, sce::loss_chain(N, K)), "loss");
  require_close(on_host<Set, float>(DZ), dz, tol.dz, "dz");
}

template <class Set>
void check_softmax_cross_entropy_shapes() {
  check_softmax_cross_entropy<Set>(1, 4, 71);
  check_softmax_cross_entropy<Set>(33, 4, 72);
  check_softmax_cross_entropy<Set>(5, 2, 73);
  check_softmax_cross_entropy<Set>(3, 1, 74);    // one class: the loss is 0, dz too
  check_softmax_cross_entropy<Set>(700, 7, 75);  // more images than threads
}

TEST_CASE("softmax_cross_entropy: emulator matches the CPU reference within float32 rounding",
          "[softmax_cross_entropy][emulator]") {
  check_softmax_cross_entropy_shapes<cuda::Emulated>();
}

TEST_CASE("softmax_cross_entropy: GPU matches the CPU reference within float32 rounding",
          "[softmax_cross_entropy][gpu]") {
  on_gpu([]<class Set>() { check_softmax_cross_entropy_shapes<Set>(); });
}

}  // namespace
}  // namespace braincam::test
