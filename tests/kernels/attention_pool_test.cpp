// The fused attention + pooling (attention_pool) against the ops it fuses, run in turn on the
// same device: maxpool4(spatial_attention(channel_attention(F))). On the emulator and the GPU the
// fused kernels read the channel-gated input and the pooling's gradient through readers that give
// the bits the per-op kernels read from memory, so P and every gradient must be the same values
// (the sign of a zero aside: the fused backward skips the pooling's zero gradients instead of
// adding zero products). On the CPU the fused op runs the references in turn, so the same holds.
// F is half zeros, as after the first layer's ReLU, and on a grid of 1/8, so that pooling windows
// hold ties, which the first maximum must settle as maxpool4 does. Inference (no graph recorded,
// no winners kept) must give the same P.
#include "kernels/bounds/attention_pool.h"

#include <cmath>
#include <random>
#include <vector>

#include "engine/autograd.h"
#include "engine/ops.h"
#include "tests/kernels/kernel_test_support.h"

namespace braincam::test {
namespace {

static_assert(bounds::attention_pool::kAgainstPerOpKernels.bitwise());

struct AttentionShape {
  int N, C, H, W, Ch;
};

// Equal values: -0 and +0 count as equal, a NaN never does.
void require_same_values(const Tensor& got, const Tensor& want, const char* what) {
  const Tensor g = got.to(Device::CPU).to(DType::F64), w = want.to(Device::CPU).to(DType::F64);
  REQUIRE(g.shape() == w.shape());
  for (std::int64_t i = 0; i < g.numel(); ++i)
    if (!(g.data<double>()[i] == w.data<double>()[i]))
      FAIL(what << "[" << i << "]: fused " << g.data<double>()[i] << ", per-op "
                << w.data<double>()[i]);
}

void check_attention_pool(Device device, DType dtype, AttentionShape a, unsigned seed) {
  INFO(device_name(device) << " " << dtype_name(dtype) << " N=" << a.N << " C=" << a.C
                           << " H=" << a.H << " W=" << a.W << " Ch=" << a.Ch);
  std::mt19937 rng(seed);
  const int cells = (a.H / 4) * (a.W / 4);
  auto tensor = [&](std::vector<float> values, Shape shape) {
    Tensor host({static_cast<std::int64_t>(values.size())}, DType::F32);
    std::copy(values.begin(), values.end(), host.data<float>());
    return host.reshape(shape).to(dtype).to(device);
  };
  std::vector<float> f = random_floats(static_cast<std::size_t>(a.N) * a.C * a.H * a.W, rng);
  for (float& v : f) v = std::max(0.0f, std::round(v * 8) / 8);
  std::vector<float> s = random_floats(static_cast<std::size_t>(a.N) * cells, rng, 0, 1);
  for (int n = 0; n < a.N; ++n) {  // each image's guidance sums to 1
    float total = 0;
    for (int p = 0; p < cells; ++p) total += s[n * cells + p];
    for (int p = 0; p < cells; ++p) s[n * cells + p] /= total;
  }
  const Tensor F = tensor(f, {a.N, a.C, a.H, a.W}), guidance = tensor(s, {a.N, cells}),
               dP = tensor(random_floats(f.size() / 16, rng), {a.N, a.C, a.H / 4, a.W / 4});
  const std::vector<Tensor> weights = {
      tensor(random_floats(a.Ch * a.C, rng), {a.Ch, a.C}), tensor(random_floats(a.Ch, rng), {a.Ch}),
      tensor(random_floats(a.C * a.Ch, rng), {a.C, a.Ch}), tensor(random_floats(a.C, rng), {a.C}),
      tensor(random_floats(98, rng), {1, 2, 7, 7})};

  auto run = [&](bool fused) {
    std::vector<Var> leaves = {Var(F, true)};
    for (const Tensor& w : weights) leaves.emplace_back(w, true);
    const Var &x = leaves[0], &w1 = leaves[1], &b1 = leaves[2], &w2 = leaves[3], &b2 = leaves[4],
              &ws = leaves[5];
    const Var P =
        fused ? attention_pool(x, guidance, w1, b1, w2, b2, ws)
              : maxpool4(spatial_attention(channel_attention(x, guidance, w1, b1, w2, b2), ws));
    backward(P, dP);
    std::vector<Tensor> results = {P.value()};
    for (const Var& leaf : leaves) results.push_back(leaf.grad());
    return results;
  };
  const std::vector<Tensor> fused = run(true), per_op = run(false);
  const char* names[] = {"P", "dF", "dw1", "db1", "dw2", "db2", "dws"};
  for (std::size_t i = 0; i < fused.size(); ++i) require_same_values(fused[i], per_op[i], names[i]);

  // Inference keeps no winners; P stays the same.
  NoGradScope no_grad;
  const Var P = attention_pool(Var(F), guidance, Var(weights[0]), Var(weights[1]), Var(weights[2]),
                               Var(weights[3]), Var(weights[4]));
  require_same_values(P.value(), per_op[0], "P without a graph");
}

void check_attention_pool_shapes(Device device, DType dtype) {
  unsigned seed = 61;
  for (AttentionShape a : {AttentionShape{2, 8, 8, 12, 2},     // smaller than a tile
                           AttentionShape{1, 3, 20, 36, 1},    // partial tiles in both directions
                           AttentionShape{3, 32, 16, 16, 4}})  // the model's channels, one tile
    check_attention_pool(device, dtype, a, seed++);
}

TEST_CASE("attention_pool: the CPU's fused op gives the values of the ops it fuses",
          "[attention_pool]") {
  check_attention_pool_shapes(Device::CPU, DType::F32);
  check_attention_pool_shapes(Device::CPU, DType::F64);
}

TEST_CASE("attention_pool: the emulator's fused kernels give the values of the per-op kernels",
          "[attention_pool][emulator]") {
  check_attention_pool_shapes(Device::Emulator, DType::F32);
}

TEST_CASE("attention_pool: the GPU's fused kernels give the values of the per-op kernels",
          "[attention_pool][gpu]") {
  on_gpu([]<class Set>() { check_attention_pool_shapes(device_of<Set>(), DType::F32); });
}

TEST_CASE("attention_pool: refuses a plane whose sides are not multiples of 4",
          "[attention_pool]") {
  const Tensor F({1, 2, 6, 8}, DType::F32), guidance({1, 2}, DType::F32);
  const Var w1(Tensor({1, 2}, DType::F32)), b1(Tensor({1}, DType::F32)),
      w2(Tensor({2, 1}, DType::F32)), b2(Tensor({2}, DType::F32)),
      ws(Tensor({1, 2, 7, 7}, DType::F32));
  REQUIRE_THROWS_WITH(attention_pool(Var(F), guidance, w1, b1, w2, b2, ws),
                      Catch::Contains("multiples of 4") && Catch::Contains("1x2x6x8"));
}

}  // namespace
}  // namespace braincam::test
