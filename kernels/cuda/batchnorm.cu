// Batch normalization. Every channel statistic is a deterministic two-level reduction in double:
//
// batchnorm_*_partials_kernel: one block per plane (image n, channel c) sums its H*W values
//   (each thread a strided share, then block_sum) into partial[c][n].
// batchnorm_*_coefficients_kernel: one thread per channel adds its N partials in image order
//   and turns them into the statistics and the per-channel coefficients of the elementwise pass.
// batchnorm_normalize_kernel / batchnorm_input_gradient_kernel: one block per plane applies them.
//
// The sums run in double, as the CPU reference's do, so the float32 results are the reference's
// up to the final rounding. The training statistics take one pass over x: the sums of d = x - x0
// and d^2, with x0 the channel's first value, give mean = x0 + sum d / n and
// var = (sum d^2 - (sum d)^2 / n) / n without the cancellation of raw sums of squares.
#include "kernels/cuda/batchnorm.h"

#include "kernels/cuda/block_reduce.h"
#include "kernels/cuda/positive_sizes.h"
#include "kernels/cuda/simt.h"

namespace braincam::cuda {

namespace {

constexpr int kThreads = 256;

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

// partial_d[c][n], partial_d2[c][n]: the sums of d and d^2 over plane (n, c), d = x - x[0][c][0].
__global__ void batchnorm_statistics_partials_kernel(double* __restrict__ partial_d,
                                                     double* __restrict__ partial_d2,
                                                     const float* __restrict__ x, int N, int C,
                                                     int HW) {
  const int n = blockIdx.x / C, c = blockIdx.x % C;
  const float* plane = x + static_cast<long>(blockIdx.x) * HW;
  const double pivot = x[static_cast<long>(c) * HW];
  double d = 0.0, d2 = 0.0;
  for (int p = threadIdx.x; p < HW; p += kThreads) {
    const double v = plane[p] - pivot;
    d += v;
    d2 += v * v;
  }
  d = block_sum<kThreads>(d);
  d2 = block_sum<kThreads>(d2);
  if (threadIdx.x == 0) {
    partial_d[static_cast<long>(c) * N + n] = d;
    partial_d2[static_cast<long>(c) * N + n] = d2;
  }
}

__global__ void batchnorm_statistics_coefficients_kernel(
    Affine<double>* __restrict__ affine, float* __restrict__ mean, float* __restrict__ var,
    const double* __restrict__ partial_d, const double* __restrict__ partial_d2,
    const float* __restrict__ x, const float* __restrict__ gamma, const float* __restrict__ beta,
    int N, int C, int HW, float eps) {
  const int c = blockIdx.x * blockDim.x + threadIdx.x;
  if (c >= C) return;
  double d = 0.0, d2 = 0.0;
  for (int n = 0; n < N; ++n) {
    d += partial_d[static_cast<long>(c) * N + n];
    d2 += partial_d2[static_cast<long>(c) * N + n];
  }
  const double count = static_cast<double>(N) * HW;
  const double mu = x[static_cast<long>(c) * HW] + d / count;
  const double v = fmax((d2 - d * d / count) / count, 0.0);  // rounding may dip below zero
  mean[c] = static_cast<float>(mu);
  var[c] = static_cast<float>(v);
  const double scale = gamma[c] / sqrt(v + eps);
  affine[c] = {scale, beta[c] - mu * scale};
}

// The evaluation coefficients, in float as the reference computes them.
__global__ void batchnorm_eval_coefficients_kernel(Affine<float>* __restrict__ affine,
                                                   const float* __restrict__ gamma,
                                                   const float* __restrict__ beta,
                                                   const float* __restrict__ running_mean,
                                                   const float* __restrict__ running_var, int C,
                                                   float eps) {
  const int c = blockIdx.x * blockDim.x + threadIdx.x;
  if (c >= C) return;
  const float scale = gamma[c] / sqrtf(running_var[c] + eps);
  affine[c] = {scale, beta[c] - running_mean[c] * scale};
}

// One block per plane: y = x * scale + shift of the plane's channel.
template <class A>
__global__ void batchnorm_normalize_kernel(float* __restrict__ y, const float* __restrict__ x,
                                           const Affine<A>* __restrict__ affine, int C, int HW) {
  const Affine<A> a = affine[blockIdx.x % C];
  const long base = static_cast<long>(blockIdx.x) * HW;
  for (int p = threadIdx.x; p < HW; p += kThreads)
    y[base + p] = static_cast<float>(x[base + p] * a.scale + a.shift);
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

// partial_dy[c][n], partial_dy_xhat[c][n]: the sums of dy and dy * xhat over plane (n, c).
__global__ void batchnorm_backward_partials_kernel(
    double* __restrict__ partial_dy, double* __restrict__ partial_dy_xhat,
    const float* __restrict__ dy, const float* __restrict__ x, const float* __restrict__ mean,
    const float* __restrict__ var, int N, int C, int HW, float eps) {
  const int n = blockIdx.x / C, c = blockIdx.x % C;
  const long base = static_cast<long>(blockIdx.x) * HW;
  const double mu = mean[c], invstd = 1.0 / sqrt(static_cast<double>(var[c]) + eps);
  double sum_dy = 0.0, sum_dy_xhat = 0.0;
  for (int p = threadIdx.x; p < HW; p += kThreads) {
    const double g = dy[base + p];
    sum_dy += g;
    sum_dy_xhat += g * ((x[base + p] - mu) * invstd);
  }
  sum_dy = block_sum<kThreads>(sum_dy);
  sum_dy_xhat = block_sum<kThreads>(sum_dy_xhat);
  if (threadIdx.x == 0) {
    partial_dy[static_cast<long>(c) * N + n] = sum_dy;
    partial_dy_xhat[static_cast<long>(c) * N + n] = sum_dy_xhat;
  }
}

__global__ void batchnorm_backward_coefficients_kernel(
    GradientCoefficients* __restrict__ coefficients, float* __restrict__ dgamma,
    float* __restrict__ dbeta, const double* __restrict__ partial_dy,
    const double* __restrict__ partial_dy_xhat, const float* __restrict__ mean,
    const float* __restrict__ var, const float* __restrict__ gamma, int N, int C, int HW,
    float eps) {
  const int c = blockIdx.x * blockDim.x + threadIdx.x;
  if (c >= C) return;
  double sum_dy = 0.0, sum_dy_xhat = 0.0;
  for (int n = 0; n < N; ++n) {
    sum_dy += partial_dy[static_cast<long>(c) * N + n];
    sum_dy_xhat += partial_dy_xhat[static_cast<long>(c) * N + n];
  }
  dbeta[c] = static_cast<float>(sum_dy);
  dgamma[c] = static_cast<float>(sum_dy_xhat);
  const double count = static_cast<double>(N) * HW;
  const double invstd = 1.0 / sqrt(static_cast<double>(var[c]) + eps);
  coefficients[c] = {mean[c], invstd, gamma[c] * invstd, sum_dy / count, sum_dy_xhat / count};
}

// One block per plane: dx = k * (dy - a - xhat * b).
__global__ void batchnorm_input_gradient_kernel(
    float* __restrict__ dx, const float* __restrict__ dy, const float* __restrict__ x,
    const GradientCoefficients* __restrict__ coefficients, int C, int HW) {
  const GradientCoefficients k = coefficients[blockIdx.x % C];
  const long base = static_cast<long>(blockIdx.x) * HW;
  for (int p = threadIdx.x; p < HW; p += kThreads) {
    const double xhat = (x[base + p] - k.mean) * k.invstd;
    dx[base + p] = static_cast<float>(k.k * (dy[base + p] - k.a - xhat * k.b));
  }
}

unsigned channel_blocks(int C) { return static_cast<unsigned>((C + kThreads - 1) / kThreads); }

unsigned planes(int N, int C) { return static_cast<unsigned>(N) * static_cast<unsigned>(C); }

}  // namespace

template <>
void batchnorm_forward_train<KernelSet>(float* y, float* mean, float* var, const float* x,
                                        const float* gamma, const float* beta, int N, int C, int HW,
                                        float eps, Stream stream) {
  require_positive_sizes("batchnorm_forward_train", {{"N", N}, {"C", C}, {"HW", HW}});
  Scratch<double> partial_d(static_cast<std::size_t>(C) * N, stream),
      partial_d2(static_cast<std::size_t>(C) * N, stream);
  Scratch<Affine<double>> affine(C, stream);
  launch(batchnorm_statistics_partials_kernel, planes(N, C), kThreads, 0, stream, partial_d.data(),
         partial_d2.data(), x, N, C, HW);
  launch(batchnorm_statistics_coefficients_kernel, channel_blocks(C), kThreads, 0, stream,
         affine.data(), mean, var, partial_d.data(), partial_d2.data(), x, gamma, beta, N, C, HW,
         eps);
  launch(batchnorm_normalize_kernel<double>, planes(N, C), kThreads, 0, stream, y, x, affine.data(),
         C, HW);
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
  Scratch<Affine<float>> affine(C, stream);
  launch(batchnorm_eval_coefficients_kernel, channel_blocks(C), kThreads, 0, stream, affine.data(),
         gamma, beta, running_mean, running_var, C, eps);
  launch(batchnorm_normalize_kernel<float>, planes(N, C), kThreads, 0, stream, y, x, affine.data(),
         C, HW);
}

template <>
void batchnorm_backward<KernelSet>(float* dx, float* dgamma, float* dbeta, const float* dy,
                                   const float* x, const float* mean, const float* var,
                                   const float* gamma, int N, int C, int HW, float eps,
                                   Stream stream) {
  require_positive_sizes("batchnorm_backward", {{"N", N}, {"C", C}, {"HW", HW}});
  Scratch<double> partial_dy(static_cast<std::size_t>(C) * N, stream),
      partial_dy_xhat(static_cast<std::size_t>(C) * N, stream);
  Scratch<GradientCoefficients> coefficients(C, stream);
  launch(batchnorm_backward_partials_kernel, planes(N, C), kThreads, 0, stream, partial_dy.data(),
         partial_dy_xhat.data(), dy, x, mean, var, N, C, HW, eps);
  launch(batchnorm_backward_coefficients_kernel, channel_blocks(C), kThreads, 0, stream,
         coefficients.data(), dgamma, dbeta, partial_dy.data(), partial_dy_xhat.data(), mean, var,
         gamma, N, C, HW, eps);
  launch(batchnorm_input_gradient_kernel, planes(N, C), kThreads, 0, stream, dx, dy, x,
         coefficients.data(), C, HW);
}

}  // namespace braincam::cuda
