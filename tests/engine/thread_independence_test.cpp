// The CPU reference ops whose loops run in parallel (OpenMP) give the same bits for any number of
// threads: each output's sum is the same loop in the same order, whichever thread runs it.
#include <omp.h>

#include <catch2/catch.hpp>
#include <functional>
#include <vector>

#include "engine/ops.h"
#include "tests/engine/random_tensors.h"
#include "tests/engine/test_ops.h"
#include "tests/fast_cpu/tensor_compare.h"

using namespace braincam;
using namespace braincam::test;

namespace {

// The op's output and the gradients of sum(output * R) with respect to its inputs, computed with
// `threads` threads.
std::vector<Tensor> run(int threads, const std::vector<Tensor>& inputs, const Tensor& R,
                        const std::function<Var(const std::vector<Var>&)>& op) {
  const int before = omp_get_max_threads();
  omp_set_num_threads(threads);
  std::vector<Var> vars;
  for (const Tensor& t : inputs) vars.emplace_back(t.clone(), true);
  const Var out = op(vars);
  backward(weighted_sum(out, R));
  omp_set_num_threads(before);
  std::vector<Tensor> results{out.value()};
  for (const Var& v : vars) results.push_back(v.grad());
  return results;
}

void check_thread_independence(const std::vector<Tensor>& inputs, const Tensor& R,
                               const std::function<Var(const std::vector<Var>&)>& op) {
  const std::vector<Tensor> one = run(1, inputs, R, op), three = run(3, inputs, R, op);
  for (std::size_t i = 0; i < one.size(); ++i) {
    INFO("result " << i << " (0: the output, then the inputs' gradients)");
    CHECK(bitwise_equal(one[i], three[i]));
  }
}

}  // namespace

TEST_CASE("reference ops: the same bits for 1 and 3 threads", "[threads]") {
  Rng rng(17);
  const std::int64_t N = 5, C = 6, H = 12, W = 16;
  const Tensor x = uniform({N, C, H, W}, -2, 2, rng), R = uniform({N, C, H, W}, -1, 1, rng);
  SECTION("spatial attention") {
    check_thread_independence(
        {x, uniform({1, 2, 7, 7}, -0.5, 0.5, rng)}, R,
        [](const std::vector<Var>& v) { return spatial_attention(v[0], v[1]); });
  }
  SECTION("channel attention") {
    const Tensor guidance = random_distribution(N, (H / 4) * (W / 4), rng);
    check_thread_independence({x, uniform({3, C}, -1, 1, rng), uniform({3}, -1, 1, rng),
                               uniform({C, 3}, -1, 1, rng), uniform({C}, -1, 1, rng)},
                              R, [&](const std::vector<Var>& v) {
                                return channel_attention(v[0], guidance, v[1], v[2], v[3], v[4]);
                              });
  }
  SECTION("conv5x5") {
    const Tensor K = uniform({N, 4, H, W}, -1, 1, rng);
    check_thread_independence({x, uniform({4, C, 5, 5}, -0.2, 0.2, rng), uniform({4}, -1, 1, rng)},
                              K,
                              [](const std::vector<Var>& v) { return conv5x5(v[0], v[1], v[2]); });
  }
  SECTION("batchnorm in training") {
    check_thread_independence({x, uniform({C}, 0.5, 1.5, rng), uniform({C}, -1, 1, rng)}, R,
                              [&](const std::vector<Var>& v) {
                                return batchnorm_train(
                                    v[0], v[1], v[2], Tensor::zeros({C}, DType::F64),
                                    Tensor::full({C}, 1.0, DType::F64), 0.1, 1e-5);
                              });
  }
  SECTION("maxpool4") {
    const Tensor P = uniform({N, C, H / 4, W / 4}, -1, 1, rng);
    check_thread_independence({x}, P, [](const std::vector<Var>& v) { return maxpool4(v[0]); });
  }
}
