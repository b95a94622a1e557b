// The channel attention kernels against the CPU reference run in double on the same float
// inputs; every output is poisoned beforehand. Selections (the maximum and its first position)
// must be identical to the float reference. For the sums, the error of each stage is bounded by
// its chain of roundings times the sum of magnitudes of its terms, and the stages' errors carry
// forward through sums whose coefficients are those magnitudes; so each output is within
// 2 * u * (the chains of every stage on its path added up) * (the same computation run on the
// magnitudes of the inputs). The sigmoid's slope is at most 1/4. The chains are in
// kernels/bounds/channel_attention.h.
#include "kernels/cpu/channel_attention.h"

#include "kernels/bounds/channel_attention.h"
#include "kernels/cuda/channel_attention.h"
#include "tests/kernels/kernel_test_support.h"

namespace braincam::test {
namespace {

namespace bound = bounds::channel_attention;

struct AttentionShape {
  int N, C, H, W, Ch;
};

struct AttentionInputs {
  std::vector<float> x, s, w1, b1, w2, b2, dy;
};

AttentionInputs random_inputs(AttentionShape a, unsigned seed) {
  std::mt19937 rng(seed);
  const std::size_t size = static_cast<std::size_t>(a.N) * a.C * a.H * a.W;
  const int cells = (a.H / 4) * (a.W / 4);
  AttentionInputs in{random_floats(size, rng),
                     random_floats(static_cast<std::size_t>(a.N) * cells, rng, 0, 1),
                     random_floats(static_cast<std::size_t>(a.Ch) * a.C, rng),
                     random_floats(a.Ch, rng),
                     random_floats(static_cast<std::size_t>(a.C) * a.Ch, rng),
                     random_floats(a.C, rng),
                     random_floats(size, rng)};
  // Steps of 1/8: planes hold ties for the maximum, and the first one must win.
  for (float& v : in.x) v = std::round(v * 8) / 8;
  for (int n = 0; n < a.N; ++n) {  // the guidance sums to 1 per image, as a softmax
    float total = 0;
    for (int p = 0; p < cells; ++p) total += in.s[n * cells + p];
    for (int p = 0; p < cells; ++p) in.s[n * cells + p] /= total;
  }
  return in;
}

template <class Set>
void check_channel_attention(AttentionShape a, unsigned seed) {
  INFO("N=" << a.N << " C=" << a.C << " H=" << a.H << " W=" << a.W << " Ch=" << a.Ch);
  const AttentionInputs in = random_inputs(a, seed);
  const int HW = a.H * a.W;
  const std::size_t size = in.x.size(), NC = static_cast<std::size_t>(a.N) * a.C,
                    hidden_size = 3 * static_cast<std::size_t>(a.N) * a.Ch;

  // References: double, the same on magnitudes, and float (for the selections and the saved
  // tensors that backward gets).
  std::vector<double> y(size), gate(NC), desc(3 * NC), hidden(hidden_size);
  std::vector<std::int32_t> max_index(NC);
  cpu::channel_attention_forward<double>(
      y.data(), gate.data(), desc.data(), max_index.data(), hidden.data(), widened(in.x).data(),
      widened(in.s).data(), widened(in.w1).data(), widened(in.b1).data(), widened(in.w2).data(),
      widened(in.b2).data(), a.N, a.C, a.H, a.W, a.Ch);
  std::vector<double> y_abs(size), gate_abs(NC), desc_abs(3 * NC), hidden_abs(hidden_size);
  std::vector<std::int32_t> unused(NC);
  cpu::channel_attention_forward<double>(y_abs.data(), gate_abs.data(), desc_abs.data(),
                                         unused.data(), hidden_abs.data(), magnitudes(in.x).data(),
                                         widened(in.s).data(), magnitudes(in.w1).data(),
                                         magnitudes(in.b1).data(), magnitudes(in.w2).data(),
                                         magnitudes(in.b2).data(), a.N, a.C, a.H, a.W, a.Ch);
  std::vector<float> y_f(size), gate_f(NC), desc_f(3 * NC), hidden_f(hidden_size);
  std::vector<std::int32_t> max_index_f(NC);
  cpu::channel_attention_forward<float>(y_f.data(), gate_f.data(), desc_f.data(),
                                        max_index_f.data(), hidden_f.data(), in.x.data(),
                                        in.s.data(), in.w1.data(), in.b1.data(), in.w2.data(),
                                        in.b2.data(), a.N, a.C, a.H, a.W, a.Ch);

  Tensor X = on_device<Set>(in.x), S = on_device<Set>(in.s), W1 = on_device<Set>(in.w1),
         B1 = on_device<Set>(in.b1), W2 = on_device<Set>(in.w2), B2 = on_device<Set>(in.b2),
         DY = on_device<Set>(in.dy);
  Tensor Y = on_device<Set>(std::vector<float>(size, kPoison)),
         GATE = on_device<Set>(std::vector<float>(NC, kPoison)),
         DESC = on_device<Set>(std::vector<float>(3 * NC, kPoison)),
         MAX_INDEX = on_device<Set>(std::vector<std::int32_t>(NC, -1)),
         HIDDEN = on_device<Set>(std::vector<float>(hidden_size, kPoison));
  const cuda::Stream stream = stream_of<Set>();
  cuda::channel_attention_forward<Set>(
      Y.data<float>(), GATE.data<float>(), DESC.data<float>(), MAX_INDEX.data<std::int32_t>(),
      HIDDEN.data<float>(), X.data<float>(), S.data<float>(), W1.data<float>(), B1.data<float>(),
      W2.data<float>(), B2.data<float>(), a.N, a.C, a.H, a.W, a.Ch, stream);

  const double desc_chain = bound::descriptor_chain(HW),
               hidden_chain = bound::hidden_chain(HW, a.C),
               logit_chain = bound::logit_chain(HW, a.C, a.Ch);
  const std::vector<float> desc_got = on_host<Set, float>(DESC);
  require_identical(std::vector<float>(desc_got.begin() + NC, desc_got.begin() + 2 * NC),
                    std::vector<float>(desc_f.begin() + NC, desc_f.begin() + 2 * NC), "max");
  require_identical(on_host<Set, std::int32_t>(MAX_INDEX), max_index_f, "max_index");
  require_close(desc_got, desc, sum_tolerance(desc_abs, desc_chain), "desc");
  require_close(on_host<Set, float>(HIDDEN), hidden, sum_tolerance(hidden_abs, hidden_chain),
                "hidden");
  std::vector<double> gate_tol(NC), y_tol(size);
  for (std::size_t i = 0; i < NC; ++i) {
    const int c = static_cast<int>(i % a.C);
    const long n = static_cast<long>(i / a.C);
    double logit_abs = 0;  // the logit computed on magnitudes
    for (int k = 0; k < 3; ++k) {
      logit_abs += std::fabs(in.b2[c]);
      for (int j = 0; j < a.Ch; ++j)
        logit_abs += std::fabs(in.w2[c * a.Ch + j]) * hidden_abs[(k * a.N + n) * a.Ch + j];
    }
    gate_tol[i] = bounds::sigmoid_of_sum(logit_chain, logit_abs);
  }
  for (std::size_t i = 0; i < size; ++i)
    y_tol[i] = bounds::gated_product(std::fabs(in.x[i]), gate_tol[i / HW], y[i]);
  require_close(on_host<Set, float>(GATE), gate, gate_tol, "gate");
  require_close(on_host<Set, float>(Y), y, y_tol, "y");

  // Backward from the float reference's saved tensors. The magnitude run keeps the gate and the
  // guidance (positive) and takes |hidden|, which only switches more ReLUs on.
  std::vector<double> dx(size), dw1(in.w1.size()), db1(a.Ch), dw2(in.w2.size()), db2(a.C);
  cpu::channel_attention_backward<double>(
      dx.data(), dw1.data(), db1.data(), dw2.data(), db2.data(), widened(in.dy).data(),
      widened(in.x).data(), widened(in.s).data(), widened(gate_f).data(), widened(desc_f).data(),
      max_index_f.data(), widened(hidden_f).data(), widened(in.w1).data(), widened(in.w2).data(),
      a.N, a.C, a.H, a.W, a.Ch);
  std::vector<double> dx_abs(size), dw1_abs(in.w1.size()), db1_abs(a.Ch), dw2_abs(in.w2.size()),
      db2_abs(a.C);
  cpu::channel_attention_backward<double>(
      dx_abs.data(), dw1_abs.data(), db1_abs.data(), dw2_abs.data(), db2_abs.data(),
      magnitudes(in.dy).data(), magnitudes(in.x).data(), widened(in.s).data(),
      widened(gate_f).data(), magnitudes(desc_f).data(), max_index_f.data(),
      magnitudes(hidden_f).data(), magnitudes(in.w1).data(), magnitudes(in.w2).data(), a.N, a.C,
      a.H, a.W, a.Ch);
  Tensor GATE_F = on_device<Set>(gate_f), DESC_F = on_device<Set>(desc_f),
         MAX_INDEX_F = on_device<Set>(max_index_f), HIDDEN_F = on_device<Set>(hidden_f);
  Tensor DX = on_device<Set>(std::vector<float>(size, kPoison)),
         DW1 = on_device<Set>(std::vector<float>(in.w1.size(), kPoison)),
         DB1 = on_device<Set>(std::vector<float>(a.Ch, kPoison)),
         DW2 = on_device<Set>(std::vector<float>(in.w2.size(), kPoison)),
         DB2 = on_device<Set>(std::vector<float>(a.C, kPoison));
  cuda::channel_attention_backward<Set>(
      DX.data<float>(), DW1.data<float>(), DB1.data<float>(), DW2.data<float>(), DB2.data<float>(),
      DY.data<float>(), X.data<float>(), S.data<float>(), GATE_F.data<float>(),
      DESC_F.data<float>(), MAX_INDEX_F.data<std::int32_t>(), HIDDEN_F.data<float>(),
      W1.data<float>(), W2.data<float>(), a.N, a.C, a.H, a.W, a.Ch, stream);
  const double chain = bound::backward_chain(HW, a.C, a.Ch, a.N);
  require_close(on_host<Set, float>(DX), dx, sum_tolerance(dx_abs, chain), "dx");
  require_close(on_host<Set, float>(DW1), dw1, sum_tolerance(dw1_abs, chain), "dw1");
  require_close(on_host<Set, float>(DB1), db1, sum_tolerance(db1_abs, chain), "db1");
  require_close(on_host<Set, float>(DW2), dw2, sum_tolerance(dw2_abs, chain), "dw2");
  require_close(on_host<Set, float>(DB2), db2, sum_tolerance(db2_abs, chain), "db2");
}

template <class Set>
void check_channel_attention_shapes() {
  unsigned seed = 31;
  for (AttentionShape a : {AttentionShape{1, 3, 8, 12, 2},    // batch 1
                           AttentionShape{33, 2, 4, 4, 1},    // batch 33, one cell
                           AttentionShape{2, 5, 20, 16, 3},   // planes longer than a block
                           AttentionShape{2, 16, 12, 8, 2}})  // the model's C / Ch ratio
    check_channel_attention<Set>(a, seed++);
}

TEST_CASE("channel_attention: emulator matches the CPU reference within float32 rounding",
          "[channel_attention][emulator]") {
  check_channel_attention_shapes<cuda::Emulated>();
}

TEST_CASE("channel_attention: GPU matches the CPU reference within float32 rounding",
          "[channel_attention][gpu]") {
  on_gpu([]<class Set>() { check_channel_attention_shapes<Set>(); });
}

}  // namespace
}  // namespace braincam::test
