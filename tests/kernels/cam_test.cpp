// The CAM kernels against the CPU reference run in double on the same float inputs, within the
// bounds of kernels/bounds/cam.h; every output is poisoned beforehand.
#include "kernels/cpu/cam.h"

#include "kernels/bounds/cam.h"
#include "kernels/bounds/linear.h"
#include "kernels/cpu/argmax.h"
#include "kernels/cpu/linear.h"
#include "kernels/cpu/maxpool4.h"
#include "kernels/cuda/cam.h"
#include "tests/kernels/kernel_test_support.h"

namespace braincam::test {
namespace {

template <class Set>
void check_cam_reduce(int N, int C, int HW, unsigned seed) {
  INFO("cam_reduce N=" << N << " C=" << C << " HW=" << HW);
  std::mt19937 rng(seed);
  const std::vector<float> P = random_floats(static_cast<std::size_t>(N) * C * HW, rng),
                           w = random_floats(static_cast<std::size_t>(C) * HW, rng);
  std::vector<double> cam(static_cast<std::size_t>(N) * HW), cam_abs(cam.size());
  cpu::cam_reduce<double>(cam.data(), widened(P).data(), widened(w).data(), N, C, HW);
  cpu::cam_reduce<double>(cam_abs.data(), magnitudes(P).data(), magnitudes(w).data(), N, C, HW);
  Tensor PT = on_device<Set>(P), WT = on_device<Set>(w),
         CAM = on_device<Set>(std::vector<float>(cam.size(), kPoison));
  cuda::cam_reduce<Set>(CAM.data<float>(), PT.data<float>(), WT.data<float>(), N, C, HW,
                        stream_of<Set>());
  require_close(on_host<Set, float>(CAM), cam, sum_tolerance(cam_abs, bounds::cam::reduce_chain(C)),
                "cam");
}

// With K > 1, w holds K classes' rows and image n takes row n % K.
template <class Set>
void check_cam_guidance(int N, int C, int H, int W, unsigned seed, int K = 1) {
  INFO("cam_guidance N=" << N << " C=" << C << " H=" << H << " W=" << W << " K=" << K);
  std::mt19937 rng(seed);
  const int cells = (H / 4) * (W / 4);
  const long per_class = static_cast<long>(C) * cells;
  // Scaled up so that the softmax is far from uniform.
  const std::vector<float> F = random_floats(static_cast<std::size_t>(N) * C * H * W, rng, -3, 3),
                           w = random_floats(static_cast<std::size_t>(K) * per_class, rng, -2, 2);
  std::vector<std::int64_t> classes(N);
  for (int n = 0; n < N; ++n) classes[n] = n % K;
  const std::int64_t* k = K > 1 ? classes.data() : nullptr;
  std::vector<double> s(static_cast<std::size_t>(N) * cells);
  cpu::cam_guidance<double>(s.data(), widened(F).data(), widened(w).data(), N, C, H, W, k);
  std::vector<double> pooled(static_cast<std::size_t>(N) * C * cells), cam_abs(s.size());
  cpu::maxpool4_forward<double>(pooled.data(), nullptr, widened(F).data(), N * C, H, W);
  for (double& v : pooled) v = std::fabs(v);
  for (int n = 0; n < N; ++n)
    cpu::cam_reduce<double>(cam_abs.data() + static_cast<long>(n) * cells,
                            pooled.data() + n * per_class,
                            magnitudes(w).data() + (k ? k[n] : 0) * per_class, 1, C, cells);

  Tensor FT = on_device<Set>(F), WT = on_device<Set>(w), KT = on_device<Set>(classes),
         S = on_device<Set>(std::vector<float>(s.size(), kPoison));
  cuda::cam_guidance<Set>(S.data<float>(), FT.data<float>(), WT.data<float>(), N, C, H, W,
                          stream_of<Set>(), K > 1 ? KT.data<std::int64_t>() : nullptr);
  std::vector<double> tolerance(s.size());
  for (int n = 0; n < N; ++n) {
    const auto row = cam_abs.begin() + static_cast<long>(n) * cells;
    const double relative =
        bounds::cam::guidance_relative_error(C, cells, *std::max_element(row, row + cells));
    for (int p = 0; p < cells; ++p)
      tolerance[static_cast<std::size_t>(n) * cells + p] =
          bounds::cam::guidance_tolerance(relative, s[static_cast<std::size_t>(n) * cells + p]);
  }
  require_close(on_host<Set, float>(S), s, tolerance, "s");
}

// The guidance's classes against the reference in double on the same floats, for every image
// whose top-two margin of z0 exceeds z0's rounding (bounds::linear on the magnitudes); most do.
template <class Set>
void check_guidance_classes(int N, int C, int H, int W, int K, unsigned seed) {
  INFO("guidance_classes N=" << N << " C=" << C << " H=" << H << " W=" << W << " K=" << K);
  std::mt19937 rng(seed);
  const int In = C * (H / 4) * (W / 4);
  const std::vector<float> F = random_floats(static_cast<std::size_t>(N) * C * H * W, rng, 0, 3),
                           w = random_floats(static_cast<std::size_t>(K) * In, rng, -0.1f, 0.1f),
                           b = random_floats(K, rng, -0.1f, 0.1f);
  std::vector<std::int64_t> want(N);
  cpu::guidance_classes<double>(want.data(), widened(F).data(), widened(w).data(),
                                widened(b).data(), N, C, H, W, K);
  std::vector<double> pooled(static_cast<std::size_t>(N) * In), z0(N * K), z0_abs(N * K);
  cpu::maxpool4_forward<double>(pooled.data(), nullptr, widened(F).data(), N * C, H, W);
  cpu::linear_forward<double>(z0.data(), pooled.data(), widened(w).data(), widened(b).data(), N, In,
                              K);
  for (double& v : pooled) v = std::fabs(v);
  cpu::linear_forward<double>(z0_abs.data(), pooled.data(), magnitudes(w).data(),
                              magnitudes(b).data(), N, In, K);

  Tensor FT = on_device<Set>(F), WT = on_device<Set>(w), BT = on_device<Set>(b),
         GOT = on_device<Set>(std::vector<std::int64_t>(N, -1));
  cuda::guidance_classes<Set>(GOT.data<std::int64_t>(), FT.data<float>(), WT.data<float>(),
                              BT.data<float>(), N, C, H, W, K, stream_of<Set>());
  const std::vector<std::int64_t> got = on_host<Set, std::int64_t>(GOT);
  const double chain = bounds::linear::forward_chain(In);
  int compared = 0;
  for (int n = 0; n < N; ++n) {
    const auto at = [&](int k) { return static_cast<std::size_t>(n) * K + k; };
    const double tol = 2 * chain * bounds::kUnitRoundoff *
                       *std::max_element(z0_abs.begin() + at(0), z0_abs.begin() + at(K));
    bool clear = true;
    for (int k = 0; k < K; ++k)
      clear = clear && (k == want[n] || z0[at(want[n])] - z0[at(k)] > 2 * tol);
    if (!clear) continue;
    ++compared;
    INFO("image " << n);
    CHECK(got[n] == want[n]);
  }
  CHECK(compared > N / 2);
}

template <class Set>
void check_cam_shapes() {
  check_cam_reduce<Set>(1, 3, 7, 1);
  check_cam_reduce<Set>(33, 2, 225, 2);
  check_cam_reduce<Set>(2, 5, 300, 3);
  check_cam_guidance<Set>(1, 3, 8, 12, 4);
  check_cam_guidance<Set>(33, 2, 4, 8, 5);
  check_cam_guidance<Set>(2, 5, 68, 64, 6);     // 272 cells: more than one per thread
  check_cam_guidance<Set>(3, 40, 8, 36, 7);     // a row of 9 cells in 40 channels: 360 windows
  check_cam_guidance<Set>(2, 2, 8, 1040, 8);    // 260 cells a row, more than a block's threads
  check_cam_guidance<Set>(5, 3, 16, 12, 9, 4);  // 4 classes: each image its own row
  check_guidance_classes<Set>(7, 3, 16, 12, 4, 10);
  check_guidance_classes<Set>(3, 32, 60, 60, 4, 11);  // the model's 7200 inputs
  check_guidance_classes<Set>(2, 2, 8, 8, 1, 12);     // one class: always 0
}

TEST_CASE("cam: emulator matches the CPU reference within float32 rounding", "[cam][emulator]") {
  check_cam_shapes<cuda::Emulated>();
}

TEST_CASE("cam: guidance refuses maps whose cam row or pooled row exceeds shared memory",
          "[cam][emulator]") {
  const auto guidance = [](int C, int H, int W) {
    cuda::cam_guidance<cuda::Emulated>(nullptr, nullptr, nullptr, 1, C, H, W, nullptr);
  };
  CHECK_THROWS_WITH(guidance(1, 4 * 120, 4 * 101),
                    Catch::Matchers::Contains("12120 cells, or 1 channels of 101"));
  CHECK_THROWS_WITH(guidance(1201, 4, 40),
                    Catch::Matchers::Contains("1201 channels of 10 cells a row, do not fit"));
}

TEST_CASE("cam: the guidance's class is the first maximal logit, a NaN maximal",
          "[cam][emulator]") {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const std::vector<std::pair<std::vector<float>, std::int64_t>> cases = {
      {{0.5f, 2.0f, 2.0f, -1.0f}, 1}, {{3.0f, nan, 4.0f, nan}, 1}, {{nan, 1.0f}, 0}, {{-2.0f}, 0}};
  for (const auto& [row, want] : cases) {
    const int K = static_cast<int>(row.size());
    CHECK(cpu::first_argmax(row.data(), K) == want);
    // The same logits as z0 of a 4x4 image of one channel whose pooled value is 1: w = 0, b = z0.
    const std::vector<float> F(16, 1.0f), w(K, 0.0f);
    Tensor FT = on_device<cuda::Emulated>(F), WT = on_device<cuda::Emulated>(w),
           BT = on_device<cuda::Emulated>(row),
           GOT = on_device<cuda::Emulated>(std::vector<std::int64_t>{-1});
    cuda::guidance_classes<cuda::Emulated>(GOT.data<std::int64_t>(), FT.data<float>(),
                                           WT.data<float>(), BT.data<float>(), 1, 1, 4, 4, K,
                                           nullptr);
    CHECK(on_host<cuda::Emulated, std::int64_t>(GOT)[0] == want);
  }
}

TEST_CASE("cam: GPU matches the CPU reference within float32 rounding", "[cam][gpu]") {
  on_gpu([]<class Set>() { check_cam_shapes<Set>(); });
}

}  // namespace
}  // namespace braincam::test
