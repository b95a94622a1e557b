// The machine's arithmetic limit for float32: a tight loop of independent fused multiply-adds
// on the widest vectors the CPU has, on every OpenMP thread. Prints GFLOP/s (2 flops per lane
// per FMA); with --json one object {"threads", "simd", "gflop_per_s"}.
#include <immintrin.h>
#include <omp.h>

#include <chrono>
#include <cstdio>
#include <cstring>

namespace {

constexpr int kChains = 12;  // independent accumulators: enough to cover FMA latency x ports
constexpr long kIterations = 200'000'000 / kChains;

// kChains independent chains acc = acc * 1 + 1e-7 (no chain waits on another).
#define BRAINCAM_FMA_LOOP(V, SET1, FMA, FIRST)                            \
  V acc[kChains];                                                         \
  for (int c = 0; c < kChains; ++c) acc[c] = SET1(static_cast<float>(c)); \
  const V one = SET1(1.0f), tiny = SET1(1e-7f);                           \
  for (long i = 0; i < kIterations; ++i)                                  \
    for (int c = 0; c < kChains; ++c) acc[c] = FMA(acc[c], one, tiny);    \
  double sink = 0;                                                        \
  for (int c = 0; c < kChains; ++c) sink += FIRST(acc[c]);                \
  return sink;

__attribute__((target("avx512f"))) double loop_avx512() {
  BRAINCAM_FMA_LOOP(__m512, _mm512_set1_ps, _mm512_fmadd_ps, _mm512_cvtss_f32)
}
__attribute__((target("avx2,fma"))) double loop_avx2() {
  BRAINCAM_FMA_LOOP(__m256, _mm256_set1_ps, _mm256_fmadd_ps, _mm256_cvtss_f32)
}

}  // namespace

int main(int argc, char** argv) {
  const bool json = argc > 1 && std::strcmp(argv[1], "--json") == 0;
  const bool avx512 = __builtin_cpu_supports("avx512f");
  const int lanes = avx512 ? 16 : 8;
  double best = 0;
  for (int repeat = 0; repeat < 3; ++repeat) {
    double sink = 0;
    const auto start = std::chrono::steady_clock::now();
#pragma omp parallel reduction(+ : sink)
    sink += avx512 ? loop_avx512() : loop_avx2();
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const double flops =
        2.0 * lanes * kChains * static_cast<double>(kIterations) * omp_get_max_threads();
    if (sink == 42) std::puts("");  // keeps the loops
    if (flops / seconds > best) best = flops / seconds;
  }
  if (json)
    std::printf("{\"threads\": %d, \"simd\": \"%s\", \"gflop_per_s\": %.1f}\n",
                omp_get_max_threads(), avx512 ? "avx512" : "avx2", best * 1e-9);
  else
    std::printf("peak: %.1f GFLOP/s float32 (%s FMA loop, %d threads)\n", best * 1e-9,
                avx512 ? "AVX-512" : "AVX2", omp_get_max_threads());
}
