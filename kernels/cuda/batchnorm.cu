// Batch normalization. Every channel statistic is a deterministic two-level reduction in double:
//
// batchnorm_*_partials_kernel: one block per slice of a plane (image n, channel c; PlaneSlices)
//   sums its values (each thread a strided share of quads, then block_sum) into
//   partial[c][n][slice].
// batchnorm_normalize_kernel / batchnorm_input_gradient_kernel: one block per slice; its first
//   warp adds the channel's partials (lane j those at j, j + 32, ..., then a shuffle tree) and
//   turns them into the statistics and the channel's coefficients, then the block applies them.
//   Every block of a channel adds the same partials in the same order, so all get the same bits;
//   the channel's first block writes the statistics (mean and var, or dgamma and dbeta). That
//   costs each block a few loads from L2, where a kernel of its own for the coefficients cost a
//   launch: at batch 1 these passes take a few microseconds each, and launches and scratch
//   allocations were much of their time. A pass is then two launches, evaluation one.
//
// The sums run in double, as the CPU reference's do, so the float32 results are the reference's
// up to the final rounding. The training statistics take one pass over x: the sums of d = x - x0
// and d^2, with x0 the channel's first value, give mean = x0 + sum d / n and
// var = (sum d^2 - (sum d)^2 / n) / n without the cancellation of raw sums of squares.
//
// The passes are bound by memory bandwidth: each thread moves four consecutive values at a time
// (one 16-byte access where the addresses allow), several of them in flight, and the elementwise
// passes take their blocks in reverse order, starting on the planes the reduction read last,
// which may still be in L2.
#include <algorithm>
#include <cstdint>
#include <initializer_list>

#include "kernels/cuda/batchnorm.h"
#include "kernels/cuda/block_reduce.h"
#include "kernels/cuda/positive_sizes.h"
#include "kernels/cuda/simt.h"

namespace braincam::cuda {

namespace {

constexpr int kThreads = 256;
constexpr int kQuad = 4;  // values a thread moves at a time

// How the launchers cut each plane of HW values: `count` slices of `length` values (a multiple
// of kQuad; the last slice may be shorter), one block per (plane, slice). A plane is one slice
// unless the batch has too few planes to keep the GPU busy (batch 1 has 32): then it gets up to
// enough slices for about kTargetBlocks blocks, none shorter than a quad per thread.
struct PlaneSlices {
  int count, length;
};

PlaneSlices plane_slices(int planes, int HW) {
  constexpr int kTargetBlocks = 1024, kShortest = kQuad * kThreads;
  const int wanted = (kTargetBlocks + planes - 1) / planes;
  const int most = (HW + kShortest - 1) / kShortest;
  const int count = std::max(1, std::min(wanted, most));
  const int length = ((HW + count - 1) / count + kQuad - 1) / kQuad * kQuad;
  return {(HW + length - 1) / length, length};
}

unsigned slice_blocks(int N, int C, PlaneSlices slices) {
  return static_cast<unsigned>(N) * static_cast<unsigned>(C) * static_cast<unsigned>(slices.count);
}

unsigned channel_blocks(int C) { return static_cast<unsigned>((C + kThreads - 1) / kThreads); }

// This block's values: plane `plane` (n * C + c) from `offset`, `begin` to `end` in the plane.
// The elementwise passes count the blocks backwards (`reversed`).
struct Slice {
  int plane, slice;
  long offset;  // of the plane's first value
  int begin, end;
};

__device__ __forceinline__ Slice block_slice(PlaneSlices slices, int HW, bool reversed) {
  const int block = reversed ? static_cast<int>(gridDim.x - 1 - blockIdx.x) : blockIdx.x;
  const int plane = block / slices.count, slice = block % slices.count;
  const int begin = slice * slices.length;
  const int end = begin + slices.length < HW ? begin + slices.length : HW;
  return {plane, slice, static_cast<long>(plane) * HW, begin, end};
}

// Four consecutive values; the last quad of a slice may hold fewer (`valid`).
struct Quad {
  float v[kQuad];
};

// The values in the quad from p of a slice ending at end: always kQuad with kVector (then HW is
// a multiple of kQuad).
template <bool kVector>
__device__ __forceinline__ int quad_values(int p, int end) {
  if constexpr (kVector) return kQuad;
  return end - p < kQuad ? end - p : kQuad;
}

// kVector: one 16-byte access (every plane of every array of the pass starts 16-byte aligned,
// see quads_aligned); else one value at a time. The same values either way, and since the
// threads take the same quads in the same order, the same results.
template <bool kVector>
__device__ __forceinline__ Quad load_quad(const float* __restrict__ p, int valid) {
  Quad q{};
  if constexpr (kVector) {
    const float4 f = *reinterpret_cast<const float4*>(p);
    q = {{f.x, f.y, f.z, f.w}};
  } else {
    for (int j = 0; j < valid; ++j) q.v[j] = p[j];
  }
  return q;
}

template <bool kVector>
__device__ __forceinline__ void store_quad(float* __restrict__ p, const Quad& q, int valid) {
  if constexpr (kVector) {
    *reinterpret_cast<float4*>(p) = float4{q.v[0], q.v[1], q.v[2], q.v[3]};
  } else {
    for (int j = 0; j < valid; ++j) p[j] = q.v[j];
  }
}

// Whether every plane of every array starts on a 16-byte boundary, for the kVector passes.
bool quads_aligned(int HW, std::initializer_list<const float*> arrays) {
  if (HW % kQuad != 0) return false;
  for (const float* a : arrays)
    if (reinterpret_cast<std::uintptr_t>(a) % sizeof(float4) != 0) return false;
  return true;
}

// The first value of this thread's first quad, and the step to its next: the quads of a slice
// are dealt to the threads in turn.
__device__ __forceinline__ int first_quad(const Slice& s) { return s.begin + kQuad * threadIdx.x; }
constexpr int kQuadStep = kQuad * kThreads;

// Per channel: y = x * scale + shift, computed in A (double in training, float in evaluation).
template <class A>
struct Affine {
  A scale, shift;
};

// What the input gradient of a channel needs: dx = k * (dy - a - xhat * b),
// xhat = (x - mean) * invstd.
struct GradientCoefficients {
  double mean, invstd, k, a, b;
};

// partial_d[c][n][slice], partial_d2[c][n][slice]: the sums of d and d^2 over a slice of plane
// (n, c), d = x - x[0][c][0].
template <bool kVector>
__device__ void statistics_partials(double* __restrict__ partial_d, double* __restrict__ partial_d2,
                                    const float* __restrict__ x, int N, int C, int HW,
                                    PlaneSlices slices) {
  const Slice s = block_slice(slices, HW, false);
  const int n = s.plane / C, c = s.plane % C;
  const float* plane = x + s.offset;
  const double pivot = x[static_cast<long>(c) * HW];
  double d = 0.0, d2 = 0.0;
  BRAINCAM_UNROLL_BY(4)
  for (int p = first_quad(s); p < s.end; p += kQuadStep) {
    const int valid = quad_values<kVector>(p, s.end);
    const Quad q = load_quad<kVector>(plane + p, valid);
    BRAINCAM_UNROLL
    for (int j = 0; j < kQuad; ++j) {
      if (j >= valid) break;
      const double v = q.v[j] - pivot;
      d += v;
      d2 += v * v;
    }
  }
  d = block_sum<kThreads>(d);
  d2 = block_sum<kThreads>(d2);
  if (threadIdx.x == 0) {
    const long at = (static_cast<long>(c) * N + n) * slices.count + s.slice;
    partial_d[at] = d;
    partial_d2[at] = d2;
  }
}

__global__ void batchnorm_statistics_partials_kernel(double* __restrict__ partial_d,
                                                     double* __restrict__ partial_d2,
                                                     const float* __restrict__ x, int N, int C,
                                                     int HW, PlaneSlices slices, bool vector) {
  if (vector)
    statistics_partials<true>(partial_d, partial_d2, x, N, C, HW, slices);
  else
    statistics_partials<false>(partial_d, partial_d2, x, N, C, HW, slices);
}

// The totals of channel c's `count` partials of two sums, in lane 0 of the calling warp (every
// lane must call it): lane j adds the partials at j, j + 32, ... in order, then a shuffle tree.
struct Totals {
  double a, b;
};
__device__ __forceinline__ Totals channel_totals(const double* __restrict__ partial_a,
                                                 const double* __restrict__ partial_b, int c,
                                                 int count) {
  const long first = static_cast<long>(c) * count;
  Totals t{0.0, 0.0};
  for (int i = threadIdx.x % 32; i < count; i += 32) {
    t.a += partial_a[first + i];
    t.b += partial_b[first + i];
  }
  return {warp_reduce(t.a, Sum{}), warp_reduce(t.b, Sum{})};
}

// Where a block of an elementwise pass gets its channel's coefficients. A source is called by
// every lane of the block's first warp and gives the result in lane 0; `lead` is true in the
// channel's first block, which writes what the pass reports per channel.

// Training: the batch statistics from the partial sums of d = x - x0 and d^2; writes mean, var.
struct TrainingAffine {
  float *mean, *var;
  const double *partial_d, *partial_d2;
  const float *x, *gamma, *beta;
  int HW, count;     // count: partials per channel, N * slices
  double positions;  // N * HW
  float eps;

  __device__ Affine<double> operator()(int c, bool lead) const {
    // The per-channel loads first, so that they fly with the partials' (after the stores below
    // they would wait for them: the compiler cannot tell that mean and gamma differ).
    const double pivot = x[static_cast<long>(c) * HW], g = gamma[c], b = beta[c];
    const Totals t = channel_totals(partial_d, partial_d2, c, count);
    const double mu = pivot + t.a / positions;
    // Rounding may take the variance below zero.
    const double v = fmax((t.b - t.a * t.a / positions) / positions, 0.0);
    if (lead && threadIdx.x == 0) {
      mean[c] = static_cast<float>(mu);
      var[c] = static_cast<float>(v);
    }
    const double scale = g / sqrt(v + eps);
    return {scale, b - mu * scale};
  }
};

// Evaluation: from the running statistics, in float as the reference computes them.
struct EvalAffine {
  const float *gamma, *beta, *running_mean, *running_var;
  float eps;

  __device__ Affine<float> operator()(int c, bool) const {
    const float scale = gamma[c] / sqrtf(running_var[c] + eps);
    return {scale, beta[c] - running_mean[c] * scale};
  }
};

// Every thread of the block gets source(c, lead), computed by the first warp.
template <class Source>
__device__ auto block_coefficients(const Source& source, int c, bool lead) {
  using Result = decltype(source(c, lead));
  BRAINCAM_SHARED(Result, result, 1);
  if (threadIdx.x < 32) {
    const Result r = source(c, lead);
    if (threadIdx.x == 0) result[0] = r;
  }
  __syncthreads();
  return result[0];
}

// Whether block slice s is the first of its channel c (image 0, slice 0).
__device__ __forceinline__ bool leads_channel(const Slice& s, int c) {
  return s.plane == c && s.slice == 0;
}

// One block per slice: y = x * scale + shift of the plane's channel.
template <bool kVector, class Source>
__device__ void normalize(float* __restrict__ y, const float* __restrict__ x, const Source& source,
                          int C, int HW, PlaneSlices slices) {
  const Slice s = block_slice(slices, HW, true);
  const int c = s.plane % C;
  const auto a = block_coefficients(source, c, leads_channel(s, c));
  const float* in = x + s.offset;
  float* out = y + s.offset;
  BRAINCAM_UNROLL_BY(4)
  for (int p = first_quad(s); p < s.end; p += kQuadStep) {
    const int valid = quad_values<kVector>(p, s.end);
    Quad q = load_quad<kVector>(in + p, valid);
    BRAINCAM_UNROLL
    for (int j = 0; j < kQuad; ++j) q.v[j] = static_cast<float>(q.v[j] * a.scale + a.shift);
    store_quad<kVector>(out + p, q, valid);
  }
}

// At most 32 registers: 8 blocks per SM, so batch 1's 1,024 blocks run in one wave.
template <class Source>
__global__ void __launch_bounds__(kThreads, 8)
    batchnorm_normalize_kernel(float* __restrict__ y, const float* __restrict__ x, Source source,
                               int C, int HW, PlaneSlices slices, bool vector) {
  if (vector)
    normalize<true>(y, x, source, C, HW, slices);
  else
    normalize<false>(y, x, source, C, HW, slices);
}

__global__ void batchnorm_update_running_kernel(float* __restrict__ running_mean,
                                                float* __restrict__ running_var,
                                                const float* __restrict__ mean,
                                                const float* __restrict__ var, int C, float unbias,
                                                float momentum) {
  const int c = blockIdx.x * blockDim.x + threadIdx.x;
  if (c >= C) return;
  running_mean[c] = (1 - momentum) * running_mean[c] + momentum * mean[c];
  running_var[c] = (1 - momentum) * running_var[c] + momentum * var[c] * unbias;
}

// partial_dy[c][n][slice], partial_dy_xhat[c][n][slice]: the sums of dy and dy * xhat over a
// slice of plane (n, c).
template <bool kVector>
__device__ void backward_partials(double* __restrict__ partial_dy,
                                  double* __restrict__ partial_dy_xhat,
                                  const float* __restrict__ dy, const float* __restrict__ x,
                                  const float* __restrict__ mean, const float* __restrict__ var,
                                  int N, int C, int HW, PlaneSlices slices, float eps) {
  const Slice s = block_slice(slices, HW, false);
  const int n = s.plane / C, c = s.plane % C;
  const float* g_plane = dy + s.offset;
  const float* x_plane = x + s.offset;
  const double mu = mean[c], invstd = 1.0 / sqrt(static_cast<double>(var[c]) + eps);
  double sum_dy = 0.0, sum_dy_xhat = 0.0;
  BRAINCAM_UNROLL_BY(4)
  for (int p = first_quad(s); p < s.end; p += kQuadStep) {
    const int valid = quad_values<kVector>(p, s.end);
    const Quad g = load_quad<kVector>(g_plane + p, valid),
               v = load_quad<kVector>(x_plane + p, valid);
    BRAINCAM_UNROLL
    for (int j = 0; j < kQuad; ++j) {
      if (j >= valid) break;
      const double gj = g.v[j];
      sum_dy += gj;
      sum_dy_xhat += gj * ((v.v[j] - mu) * invstd);
    }
  }
  sum_dy = block_sum<kThreads>(sum_dy);
  sum_dy_xhat = block_sum<kThreads>(sum_dy_xhat);
  if (threadIdx.x == 0) {
    const long at = (static_cast<long>(c) * N + n) * slices.count + s.slice;
    partial_dy[at] = sum_dy;
    partial_dy_xhat[at] = sum_dy_xhat;
  }
}

__global__ void batchnorm_backward_partials_kernel(
    double* __restrict__ partial_dy, double* __restrict__ partial_dy_xhat,
    const float* __restrict__ dy, const float* __restrict__ x, const float* __restrict__ mean,
    const float* __restrict__ var, int N, int C, int HW, PlaneSlices slices, float eps,
    bool vector) {
  if (vector)
    backward_partials<true>(partial_dy, partial_dy_xhat, dy, x, mean, var, N, C, HW, slices, eps);
  else
    backward_partials<false>(partial_dy, partial_dy_xhat, dy, x, mean, var, N, C, HW, slices, eps);
}

// Backward: the coefficients of the input gradient from the partial sums of dy and dy * xhat;
// writes dgamma and dbeta.
struct GradientSource {
  float *dgamma, *dbeta;
  const double *partial_dy, *partial_dy_xhat;
  const float *mean, *var, *gamma;
  int count;         // partials per channel, N * slices
  double positions;  // N * HW
  float eps;

  __device__ GradientCoefficients operator()(int c, bool lead) const {
    const float mu = mean[c], v = var[c], g = gamma[c];  // first: see TrainingAffine
    const Totals t = channel_totals(partial_dy, partial_dy_xhat, c, count);
    if (lead && threadIdx.x == 0) {
      dbeta[c] = static_cast<float>(t.a);
      dgamma[c] = static_cast<float>(t.b);
    }
    const double invstd = 1.0 / sqrt(static_cast<double>(v) + eps);
    return {mu, invstd, g * invstd, t.a / positions, t.b / positions};
  }
};

// One block per slice: dx = k * (dy - a - xhat * b).
template <bool kVector>
__device__ void input_gradient(float* __restrict__ dx, const float* __restrict__ dy,
                               const float* __restrict__ x, const GradientSource& source, int C,
                               int HW, PlaneSlices slices) {
  const Slice s = block_slice(slices, HW, true);
  const int c = s.plane % C;
  const GradientCoefficients k = block_coefficients(source, c, leads_channel(s, c));
  const float* g_plane = dy + s.offset;
  const float* x_plane = x + s.offset;
  float* out = dx + s.offset;
  BRAINCAM_UNROLL_BY(4)
  for (int p = first_quad(s); p < s.end; p += kQuadStep) {
    const int valid = quad_values<kVector>(p, s.end);
    const Quad g = load_quad<kVector>(g_plane + p, valid),
               v = load_quad<kVector>(x_plane + p, valid);
    Quad q;
    BRAINCAM_UNROLL
    for (int j = 0; j < kQuad; ++j) {
      const double xhat = (v.v[j] - k.mean) * k.invstd;
      q.v[j] = static_cast<float>(k.k * (g.v[j] - k.a - xhat * k.b));
    }
    store_quad<kVector>(out + p, q, valid);
  }
}

// No register cap: at 40 or fewer it spills (46 registers, 5 blocks per SM).
__global__ void batchnorm_input_gradient_kernel(float* __restrict__ dx,
                                                const float* __restrict__ dy,
                                                const float* __restrict__ x, GradientSource source,
                                                int C, int HW, PlaneSlices slices, bool vector) {
  if (vector)
    input_gradient<true>(dx, dy, x, source, C, HW, slices);
  else
    input_gradient<false>(dx, dy, x, source, C, HW, slices);
}

// The partial sums of a pass: two arrays of C * N * slices.count doubles in one allocation.
struct Partials {
  Partials(int N, int C, PlaneSlices slices, Stream stream)
      : count(N * slices.count),
        size(static_cast<std::size_t>(C) * static_cast<std::size_t>(count)),
        memory(2 * size, stream) {}
  double* first() { return memory.data(); }
  double* second() { return memory.data() + size; }

  int count;  // per channel
  std::size_t size;
  Scratch<double> memory;
};

}  // namespace

template <>
void batchnorm_forward_train<KernelSet>(float* y, float* mean, float* var, const float* x,
                                        const float* gamma, const float* beta, int N, int C, int HW,
                                        float eps, Stream stream) {
  require_positive_sizes("batchnorm_forward_train", {{"N", N}, {"C", C}, {"HW", HW}});
  const PlaneSlices slices = plane_slices(N * C, HW);
  Partials partials(N, C, slices, stream);
  launch(batchnorm_statistics_partials_kernel, slice_blocks(N, C, slices), kThreads, 0, stream,
         partials.first(), partials.second(), x, N, C, HW, slices, quads_aligned(HW, {x}));
  const TrainingAffine source{mean, var, partials.first(), partials.second(),           x,  gamma,
                              beta, HW,  partials.count,   static_cast<double>(N) * HW, eps};
  launch(batchnorm_normalize_kernel<TrainingAffine>, slice_blocks(N, C, slices), kThreads, 0,
         stream, y, x, source, C, HW, slices, quads_aligned(HW, {x, y}));
}

template <>
void batchnorm_update_running<KernelSet>(float* running_mean, float* running_var, const float* mean,
                                         const float* var, int C, long n, float momentum,
                                         Stream stream) {
  require_positive_sizes("batchnorm_update_running", {{"C", C}, {"n - 1", n - 1}});
  const float unbias = static_cast<float>(static_cast<double>(n) / static_cast<double>(n - 1));
  launch(batchnorm_update_running_kernel, channel_blocks(C), kThreads, 0, stream, running_mean,
         running_var, mean, var, C, unbias, momentum);
}

template <>
void batchnorm_forward_eval<KernelSet>(float* y, const float* x, const float* gamma,
                                       const float* beta, const float* running_mean,
                                       const float* running_var, int N, int C, int HW, float eps,
                                       Stream stream) {
  require_positive_sizes("batchnorm_forward_eval", {{"N", N}, {"C", C}, {"HW", HW}});
  const PlaneSlices slices = plane_slices(N * C, HW);
  const EvalAffine source{gamma, beta, running_mean, running_var, eps};
  launch(batchnorm_normalize_kernel<EvalAffine>, slice_blocks(N, C, slices), kThreads, 0, stream, y,
         x, source, C, HW, slices, quads_aligned(HW, {x, y}));
}

template <>
void batchnorm_backward<KernelSet>(float* dx, float* dgamma, float* dbeta, const float* dy,
                                   const float* x, const float* mean, const float* var,
                                   const float* gamma, int N, int C, int HW, float eps,
                                   Stream stream) {
  require_positive_sizes("batchnorm_backward", {{"N", N}, {"C", C}, {"HW", HW}});
  const PlaneSlices slices = plane_slices(N * C, HW);
  Partials partials(N, C, slices, stream);
  launch(batchnorm_backward_partials_kernel, slice_blocks(N, C, slices), kThreads, 0, stream,
         partials.first(), partials.second(), dy, x, mean, var, N, C, HW, slices, eps,
         quads_aligned(HW, {dy, x}));
  const GradientSource source{dgamma, dbeta, partials.first(), partials.second(),           mean,
                              var,    gamma, partials.count,   static_cast<double>(N) * HW, eps};
  launch(batchnorm_input_gradient_kernel, slice_blocks(N, C, slices), kThreads, 0, stream, dx, dy,
         x, source, C, HW, slices, quads_aligned(HW, {dx, dy, x}));
}

}  // namespace braincam::cuda
