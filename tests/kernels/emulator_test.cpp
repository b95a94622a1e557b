// The SIMT emulator itself: barriers, shared memory, warp collectives, asynchronous copies,
// atomics, TF32 tensor cores, launch checks.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <vector>

#include "kernels/cuda/async_copy.h"
#include "kernels/cuda/block_reduce.h"
#include "kernels/cuda/simt.h"
#include "kernels/cuda/tensor_core.h"

namespace braincam::cuda {
namespace {

constexpr int kThreads = 256;

// out[t] = t + 1 read back through shared memory from thread t + 1 (cyclically). Without the
// barrier, a thread may read its neighbour's slot before the neighbour wrote it.
template <bool kBarrier>
__global__ void rotate_through_shared(float* out) {
  BRAINCAM_SHARED(float, values, kThreads);
  const int t = threadIdx.x;
  values[t] = static_cast<float>(t);
  if (kBarrier) __syncthreads();
  out[t] = values[(t + 1) % kThreads];
}

std::vector<float> rotate(bool barrier) {
  std::vector<float> out(kThreads, -1.0f);
  if (barrier)
    launch(rotate_through_shared<true>, 1, kThreads, 0, nullptr, out.data());
  else
    launch(rotate_through_shared<false>, 1, kThreads, 0, nullptr, out.data());
  return out;
}

bool rotated(const std::vector<float>& out) {
  for (int t = 0; t < kThreads; ++t)
    if (out[t] != static_cast<float>((t + 1) % kThreads)) return false;
  return true;
}

TEST_CASE("emulator: a missing __syncthreads gives a wrong result, the barrier a right one",
          "[emulator]") {
  for (std::uint64_t seed : {1, 2, 3, 4, 5}) {
    INFO("schedule seed " << seed);
    emulator::set_schedule_seed(seed);
    CHECK(rotated(rotate(true)));
    CHECK_FALSE(rotated(rotate(false)));
  }
}

TEST_CASE("emulator: the schedule is a function of the seed", "[emulator]") {
  auto bits = [](std::uint64_t seed) {
    emulator::set_schedule_seed(seed);
    const std::vector<float> out = rotate(false);
    std::vector<std::uint32_t> b(out.size());
    std::memcpy(b.data(), out.data(), out.size() * sizeof(float));
    return b;
  };
  CHECK(bits(7) == bits(7));
  CHECK(bits(7) != bits(8));
}

// Each block reads its shared memory before writing it (out: what it found), then stores its
// index there. Static and dynamic arrays must not overlap.
__global__ void shared_memory_per_block(float* found, float* sums, int dynamic_count) {
  BRAINCAM_SHARED(float, first, 1);
  BRAINCAM_SHARED(int, second, 64);
  BRAINCAM_DYNAMIC_SHARED(float, dynamic);
  const int t = threadIdx.x;
  if (t == 0) found[blockIdx.x] = first[0];
  __syncthreads();
  if (t == 0) first[0] = static_cast<float>(blockIdx.x);
  second[t] = 1000 + t;
  for (int i = t; i < dynamic_count; i += blockDim.x) dynamic[i] = 1.0f;
  __syncthreads();
  if (t == 0) {
    float total = first[0];
    for (int i = 0; i < 64; ++i) total += static_cast<float>(second[i]);
    for (int i = 0; i < dynamic_count; ++i) total += dynamic[i];
    sums[blockIdx.x] = total;
  }
}

TEST_CASE("emulator: every block gets its own poisoned shared memory", "[emulator]") {
  const int blocks = 5, dynamic_count = 100;
  std::vector<float> found(blocks, 0.0f), sums(blocks, 0.0f);
  launch(shared_memory_per_block, blocks, 64, dynamic_count * sizeof(float), nullptr, found.data(),
         sums.data(), dynamic_count);
  const float second_total = 64 * 1000 + 63 * 64 / 2;
  for (int b = 0; b < blocks; ++b) {
    INFO("block " << b);
    CHECK(std::isnan(found[b]));  // not the previous block's value
    CHECK(sums[b] == b + second_total + dynamic_count);
  }
}

// Per warp of 32 lanes holding v = lane + 1: reductions, scans, broadcasts and votes.
__global__ void warp_collectives(int* out) {
  const int lane = threadIdx.x % 32, warp_base = (blockIdx.x * blockDim.x + threadIdx.x) / 32 * 32;
  const unsigned all = 0xffffffffu;
  int v = lane + 1;
  int down = v;
  for (int offset = 16; offset > 0; offset /= 2) down += __shfl_down_sync(all, down, offset);
  int butterfly = v;
  for (int mask = 16; mask > 0; mask /= 2) butterfly += __shfl_xor_sync(all, butterfly, mask);
  int scan = v;
  for (int offset = 1; offset < 32; offset *= 2) {
    const int before = __shfl_up_sync(all, scan, offset);
    if (lane >= offset) scan += before;
  }
  int segment = v;  // sums over segments of 8 lanes
  for (int offset = 4; offset > 0; offset /= 2)
    segment += __shfl_down_sync(all, segment, offset, 8);
  const double wide = __shfl_sync(all, 0.5 + lane, 3);
  const unsigned odd = __ballot_sync(all, lane % 2);
  const int any_big = __any_sync(all, lane == 31), all_big = __all_sync(all, lane > 0);
  __syncwarp();
  int* o = out + (warp_base + lane) * 8;
  o[0] = down;
  o[1] = butterfly;
  o[2] = scan;
  o[3] = segment;
  o[4] = static_cast<int>(wide * 2);
  o[5] = static_cast<int>(odd);
  o[6] = any_big;
  o[7] = all_big;
}

TEST_CASE("emulator: warp shuffles, ballots and votes behave as on a GPU", "[emulator]") {
  const int blocks = 2, threads = 64;
  std::vector<int> out(blocks * threads * 8, -1);
  launch(warp_collectives, blocks, threads, 0, nullptr, out.data());
  for (int g = 0; g < blocks * threads; ++g) {
    const int lane = g % 32;
    const int* o = &out[g * 8];
    INFO("thread " << g);
    if (lane == 0) CHECK(o[0] == 32 * 33 / 2);        // the down-shift reduction lands in lane 0
    CHECK(o[1] == 32 * 33 / 2);                       // the butterfly gives every lane the sum
    CHECK(o[2] == (lane + 1) * (lane + 2) / 2);       // inclusive prefix sum
    if (lane % 8 == 0) CHECK(o[3] == 8 * lane + 36);  // sum of lanes lane..lane+7, plus 8
    CHECK(o[4] == 7);                                 // lane 3's 3.5, doubled
    CHECK(static_cast<unsigned>(o[5]) == 0xaaaaaaaau);
    CHECK(o[6] == 1);
    CHECK(o[7] == 0);
  }
}

// warp_reduce (one warp collective in the emulator) and the shuffle tree it stands for, written
// out with shuffles: sums whose bits depend on the order, and a first maximum with ties.
__global__ void warp_reduce_against_shuffles(float* sums, ValueIndex* maxima) {
  const int g = blockIdx.x * blockDim.x + threadIdx.x;
  const float value = 1.0f / static_cast<float>(3 + g);
  const ValueIndex candidate{static_cast<float>(g % 5), g % 7};
  float sum = value;
  ValueIndex best = candidate;
  for (int offset = 16; offset > 0; offset /= 2) {
    sum += __shfl_down_sync(kFullWarp, sum, offset);
    best = FirstMax{}(best, {__shfl_down_sync(kFullWarp, best.value, offset),
                             __shfl_down_sync(kFullWarp, best.index, offset)});
  }
  sums[2 * g] = warp_reduce(value, Sum{});
  sums[2 * g + 1] = sum;
  maxima[2 * g] = warp_reduce(candidate, FirstMax{});
  maxima[2 * g + 1] = best;
}

TEST_CASE("emulator: warp_reduce gives every lane the bits of its shuffle tree", "[emulator]") {
  const int blocks = 2, threads = 64;
  std::vector<float> sums(2 * blocks * threads);
  std::vector<ValueIndex> maxima(2 * blocks * threads);
  launch(warp_reduce_against_shuffles, blocks, threads, 0, nullptr, sums.data(), maxima.data());
  for (int g = 0; g < blocks * threads; ++g) {
    INFO("thread " << g);
    CHECK(std::memcmp(&sums[2 * g], &sums[2 * g + 1], sizeof(float)) == 0);
    CHECK(maxima[2 * g].value == maxima[2 * g + 1].value);
    CHECK(maxima[2 * g].index == maxima[2 * g + 1].index);
  }
  // Lane 0 holds the warp's first maximum: value 4 (threads 4, 9, 14, ...), the smallest index
  // among them (thread 14's 14 % 7 = 0).
  CHECK(maxima[0].value == 4.0f);
  CHECK(maxima[0].index == 0);
}

// One warp's mma_tf32_m16n8k8 of A = a_value everywhere, passed as its float bits, not rounded
// to TF32, B = 1 and C = 0: D = 8 times a_value cut to its TF32 bits.
__global__ void product_of_unrounded(float* D, float a_value) {
  const std::uint32_t a[4] = {__float_as_uint(a_value), __float_as_uint(a_value),
                              __float_as_uint(a_value), __float_as_uint(a_value)};
  const std::uint32_t b[2] = {tf32_round(1.0f), tf32_round(1.0f)};
  float d[4] = {};
  mma_tf32_m16n8k8(d, a, b);
  for (int i = 0; i < 4; ++i) D[threadIdx.x * 4 + i] = d[i];
}

TEST_CASE("emulator: a tensor-core multiply-add reads only its operands' TF32 bits", "[emulator]") {
  // As tensor cores do: 1 + 2^-12 counts as 1. (tests/kernels/tensor_core_test.cpp checks the
  // product and the rounding, on the GPU too.)
  std::vector<float> D(128, -1.0f);
  launch(product_of_unrounded, 1, 32, 0, nullptr, D.data(), 1.0f + std::ldexp(1.0f, -12));
  CHECK(std::all_of(D.begin(), D.end(), [](float d) { return d == 8.0f; }));
}

__global__ void atomics(int* counter, unsigned* maximum, float* total, int* exchanged,
                        unsigned long long* claimed) {
  const unsigned id = blockIdx.x * blockDim.x + threadIdx.x;
  atomicAdd(counter, 1);
  atomicMax(maximum, id);
  atomicAdd(total, 0.5f);
  atomicExch(exchanged, 7);
  atomicCAS(claimed, 0ull, 1ull + id);  // only the first thread to come claims it
}

TEST_CASE("emulator: atomics", "[emulator]") {
  int counter = 0, exchanged = 0;
  unsigned maximum = 0;
  float total = 0.0f;
  unsigned long long claimed = 0;
  launch(atomics, 3, 100, 0, nullptr, &counter, &maximum, &total, &exchanged, &claimed);
  CHECK(counter == 300);
  CHECK(maximum == 299);
  CHECK(total == 150.0f);
  CHECK(exchanged == 7);
  CHECK(claimed >= 1);
  CHECK(claimed <= 300);
}

// Every (block, thread) of a 3-dimensional launch runs exactly once, with consistent coordinates.
__global__ void coordinates(int* hits) {
  const unsigned block = blockIdx.x + gridDim.x * (blockIdx.y + gridDim.y * blockIdx.z);
  const unsigned thread = threadIdx.x + blockDim.x * (threadIdx.y + blockDim.y * threadIdx.z);
  hits[block * blockDim.x * blockDim.y * blockDim.z + thread] += 1;
}

TEST_CASE("emulator: 3-d grids and blocks run every thread once", "[emulator]") {
  const dim3 grid(3, 2, 2), block(4, 3, 5);
  std::vector<int> hits(3 * 2 * 2 * 4 * 3 * 5, 0);
  launch(coordinates, grid, block, 0, nullptr, hits.data());
  CHECK(std::count(hits.begin(), hits.end(), 1) == static_cast<long>(hits.size()));
}

// out[t] = the value thread t + 1 copied asynchronously into shared memory (zero for odd
// threads, whose copies are invalid), read after the barrier. Waiting for the copies only after
// the neighbours have read them is a bug.
template <bool kWaitBeforeBarrier>
__global__ void copy_through_shared(const float* in, float* out) {
  BRAINCAM_SHARED(float, values, kThreads);
  const int t = threadIdx.x;
  copy_async(&values[t], in + t, t % 2 == 0);
  if (kWaitBeforeBarrier) copy_async_wait_all();
  __syncthreads();
  out[t] = values[(t + 1) % kThreads];
  if (!kWaitBeforeBarrier) copy_async_wait_all();
}

__global__ void never_waits(const float* in, float* out) {
  BRAINCAM_SHARED(float, values, kThreads);
  copy_async(&values[threadIdx.x], in + threadIdx.x, true);
  out[threadIdx.x] = 0.0f;
}

TEST_CASE("emulator: asynchronous copies land by the wait and some no sooner", "[emulator]") {
  std::vector<float> in(kThreads), out(kThreads);
  for (int t = 0; t < kThreads; ++t) in[t] = static_cast<float>(t + 1);
  auto exact = [&] {
    for (int t = 0; t < kThreads; ++t) {
      const int source = (t + 1) % kThreads;
      if (!(out[t] == (source % 2 == 0 ? in[source] : 0.0f))) return false;
    }
    return true;
  };
  emulator::set_schedule_seed(3);
  launch(copy_through_shared<true>, 1, kThreads, 0, nullptr, in.data(), out.data());
  CHECK(exact());
  launch(copy_through_shared<false>, 1, kThreads, 0, nullptr, in.data(), out.data());
  CHECK_FALSE(exact());
  CHECK_THROWS_WITH(launch(never_waits, 1, kThreads, 0, nullptr, in.data(), out.data()),
                    Catch::Contains("never waited for"));
}

__global__ void exits_before_barrier(int* out) {
  if (threadIdx.x == 5) return;
  __syncthreads();
  out[threadIdx.x] = 1;
}

__global__ void exits_before_shuffle(int* out) {
  if (threadIdx.x == 5) return;
  out[threadIdx.x] = __shfl_down_sync(0xffffffffu, 1, 1);
}

__global__ void too_much_shared(int* out) {
  BRAINCAM_SHARED(float, big, 13000);  // 52000 bytes
  big[threadIdx.x] = 0.0f;
  out[0] = 1;
}

__global__ void nothing(int*) {}

TEST_CASE("emulator: broken kernels and launches are errors, not hangs or crashes", "[emulator]") {
  std::vector<int> out(64, 0);
  CHECK_THROWS_WITH(launch(exits_before_barrier, 1, 64, 0, nullptr, out.data()),
                    Catch::Contains("exited without reaching"));
  CHECK_THROWS_WITH(launch(exits_before_shuffle, 1, 32, 0, nullptr, out.data()),
                    Catch::Contains("has exited"));
  CHECK_THROWS_WITH(launch(too_much_shared, 1, 32, 0, nullptr, out.data()),
                    Catch::Contains("shared memory"));
  CHECK_THROWS_AS(launch(nothing, 1, 1025, 0, nullptr, out.data()), std::invalid_argument);
  CHECK_THROWS_AS(launch(nothing, 0, 32, 0, nullptr, out.data()), std::invalid_argument);
  CHECK_THROWS_AS(launch(nothing, 1, 32, 64 * 1024, nullptr, out.data()), std::invalid_argument);
  // And the emulator still works afterwards.
  std::fill(out.begin(), out.end(), 0);
  emulator::set_schedule_seed(1);
  CHECK(rotated(rotate(true)));
}

}  // namespace
}  // namespace braincam::cuda
