// The fully connected layer's kernels against the CPU reference run in double on the same float
// inputs, within the float32 bound of each sum (kernels/bounds/linear.h); every output poisoned
// beforehand.
#include "kernels/cpu/linear.h"

#include "kernels/bounds/linear.h"
#include "kernels/cuda/linear.h"
#include "tests/kernels/kernel_test_support.h"

namespace braincam::test {
namespace {

template <class Set>
void check_linear(int N, int In, int Out, unsigned seed) {
  INFO("N=" << N << " In=" << In << " Out=" << Out);
  std::mt19937 rng(seed);
  const std::vector<float> x = random_floats(static_cast<std::size_t>(N) * In, rng),
                           w = random_floats(static_cast<std::size_t>(Out) * In, rng),
                           b = random_floats(Out, rng),
                           dy = random_floats(static_cast<std::size_t>(N) * Out, rng);
  std::vector<double> y(dy.size()), y_abs(dy.size()), dx(x.size()), dx_abs(x.size()), dw(w.size()),
      dw_abs(w.size()), db(Out), db_abs(Out);
  cpu::linear_forward<double>(y.data(), widened(x).data(), widened(w).data(), widened(b).data(), N,
                              In, Out);
  cpu::linear_forward<double>(y_abs.data(), magnitudes(x).data(), magnitudes(w).data(),
                              magnitudes(b).data(), N, In, Out);
  cpu::linear_backward<double>(dx.data(), dw.data(), db.data(), widened(dy).data(),
                               widened(x).data(), widened(w).data(), N, In, Out);
  cpu::linear_backward<double>(dx_abs.data(), dw_abs.data(), db_abs.data(), magnitudes(dy).data(),
                               magnitudes(x).data(), magnitudes(w).data(), N, In, Out);

  Tensor X = on_device<Set>(x), WT = on_device<Set>(w), B = on_device<Set>(b),
         DY = on_device<Set>(dy);
  Tensor Y = on_device<Set>(std::vector<float>(y.size(), kPoison)),
         DX = on_device<Set>(std::vector<float>(x.size(), kPoison)),
         DW = on_device<Set>(std::vector<float>(w.size(), kPoison)),
         DB = on_device<Set>(std::vector<float>(Out, kPoison));
  const cuda::Stream stream = stream_of<Set>();
  cuda::linear_forward<Set>(Y.data<float>(), X.data<float>(), WT.data<float>(), B.data<float>(), N,
                            In, Out, stream);
  cuda::linear_backward<Set>(DX.data<float>(), DW.data<float>(), DB.data<float>(), DY.data<float>(),
                             X.data<float>(), WT.data<float>(), N, In, Out, stream);
  namespace bound = bounds::linear;
  require_close(on_host<Set, float>(Y), y, sum_tolerance(y_abs, bound::forward_chain(In)), "y");
  require_close(on_host<Set, float>(DX), dx,
                sum_tolerance(dx_abs, bound::input_gradient_chain(Out)), "dx");
  require_close(on_host<Set, float>(DW), dw, sum_tolerance(dw_abs, bound::weight_gradient_chain(N)),
                "dw");
  require_close(on_host<Set, float>(DB), db, sum_tolerance(db_abs, bound::weight_gradient_chain(N)),
                "db");

  // Without dx (the model's fc, whose input needs no gradient when nothing before it learns):
  // the same weight and bias gradients, bit for bit.
  const std::vector<float> dw_first = on_host<Set, float>(DW), db_first = on_host<Set, float>(DB);
  DW.fill(kPoison);
  DB.fill(kPoison);
  cuda::linear_backward<Set>(nullptr, DW.data<float>(), DB.data<float>(), DY.data<float>(),
                             X.data<float>(), WT.data<float>(), N, In, Out, stream);
  require_identical(on_host<Set, float>(DW), dw_first, "dw without dx");
  require_identical(on_host<Set, float>(DB), db_first, "db without dx");
}

template <class Set>
void check_linear_shapes() {
  check_linear<Set>(1, 7, 1, 51);     // batch 1, fewer inputs than threads
  check_linear<Set>(33, 300, 2, 52);  // batch 33, two outputs
  check_linear<Set>(3, 7200, 1, 53);  // the model's fc
  check_linear<Set>(2, 513, 5, 54);   // odd sizes
}

TEST_CASE("linear: emulator matches the CPU reference within float32 rounding",
          "[linear][emulator]") {
  check_linear_shapes<cuda::Emulated>();
}

TEST_CASE("linear: GPU matches the CPU reference within float32 rounding", "[linear][gpu]") {
  on_gpu([]<class Set>() { check_linear_shapes<Set>(); });
}

}  // namespace
}  // namespace braincam::test
