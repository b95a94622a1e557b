// CAM-guided channel attention. Forward, three kernels (the first two are channel_gate_forward,
// which the fused attention + pooling of attention_pool.cu also runs):
//
// channel_descriptors_kernel: one block per plane (image n, channel c) reads the plane once and
//   reduces it three ways with the deterministic block reductions: the sum (mean), the
//   s-weighted sum (guided average) and the first maximum with its position.
// channel_mlp_kernel: one block per image runs the shared MLP on its three descriptors (hidden
//   pre-activations in shared memory) and writes the gate; every sum in the reference's order.
// channel_gate_apply_kernel: one block per plane, y = x * gate.
//
// Backward, four kernels, mirroring kernels/cpu/channel_attention.cpp:
//
// channel_gate_gradient_kernel: one block per plane, d(logit) = (sum dy * x) * gate * (1 - gate).
// channel_mlp_backward_kernel: one block per (descriptor k, image n): the hidden gradient
//   (through the ReLU) and the descriptor gradient.
// channel_mlp_weight_gradient_kernel: one block per weight or bias gradient, adding its 3N
//   terms by a block sum in a fixed order: deterministic, no atomics.
// channel_input_gradient_kernel: one block per plane: dy * gate plus the mean's, the guided
//   average's and (at the first maximum only) the max's gradient.
#include <climits>

#include "kernels/cuda/block_reduce.h"
#include "kernels/cuda/channel_attention.h"
#include "kernels/cuda/positive_sizes.h"
#include "kernels/cuda/simt.h"

namespace braincam::cuda {

namespace {

constexpr int kThreads = 256;
constexpr int kMlpThreads = 128;

// The guidance cell (4x4 block) that position p of a plane W wide lies in.
__device__ __forceinline__ int cell_of(int p, int W) { return p / W / 4 * (W / 4) + p % W / 4; }

// desc = [mean; max; guided], each N x C; max_index: the first maximum's position.
__global__ void channel_descriptors_kernel(float* __restrict__ desc,
                                           std::int32_t* __restrict__ max_index,
                                           const float* __restrict__ x, const float* __restrict__ s,
                                           int N, int C, int H, int W) {
  const int HW = H * W, n = blockIdx.x / C;
  const long NC = static_cast<long>(N) * C;
  const float* plane = x + static_cast<long>(blockIdx.x) * HW;
  const float* sn = s + static_cast<long>(n) * (H / 4) * (W / 4);
  float sum = 0.0f, weighted = 0.0f;
  ValueIndex best{-INFINITY, INT_MAX};
  for (int p = threadIdx.x; p < HW; p += kThreads) {
    const float v = plane[p];
    sum += v;
    weighted += sn[cell_of(p, W)] * v;
    best = FirstMax{}(best, ValueIndex{v, p});
  }
  sum = block_sum<kThreads>(sum);
  weighted = block_sum<kThreads>(weighted);
  best = block_reduce<kThreads>(best, FirstMax{});
  if (threadIdx.x != 0) return;
  desc[blockIdx.x] = sum / HW;
  desc[NC + blockIdx.x] = plane[best.index];
  desc[2 * NC + blockIdx.x] = weighted / 16;  // the s-weighted sum of 4x4 averages
  max_index[blockIdx.x] = best.index;
}

// One block per image; dynamic shared memory: the 3 x Ch hidden pre-activations.
__global__ void channel_mlp_kernel(float* __restrict__ gate, float* __restrict__ hidden,
                                   const float* __restrict__ desc, const float* __restrict__ w1,
                                   const float* __restrict__ b1, const float* __restrict__ w2,
                                   const float* __restrict__ b2, int N, int C, int Ch) {
  BRAINCAM_DYNAMIC_SHARED(float, pre);  // [k][j]
  const int n = blockIdx.x;
  const long NC = static_cast<long>(N) * C;
  for (int e = threadIdx.x; e < 3 * Ch; e += kMlpThreads) {
    const int k = e / Ch, j = e % Ch;
    const float* d = desc + k * NC + static_cast<long>(n) * C;
    float acc = b1[j];
    for (int c = 0; c < C; ++c) acc += w1[j * C + c] * d[c];
    pre[e] = acc;
    hidden[(static_cast<long>(k) * N + n) * Ch + j] = acc;
  }
  __syncthreads();
  for (int c = threadIdx.x; c < C; c += kMlpThreads) {
    float logit = 0.0f;
    for (int k = 0; k < 3; ++k) {
      float acc = b2[c];
      for (int j = 0; j < Ch; ++j) acc += w2[c * Ch + j] * fmaxf(pre[k * Ch + j], 0.0f);
      logit += acc;
    }
    gate[static_cast<long>(n) * C + c] = 1.0f / (1.0f + expf(-logit));
  }
}

__global__ void channel_gate_apply_kernel(float* __restrict__ y, const float* __restrict__ x,
                                          const float* __restrict__ gate, int HW) {
  const float g = gate[blockIdx.x];
  const long base = static_cast<long>(blockIdx.x) * HW;
  for (int p = threadIdx.x; p < HW; p += kThreads) y[base + p] = x[base + p] * g;
}

__global__ void channel_gate_gradient_kernel(float* __restrict__ dlogit,
                                             const float* __restrict__ dy,
                                             const float* __restrict__ x,
                                             const float* __restrict__ gate, int HW) {
  const long base = static_cast<long>(blockIdx.x) * HW;
  float dgate = 0.0f;
  for (int p = threadIdx.x; p < HW; p += kThreads) dgate += dy[base + p] * x[base + p];
  dgate = block_sum<kThreads>(dgate);
  const float g = gate[blockIdx.x];
  if (threadIdx.x == 0) dlogit[blockIdx.x] = dgate * g * (1.0f - g);
}

// Block (k, n) of 3N: dpre[k][n] (Ch) through the ReLU, and ddesc[k][n] (C). Dynamic shared
// memory: the Ch hidden gradients.
__global__ void channel_mlp_backward_kernel(float* __restrict__ dpre, float* __restrict__ ddesc,
                                            const float* __restrict__ dlogit,
                                            const float* __restrict__ hidden,
                                            const float* __restrict__ w1,
                                            const float* __restrict__ w2, int N, int C, int Ch) {
  BRAINCAM_DYNAMIC_SHARED(float, dh);
  const int kn = blockIdx.x, n = kn % N;
  const float* g = dlogit + static_cast<long>(n) * C;
  for (int j = threadIdx.x; j < Ch; j += kMlpThreads) {
    float acc = 0.0f;
    for (int c = 0; c < C; ++c) acc += w2[c * Ch + j] * g[c];
    dh[j] = hidden[static_cast<long>(kn) * Ch + j] > 0.0f ? acc : 0.0f;
    dpre[static_cast<long>(kn) * Ch + j] = dh[j];
  }
  __syncthreads();
  for (int c = threadIdx.x; c < C; c += kMlpThreads) {
    float acc = 0.0f;
    for (int j = 0; j < Ch; ++j) acc += w1[j * C + c] * dh[j];
    ddesc[static_cast<long>(kn) * C + c] = acc;
  }
}

// One block per gradient of dw1 (Ch x C), db1 (Ch), dw2 (C x Ch), db2 (C), in that order; its
// threads share the 3N (descriptor, image) terms, added by block_sum.
__global__ void channel_mlp_weight_gradient_kernel(
    float* __restrict__ dw1, float* __restrict__ db1, float* __restrict__ dw2,
    float* __restrict__ db2, const float* __restrict__ dpre, const float* __restrict__ dlogit,
    const float* __restrict__ hidden, const float* __restrict__ desc, int N, int C, int Ch) {
  const int weights = Ch * C, o = blockIdx.x;
  float acc = 0.0f;
  for (int kn = threadIdx.x; kn < 3 * N; kn += kMlpThreads) {  // kn: (descriptor, image)
    const long n = kn % N;
    if (o < weights) {
      const int j = o / C, c = o % C;
      acc += dpre[static_cast<long>(kn) * Ch + j] * desc[static_cast<long>(kn) * C + c];
    } else if (o < weights + Ch) {
      acc += dpre[static_cast<long>(kn) * Ch + (o - weights)];
    } else if (o < 2 * weights + Ch) {
      const int c = (o - weights - Ch) / Ch, j = (o - weights - Ch) % Ch;
      acc += dlogit[n * C + c] * fmaxf(hidden[static_cast<long>(kn) * Ch + j], 0.0f);
    } else {
      acc += dlogit[n * C + (o - 2 * weights - Ch)];
    }
  }
  acc = block_sum<kMlpThreads>(acc);
  if (threadIdx.x != 0) return;
  if (o < weights)
    dw1[o] = acc;
  else if (o < weights + Ch)
    db1[o - weights] = acc;
  else if (o < 2 * weights + Ch)
    dw2[o - weights - Ch] = acc;
  else
    db2[o - 2 * weights - Ch] = acc;
}

__global__ void channel_input_gradient_kernel(float* __restrict__ dx, const float* __restrict__ dy,
                                              const float* __restrict__ s,
                                              const float* __restrict__ gate,
                                              const float* __restrict__ ddesc,
                                              const std::int32_t* __restrict__ max_index, int N,
                                              int C, int H, int W) {
  const int HW = H * W, n = blockIdx.x / C;
  const long NC = static_cast<long>(N) * C, base = static_cast<long>(blockIdx.x) * HW;
  const float* sn = s + static_cast<long>(n) * (H / 4) * (W / 4);
  const float g = gate[blockIdx.x], dmean = ddesc[blockIdx.x] / HW, dmax = ddesc[NC + blockIdx.x],
              dguided = ddesc[2 * NC + blockIdx.x] / 16;
  const int best = max_index[blockIdx.x];
  for (int p = threadIdx.x; p < HW; p += kThreads) {
    float v = dy[base + p] * g + dmean + dguided * sn[cell_of(p, W)];
    if (p == best) v += dmax;
    dx[base + p] = v;
  }
}

void check_sizes(const char* op, int N, int C, int H, int W, int Ch) {
  require_positive_sizes(op, {{"N", N}, {"C", C}, {"H / 4", H / 4}, {"W / 4", W / 4}, {"Ch", Ch}});
  if (H % 4 || W % 4)
    throw std::invalid_argument(std::string(op) + ": H and W must be multiples of 4");
}

}  // namespace

template <>
void channel_gate_forward<KernelSet>(float* gate, float* desc, std::int32_t* max_index,
                                     float* hidden, const float* x, const float* s, const float* w1,
                                     const float* b1, const float* w2, const float* b2, int N,
                                     int C, int H, int W, int Ch, Stream stream) {
  check_sizes("channel_gate_forward", N, C, H, W, Ch);
  const unsigned planes = static_cast<unsigned>(N) * static_cast<unsigned>(C);
  launch(channel_descriptors_kernel, planes, kThreads, 0, stream, desc, max_index, x, s, N, C, H,
         W);
  launch(channel_mlp_kernel, static_cast<unsigned>(N), kMlpThreads, 3 * Ch * sizeof(float), stream,
         gate, hidden, desc, w1, b1, w2, b2, N, C, Ch);
}

template <>
void channel_attention_forward<KernelSet>(float* y, float* gate, float* desc,
                                          std::int32_t* max_index, float* hidden, const float* x,
                                          const float* s, const float* w1, const float* b1,
                                          const float* w2, const float* b2, int N, int C, int H,
                                          int W, int Ch, Stream stream) {
  channel_gate_forward<KernelSet>(gate, desc, max_index, hidden, x, s, w1, b1, w2, b2, N, C, H, W,
                                  Ch, stream);
  const unsigned planes = static_cast<unsigned>(N) * static_cast<unsigned>(C);
  launch(channel_gate_apply_kernel, planes, kThreads, 0, stream, y, x, gate, H * W);
}

template <>
void channel_attention_backward<KernelSet>(float* dx, float* dw1, float* db1, float* dw2,
                                           float* db2, const float* dy, const float* x,
                                           const float* s, const float* gate, const float* desc,
                                           const std::int32_t* max_index, const float* hidden,
                                           const float* w1, const float* w2, int N, int C, int H,
                                           int W, int Ch, Stream stream) {
  check_sizes("channel_attention_backward", N, C, H, W, Ch);
  const unsigned planes = static_cast<unsigned>(N) * static_cast<unsigned>(C);
  Scratch<float> dlogit(planes, stream), dpre(3 * static_cast<std::size_t>(N) * Ch, stream),
      ddesc(3 * static_cast<std::size_t>(planes), stream);
  launch(channel_gate_gradient_kernel, planes, kThreads, 0, stream, dlogit.data(), dy, x, gate,
         H * W);
  launch(channel_mlp_backward_kernel, 3 * static_cast<unsigned>(N), kMlpThreads, Ch * sizeof(float),
         stream, dpre.data(), ddesc.data(), dlogit.data(), hidden, w1, w2, N, C, Ch);
  launch(channel_mlp_weight_gradient_kernel, static_cast<unsigned>(2 * Ch * C + Ch + C),
         kMlpThreads, 0, stream, dw1, db1, dw2, db2, dpre.data(), dlogit.data(), hidden, desc, N, C,
         Ch);
  launch(channel_input_gradient_kernel, planes, kThreads, 0, stream, dx, dy, s, gate, ddesc.data(),
         max_index, N, C, H, W);
}

}  // namespace braincam::cuda
