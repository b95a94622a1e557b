// The new kernels' reductions are deterministic: run twice in the emulator under different
// random thread schedules (and block orders), every output has the same bits. A reduction whose
// order followed the schedule (a float atomicAdd, a "whoever comes first" accumulation) would
// differ in the last bits.
#include "kernels/cuda/batchnorm.h"
#include "kernels/cuda/bce.h"
#include "kernels/cuda/cam.h"
#include "kernels/cuda/channel_attention.h"
#include "kernels/cuda/linear.h"
#include "kernels/cuda/spatial_attention.h"
#include "kernels/emulator/emulator.h"
#include "tests/kernels/kernel_test_support.h"

namespace braincam::test {
namespace {

using Set = cuda::Emulated;

// Appends the float outputs of the reductions of every new kernel, run on fixed inputs.
std::vector<float> run_reductions(std::uint64_t schedule_seed) {
  emulator::set_schedule_seed(schedule_seed);
  constexpr int N = 3, C = 4, H = 20, W = 24, HW = H * W, Ch = 2, cells = (H / 4) * (W / 4);
  constexpr std::size_t size = static_cast<std::size_t>(N) * C * HW;
  std::mt19937 rng(81);
  const std::vector<float> x = random_floats(size, rng), dy = random_floats(size, rng),
                           gamma = random_floats(C, rng), beta = random_floats(C, rng),
                           w1 = random_floats(Ch * C, rng), b1 = random_floats(Ch, rng),
                           w2 = random_floats(C * Ch, rng), b2 = random_floats(C, rng),
                           w7 = random_floats(98, rng), fc = random_floats(C * cells, rng),
                           z = random_floats(N, rng, -4, 4), labels{0, 1, 1}, dloss{1};
  std::vector<float> out;
  auto take = [&](const std::vector<float>& v) { out.insert(out.end(), v.begin(), v.end()); };

  std::vector<float> y(size), mean(C), var(C), dx(size), dgamma(C), dbeta(C);
  cuda::batchnorm_forward_train<Set>(y.data(), mean.data(), var.data(), x.data(), gamma.data(),
                                     beta.data(), N, C, HW, 1e-5f, nullptr);
  cuda::batchnorm_backward<Set>(dx.data(), dgamma.data(), dbeta.data(), dy.data(), x.data(),
                                mean.data(), var.data(), gamma.data(), N, C, HW, 1e-5f, nullptr);
  for (const auto* v : {&y, &mean, &var, &dx, &dgamma, &dbeta}) take(*v);

  std::vector<float> s(N * cells);
  cuda::cam_guidance<Set>(s.data(), x.data(), fc.data(), N, C, H, W, nullptr);
  take(s);

  std::vector<float> gate(N * C), desc(3 * N * C), hidden(3 * N * Ch), dw1(Ch * C), db1(Ch),
      dw2(C * Ch), db2(C);
  std::vector<std::int32_t> max_index(N * C);
  cuda::channel_attention_forward<Set>(y.data(), gate.data(), desc.data(), max_index.data(),
                                       hidden.data(), x.data(), s.data(), w1.data(), b1.data(),
                                       w2.data(), b2.data(), N, C, H, W, Ch, nullptr);
  cuda::channel_attention_backward<Set>(dx.data(), dw1.data(), db1.data(), dw2.data(), db2.data(),
                                        dy.data(), x.data(), s.data(), gate.data(), desc.data(),
                                        max_index.data(), hidden.data(), w1.data(), w2.data(), N, C,
                                        H, W, Ch, nullptr);
  for (const auto* v : {&y, &gate, &desc, &hidden, &dx, &dw1, &db1, &dw2, &db2}) take(*v);

  std::vector<float> spatial_gate(N * HW), pooled(2 * N * HW), dw7(98);
  std::vector<std::int32_t> max_channel(N * HW);
  cuda::spatial_attention_forward<Set>(y.data(), spatial_gate.data(), pooled.data(),
                                       max_channel.data(), x.data(), w7.data(), N, C, H, W,
                                       nullptr);
  cuda::spatial_attention_backward<Set>(dx.data(), dw7.data(), dy.data(), x.data(),
                                        spatial_gate.data(), pooled.data(), max_channel.data(),
                                        w7.data(), N, C, H, W, nullptr);
  for (const auto* v : {&y, &spatial_gate, &dx, &dw7}) take(*v);

  std::vector<float> logits(N), dfc(fc.size()), dbias(1), dlogits(N), loss(1), bias{0.5f};
  cuda::linear_forward<Set>(logits.data(), x.data(), fc.data(), bias.data(), N, C * cells, 1,
                            nullptr);
  cuda::linear_backward<Set>(nullptr, dfc.data(), dbias.data(), z.data(), x.data(), fc.data(), N,
                             C * cells, 1, nullptr);
  cuda::bce_with_logits_forward<Set>(loss.data(), z.data(), labels.data(), N, nullptr);
  cuda::bce_with_logits_backward<Set>(dlogits.data(), z.data(), labels.data(), dloss.data(), N,
                                      nullptr);
  for (const auto* v : {&logits, &dfc, &dbias, &loss, &dlogits}) take(*v);
  return out;
}

TEST_CASE("reductions: bitwise the same under different thread schedules", "[emulator]") {
  const std::vector<float> first = run_reductions(1), second = run_reductions(2);
  require_identical(first, second, "outputs");
}

}  // namespace
}  // namespace braincam::test
