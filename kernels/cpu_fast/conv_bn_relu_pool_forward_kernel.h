#pragma once
// The body of conv_bn_relu_pool_forward for V float lanes, included by one file per instruction
// set (conv_bn_relu_pool_forward_avx2.cpp, _avx512.cpp). Everything here has internal linkage,
// so code compiled for AVX-512 never stands in for the AVX2 copy; for the same reason it uses no
// standard-library templates, whose out-of-line copies the linker could pick from either file.
//
// One task is one image and one row of pooled outputs (4 conv rows, 8 padded input rows). For a
// block of KB channels and V columns the 4 x KB conv row vectors stay in registers while the
// 8 input rows of each (input channel, kernel column) are loaded once and used by all 5 kernel
// rows; the epilogue applies the affine map, takes the maximum of each 4x4 window (the first
// in row-major order) and its ReLU, and stores one value per window.
#include <immintrin.h>

#include <cstdint>

#include "kernels/cpu_fast/padded_images.h"

namespace braincam::cpu_fast {
namespace {

constexpr int kSize = 5, kTaps = 25, kPool = 4;

// V-lane float and int32 vectors (GCC vector extensions: +, *, comparisons, ?:, [] per lane).
template <int V>
struct Vec;
template <>
struct Vec<8> {
  typedef float f __attribute__((vector_size(32)));
  typedef std::int32_t i __attribute__((vector_size(32)));
};
template <>
struct Vec<16> {
  typedef float f __attribute__((vector_size(64)));
  typedef std::int32_t i __attribute__((vector_size(64)));
};

// a * b + c with one rounding (an explicit FMA: ISO C++ mode does not contract a * b + c), and
// x in every lane (vf{} + x would cost an addition: it must turn -0 into +0).
#if defined(__AVX512F__)
inline Vec<16>::f fmadd(Vec<16>::f a, Vec<16>::f b, Vec<16>::f c) {
  return _mm512_fmadd_ps(a, b, c);
}
template <int V>
inline typename Vec<V>::f splat(float x) requires(V == 16) {
  return _mm512_set1_ps(x);
}
#endif
inline Vec<8>::f fmadd(Vec<8>::f a, Vec<8>::f b, Vec<8>::f c) { return _mm256_fmadd_ps(a, b, c); }
template <int V>
inline typename Vec<V>::f splat(float x) requires(V == 8) {
  return _mm256_set1_ps(x);
}

template <class T>
inline T load(const float* p) {
  T v;
  __builtin_memcpy(&v, p, sizeof v);
  return v;
}

// Stores the first `count` lanes of v at p.
template <class T, class E>
inline void store_first(E* p, const T& v, int count) {
  __builtin_memcpy(p, &v, count * sizeof(E));
}

// Keeps, lane by lane, the larger value of (best, idx, h) and (other value, other index, other
// h); on equal values the smaller window index, i.e. the first maximum in row-major order.
template <int V>
inline void keep_first_max(typename Vec<V>::f& best, typename Vec<V>::i& idx, typename Vec<V>::f& h,
                           typename Vec<V>::f other, typename Vec<V>::i other_idx,
                           typename Vec<V>::f other_h) {
  const typename Vec<V>::i take = (other > best) | ((other == best) & (other_idx < idx));
  best = take ? other : best;
  idx = take ? other_idx : idx;
  h = take ? other_h : h;
}

template <int V, int KB, bool kWinners>
void forward_kernel(float* F, std::uint8_t* winner, float* h_winner, const float* xp,
                    const float* w, const float* b, const float* scale, const float* shift, int N,
                    int C, int H, int W, int K, int Kp) {
  using vf = typename Vec<V>::f;
  using vi = typename Vec<V>::i;
  const int Hp = padded_rows(H), Wp = padded_cols(W), Ho = H / kPool, Wo = W / kPool;
  const long plane = static_cast<long>(Hp) * Wp;
  const int P = C * kTaps;
  // Lane l holds column l % 4 of window l / 4; the reduction pairs lanes l ^ 1, then l ^ 2, and
  // leaves window q's result in lane 4q, which `pick` moves to lane q for one store per vector.
  vi column, swap1, swap2, pick;
  for (int l = 0; l < V; ++l) {
    column[l] = l % kPool;
    swap1[l] = l ^ 1;
    swap2[l] = l ^ 2;
    pick[l] = kPool * l % V;
  }
  constexpr int kWindows = V / kPool;  // pooled outputs per vector
  const vf zero = splat<V>(0.0f);
  const long tasks = static_cast<long>(N) * Ho;
#pragma omp parallel for schedule(static)
  for (long task = 0; task < tasks; ++task) {
    const int n = static_cast<int>(task / Ho), i = static_cast<int>(task % Ho);
    const float* rows = xp + static_cast<long>(n) * C * plane + static_cast<long>(kPool * i) * Wp;
    for (int k0 = 0; k0 < Kp; k0 += KB)
      for (int w0 = 0; w0 < W; w0 += V) {
        vf acc[KB][kPool];
        for (int k = 0; k < KB; ++k)
          for (int r = 0; r < kPool; ++r) acc[k][r] = splat<V>(b[k0 + k]);
        for (int c = 0; c < C; ++c)
          for (int kw = 0; kw < kSize; ++kw) {
            const float* col = rows + c * plane + w0 + kw;
            vf in[kPool + kSize - 1];
            for (int t = 0; t < kPool + kSize - 1; ++t)
              in[t] = load<vf>(col + static_cast<long>(t) * Wp);
            const float* wk = w + static_cast<long>(k0) * P + c * kTaps + kw;
            for (int kh = 0; kh < kSize; ++kh)
              for (int k = 0; k < KB; ++k) {
                const vf wv = splat<V>(wk[k * P + kh * kSize]);
                for (int r = 0; r < kPool; ++r) acc[k][r] = fmadd(wv, in[r + kh], acc[k][r]);
              }
          }
        for (int k = 0; k < KB && k0 + k < K; ++k) {
          const vf s = splat<V>(scale[k0 + k]), t = splat<V>(shift[k0 + k]);
          const long out = ((static_cast<long>(n) * K + k0 + k) * Ho + i) * Wo + w0 / kPool;
          vf best = fmadd(acc[k][0], s, t);
          if constexpr (kWinners) {
            vi idx = column;
            vf h = acc[k][0];
            for (int r = 1; r < kPool; ++r)
              keep_first_max<V>(best, idx, h, fmadd(acc[k][r], s, t), column + kPool * r,
                                acc[k][r]);
            keep_first_max<V>(best, idx, h, __builtin_shuffle(best, swap1),
                              __builtin_shuffle(idx, swap1), __builtin_shuffle(h, swap1));
            keep_first_max<V>(best, idx, h, __builtin_shuffle(best, swap2),
                              __builtin_shuffle(idx, swap2), __builtin_shuffle(h, swap2));
            store_first(F + out, __builtin_shuffle(best > zero ? best : zero, pick), kWindows);
            // The winners byte by byte from the low lanes: narrowing a vector to bytes takes one
            // instruction with AVX-512 but a long sequence with AVX2.
            const vi idx_picked = __builtin_shuffle(idx, pick);
            for (int q = 0; q < kWindows; ++q)
              winner[out + q] = static_cast<std::uint8_t>(idx_picked[q]);
            store_first(h_winner + out, __builtin_shuffle(h, pick), kWindows);
          } else {
            for (int r = 1; r < kPool; ++r) {
              const vf y = fmadd(acc[k][r], s, t);
              best = y > best ? y : best;
            }
            vf other = __builtin_shuffle(best, swap1);
            best = other > best ? other : best;
            other = __builtin_shuffle(best, swap2);
            best = other > best ? other : best;
            store_first(F + out, __builtin_shuffle(best > zero ? best : zero, pick), kWindows);
          }
        }
      }
  }
}

// KB channels per block: as many as the registers hold (4 x KB accumulators and 8 input rows).
// The parameters hold Kp channels, a multiple of KB; those past K are computed and dropped.
template <int V, int KB>
void forward(float* F, std::uint8_t* winner, float* h_winner, const float* xp, const float* w,
             const float* b, const float* scale, const float* shift, int N, int C, int H, int W,
             int K, int Kp) {
  static_assert(kChannelBlock % KB == 0);
  if (winner)
    forward_kernel<V, KB, true>(F, winner, h_winner, xp, w, b, scale, shift, N, C, H, W, K, Kp);
  else
    forward_kernel<V, KB, false>(F, nullptr, nullptr, xp, w, b, scale, shift, N, C, H, W, K, Kp);
}

}  // namespace
}  // namespace braincam::cpu_fast
