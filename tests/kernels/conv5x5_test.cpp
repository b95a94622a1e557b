// The 5x5 convolution kernels against the CPU reference run in double on the same float inputs.
// The tolerance of each output is the float32 error bound of its sum (kernels/bounds/conv5x5.h),
// so only the kernel's own rounding is allowed; every output is poisoned beforehand.
#include "kernels/cpu/conv5x5.h"

#include "kernels/bounds/conv5x5.h"
#include "kernels/cuda/conv5x5.h"
#include "kernels/emulator/emulator.h"
#include "tests/kernels/kernel_test_support.h"

namespace braincam::test {
namespace {

struct ConvShape {
  int N, C, H, W, K;
};

struct ConvInputs {
  std::vector<float> x, w, b, dy;
};

ConvInputs random_inputs(ConvShape s, unsigned seed) {
  std::mt19937 rng(seed);
  return {random_floats(static_cast<std::size_t>(s.N) * s.C * s.H * s.W, rng),
          random_floats(static_cast<std::size_t>(s.K) * s.C * 25, rng), random_floats(s.K, rng),
          random_floats(static_cast<std::size_t>(s.N) * s.K * s.H * s.W, rng)};
}

template <class Set>
void check_conv5x5(ConvShape s, unsigned seed) {
  INFO("N=" << s.N << " C=" << s.C << " H=" << s.H << " W=" << s.W << " K=" << s.K);
  const ConvInputs in = random_inputs(s, seed);
  const std::size_t x_size = in.x.size(), y_size = in.dy.size(), w_size = in.w.size();

  // The reference in double, and the same sums over magnitudes, which bound the rounding error.
  std::vector<double> y(y_size), y_abs(y_size), dx(x_size), dx_abs(x_size), dw(w_size),
      dw_abs(w_size), db(s.K), db_abs(s.K);
  cpu::conv5x5_forward<double>(y.data(), widened(in.x).data(), widened(in.w).data(),
                               widened(in.b).data(), s.N, s.C, s.H, s.W, s.K);
  cpu::conv5x5_forward<double>(y_abs.data(), magnitudes(in.x).data(), magnitudes(in.w).data(),
                               magnitudes(in.b).data(), s.N, s.C, s.H, s.W, s.K);
  cpu::conv5x5_backward<double>(dx.data(), dw.data(), db.data(), widened(in.dy).data(),
                                widened(in.x).data(), widened(in.w).data(), s.N, s.C, s.H, s.W,
                                s.K);
  cpu::conv5x5_backward<double>(dx_abs.data(), dw_abs.data(), db_abs.data(),
                                magnitudes(in.dy).data(), magnitudes(in.x).data(),
                                magnitudes(in.w).data(), s.N, s.C, s.H, s.W, s.K);

  Tensor X = on_device<Set>(in.x), Wt = on_device<Set>(in.w), B = on_device<Set>(in.b),
         DY = on_device<Set>(in.dy);
  Tensor Y = on_device<Set>(std::vector<float>(y_size, kPoison));
  Tensor DX = on_device<Set>(std::vector<float>(x_size, kPoison));
  Tensor DW = on_device<Set>(std::vector<float>(w_size, kPoison));
  Tensor DB = on_device<Set>(std::vector<float>(s.K, kPoison));
  const cuda::Stream stream = stream_of<Set>();
  cuda::conv5x5_forward<Set>(Y.data<float>(), X.data<float>(), Wt.data<float>(), B.data<float>(),
                             s.N, s.C, s.H, s.W, s.K, stream);
  cuda::conv5x5_backward<Set>(DX.data<float>(), DW.data<float>(), DB.data<float>(),
                              DY.data<float>(), X.data<float>(), Wt.data<float>(), s.N, s.C, s.H,
                              s.W, s.K, stream);

  const int bands = cuda::conv5x5_weight_bands(s.N, s.C, s.K, s.H);
  const double weight_chain =
      bounds::conv5x5::weight_gradient_chain(static_cast<long>(s.H) * s.W, s.N, bands);
  require_close(on_host<Set, float>(Y), y,
                sum_tolerance(y_abs, bounds::conv5x5::forward_chain(s.C)), "y");
  require_close(on_host<Set, float>(DX), dx,
                sum_tolerance(dx_abs, bounds::conv5x5::input_gradient_chain(s.K)), "dx");
  require_close(on_host<Set, float>(DW), dw, sum_tolerance(dw_abs, weight_chain), "dw");
  require_close(on_host<Set, float>(DB), db, sum_tolerance(db_abs, weight_chain), "db");

  // Without dx (the model's first layer): the same weight and bias gradients, bit for bit.
  const std::vector<float> dw_first = on_host<Set, float>(DW), db_first = on_host<Set, float>(DB);
  DW.fill(kPoison);
  DB.fill(kPoison);
  cuda::conv5x5_backward<Set>(nullptr, DW.data<float>(), DB.data<float>(), DY.data<float>(),
                              X.data<float>(), Wt.data<float>(), s.N, s.C, s.H, s.W, s.K, stream);
  require_identical(on_host<Set, float>(DW), dw_first, "dw without dx");
  require_identical(on_host<Set, float>(DB), db_first, "db without dx");
}

template <class Set>
void check_conv5x5_shapes() {
  unsigned seed = 11;
  for (ConvShape s : {ConvShape{1, 3, 17, 19, 5},   // batch 1, odd sizes, partial tiles
                      ConvShape{2, 5, 16, 16, 17},  // two input-channel steps, two channel groups
                      ConvShape{33, 2, 7, 9, 3},    // batch 33, an image smaller than a tile
                      ConvShape{3, 1, 35, 6, 1}})   // three tile rows, one channel each way
    check_conv5x5<Set>(s, seed++);
}

TEST_CASE("conv5x5: small batches cut the weight gradient into bands of rows", "[conv5x5]") {
  CHECK(cuda::conv5x5_weight_bands(32, 3, 32, 240) == 1);  // 3,072 blocks already
  CHECK(cuda::conv5x5_weight_bands(1, 3, 32, 240) == 11);  // 96 blocks: 11 bands of 22 rows
  CHECK(cuda::conv5x5_weight_bands(1, 3, 5, 17) == 5);     // at most ceil(17 / 4) bands
  CHECK(cuda::conv5x5_weight_bands(1, 1, 1, 1) == 1);
}

TEST_CASE("conv5x5: emulator matches the CPU reference within float32 rounding",
          "[conv5x5][emulator]") {
  check_conv5x5_shapes<cuda::Emulated>();
}

TEST_CASE("conv5x5: GPU matches the CPU reference within float32 rounding", "[conv5x5][gpu]") {
  on_gpu([]<class Set>() { check_conv5x5_shapes<Set>(); });
}

TEST_CASE("conv5x5: results are bitwise the same under different thread schedules",
          "[conv5x5][emulator]") {
  const ConvShape s{3, 3, 20, 21, 4};
  const ConvInputs in = random_inputs(s, 5);
  auto run = [&](std::uint64_t schedule_seed) {
    emulator::set_schedule_seed(schedule_seed);
    std::vector<float> y(in.dy.size()), dx(in.x.size()), dw(in.w.size()), db(s.K);
    cuda::conv5x5_forward<cuda::Emulated>(y.data(), in.x.data(), in.w.data(), in.b.data(), s.N, s.C,
                                          s.H, s.W, s.K, nullptr);
    cuda::conv5x5_backward<cuda::Emulated>(dx.data(), dw.data(), db.data(), in.dy.data(),
                                           in.x.data(), in.w.data(), s.N, s.C, s.H, s.W, s.K,
                                           nullptr);
    y.insert(y.end(), dx.begin(), dx.end());
    y.insert(y.end(), dw.begin(), dw.end());
    y.insert(y.end(), db.begin(), db.end());
    return y;
  };
  require_identical(run(1), run(2), "outputs");
}

}  // namespace
}  // namespace braincam::test
