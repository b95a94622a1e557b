// The CAM kernels against the CPU reference run in double on the same float inputs, within the
// bounds of kernels/bounds/cam.h; every output is poisoned beforehand.
#include "kernels/cpu/cam.h"

#include "kernels/bounds/cam.h"
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

template <class Set>
void check_cam_guidance(int N, int C, int H, int W, unsigned seed) {
  INFO("cam_guidance N=" << N << " C=" << C << " H=" << H << " W=" << W);
  std::mt19937 rng(seed);
  const int cells = (H / 4) * (W / 4);
  // Scaled up so that the softmax is far from uniform.
  const std::vector<float> F = random_floats(static_cast<std::size_t>(N) * C * H * W, rng, -3, 3),
                           w = random_floats(static_cast<std::size_t>(C) * cells, rng, -2, 2);
  std::vector<double> s(static_cast<std::size_t>(N) * cells);
  cpu::cam_guidance<double>(s.data(), widened(F).data(), widened(w).data(), N, C, H, W);
  std::vector<double> pooled(static_cast<std::size_t>(N) * C * cells), cam_abs(s.size());
  cpu::maxpool4_forward<double>(pooled.data(), nullptr, widened(F).data(), N * C, H, W);
  for (double& v : pooled) v = std::fabs(v);
  cpu::cam_reduce<double>(cam_abs.data(), pooled.data(), magnitudes(w).data(), N, C, cells);

  Tensor FT = on_device<Set>(F), WT = on_device<Set>(w),
         S = on_device<Set>(std::vector<float>(s.size(), kPoison));
  cuda::cam_guidance<Set>(S.data<float>(), FT.data<float>(), WT.data<float>(), N, C, H, W,
                          stream_of<Set>());
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

template <class Set>
void check_cam_shapes() {
  check_cam_reduce<Set>(1, 3, 7, 1);
  check_cam_reduce<Set>(33, 2, 225, 2);
  check_cam_reduce<Set>(2, 5, 300, 3);
  check_cam_guidance<Set>(1, 3, 8, 12, 4);
  check_cam_guidance<Set>(33, 2, 4, 8, 5);
  check_cam_guidance<Set>(2, 5, 68, 64, 6);   // 272 cells: more than one per thread
  check_cam_guidance<Set>(3, 40, 8, 36, 7);   // a row of 9 cells in 40 channels: 360 windows
  check_cam_guidance<Set>(2, 2, 8, 1040, 8);  // 260 cells a row, more than a block's threads
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

TEST_CASE("cam: GPU matches the CPU reference within float32 rounding", "[cam][gpu]") {
  on_gpu([]<class Set>() { check_cam_shapes<Set>(); });
}

}  // namespace
}  // namespace braincam::test
