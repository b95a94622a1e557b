#include "kernels/cuda/conv_bn_relu_pool.h"

#include <cmath>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/dispatch.h"
#include "engine/ops.h"
#include "kernels/cpu/batchnorm.h"
#include "kernels/cpu_fast/conv_bn_relu_pool_backward.h"
#include "kernels/cpu_fast/conv_bn_relu_pool_forward.h"
#include "kernels/cpu_fast/padded_images.h"
#include "kernels/cpu_fast/patch_statistics.h"
#include "kernels/cuda/batchnorm.h"
#include "kernels/cuda/patch_statistics.h"

namespace braincam {

namespace {

struct Sizes {
  int N, C, H, W, K, P;
};

// Throws unless the cache and the index fit x.
void check_cache(const CachedPatchMoments& cached, const Tensor& x) {
  const PatchMomentCache& cache = cached.cache;
  const std::int64_t M = cache.moments.defined() ? cache.moments.dim(0) : 0;
  const int C = x.dim(1);
  const Tensor& index = cached.index;
  if (cache.moments.device() != x.device() || cache.shifts.device() != x.device() ||
      cache.moments.shape() != Shape{M, cuda::image_moments_size(C)} ||
      cache.shifts.shape() != Shape{M, C} || index.dtype() != DType::I32 ||
      index.device() != x.device() || index.shape() != Shape{x.dim(0)})
    throw std::invalid_argument(
        "conv_bn_relu_pool: the patch moment cache does not fit the input " + shape_str(x.shape()) +
        " on " + device_name(x.device()));
  // The entries are the caller's to check on a device (which cannot without waiting for it); on
  // the host it costs nothing.
  if (x.device() == Device::CPU)
    for (std::int64_t i = 0; i < index.numel(); ++i)
      if (const std::int32_t e = index.data<std::int32_t>()[i]; e < 0 || e >= M)
        throw std::out_of_range("conv_bn_relu_pool: batch image " + std::to_string(i) +
                                " is entry " + std::to_string(e) + " of a patch moment cache of " +
                                std::to_string(M));
}

// The CPU's fast path (kernels/cpu_fast/): statistics and affine map on the host.
Var cpu_conv_bn_relu_pool(const Var& x, const Var& conv_w, const Var& conv_b, const Var& bn_gamma,
                          const Var& bn_beta, Tensor running_mean, Tensor running_var,
                          bool training, double momentum, double eps, bool record,
                          const CachedPatchMoments* cached, Sizes s) {
  const Tensor &X = x.value(), &Wt = conv_w.value(), &B = conv_b.value(), &G = bn_gamma.value(),
               &Be = bn_beta.value();
  const auto [N, C, H, W, K, P] = s;
  if (W % 16)
    throw std::invalid_argument("conv_bn_relu_pool: the CPU kernels take W a multiple of 16, got " +
                                std::to_string(W));
  Tensor xp({N, C, cpu_fast::padded_rows(H), cpu_fast::padded_cols(W)}, DType::F32);
  cpu_fast::pad_images(xp.data<float>(), X.data<float>(), N, C, H, W);

  // The affine map y = scale * h + shift of batchnorm, from the batch or the running statistics.
  std::vector<float> scale(K), shift(K);
  const float *gamma = G.data<float>(), *beta = Be.data<float>();
  auto patch_mean = std::make_shared<std::vector<double>>(P);
  auto patch_cov = std::make_shared<std::vector<double>>(static_cast<std::size_t>(P) * P);
  auto mean = std::make_shared<std::vector<double>>(K),
       var = std::make_shared<std::vector<double>>(K);
  if (training) {
    if (cached)
      cpu_fast::combine_patch_moments(
          patch_mean->data(), patch_cov->data(), cached->cache.moments.data<double>(),
          cached->cache.shifts.data<float>(), cached->index.data<std::int32_t>(), N, C, H, W);
    else
      cpu_fast::patch_statistics(patch_mean->data(), patch_cov->data(), X.data<float>(), N, C, H,
                                 W);
    cpu_fast::channel_statistics(mean->data(), var->data(), patch_mean->data(), patch_cov->data(),
                                 Wt.data<float>(), B.data<float>(), K, P);
    std::vector<float> mean_f(K), var_f(K);
    for (int k = 0; k < K; ++k) {
      const double s = gamma[k] / std::sqrt((*var)[k] + eps);
      scale[k] = static_cast<float>(s);
      shift[k] = static_cast<float>(beta[k] - (*mean)[k] * s);
      mean_f[k] = static_cast<float>((*mean)[k]);
      var_f[k] = static_cast<float>((*var)[k]);
    }
    cpu::batchnorm_update_running<float>(
        running_mean.data<float>(), running_var.data<float>(), mean_f.data(), var_f.data(), K,
        static_cast<long>(N) * H * W, static_cast<float>(momentum));
  } else {
    const float *rm = running_mean.data<float>(), *rv = running_var.data<float>();
    for (int k = 0; k < K; ++k) {
      scale[k] = gamma[k] / std::sqrt(rv[k] + static_cast<float>(eps));
      shift[k] = beta[k] - rm[k] * scale[k];
    }
  }

  Tensor F({N, K, H / 4, W / 4}, DType::F32);
  // The winners (and h there) are only needed, and only kept, when a backward may follow.
  auto winner = std::make_shared<std::vector<std::uint8_t>>(record ? F.numel() : 0);
  Tensor h_winner = record ? Tensor(F.shape(), DType::F32) : Tensor();
  cpu_fast::conv_bn_relu_pool_forward(F.data<float>(), record ? winner->data() : nullptr,
                                      record ? h_winner.data<float>() : nullptr, xp.data<float>(),
                                      Wt.data<float>(), B.data<float>(), scale.data(), shift.data(),
                                      N, C, H, W, K);
  if (!record) return Var(F);
  return Var::from_op(F, "conv_bn_relu_pool", {x, conv_w, conv_b, bn_gamma, bn_beta},
                      [=](const Tensor& dF) -> std::vector<Tensor> {
                        Tensor dw(Wt.shape(), DType::F32), db({K}, DType::F32),
                            dgamma({K}, DType::F32), dbeta({K}, DType::F32);
                        cpu_fast::conv_bn_relu_pool_backward(
                            dw.data<float>(), db.data<float>(), dgamma.data<float>(),
                            dbeta.data<float>(), dF.data<float>(), F.data<float>(), winner->data(),
                            h_winner.data<float>(), xp.data<float>(), Wt.data<float>(),
                            G.data<float>(), mean->data(), var->data(), patch_mean->data(),
                            patch_cov->data(), N, C, H, W, K, eps);
                        return {Tensor(), dw, db, dgamma, dbeta};
                      });
}

// The emulator's and the GPU's fused kernels (kernels/cuda/patch_statistics.cu,
// conv_bn_relu_pool.cu): everything stays on the device, statistics in double.
Var device_conv_bn_relu_pool(const Var& x, const Var& conv_w, const Var& conv_b,
                             const Var& bn_gamma, const Var& bn_beta, Tensor running_mean,
                             Tensor running_var, bool training, double momentum, double eps,
                             bool record, const CachedPatchMoments* cached, Sizes s) {
  const Tensor &X = x.value(), &Wt = conv_w.value(), &B = conv_b.value(), &G = bn_gamma.value(),
               &Be = bn_beta.value();
  const auto [N, C, H, W, K, P] = s;
  const Device device = X.device();
  Tensor scale({K}, DType::F32, device), shift({K}, DType::F32, device);
  // Kept for the backward: the batch statistics of the channels and of the patches.
  Tensor mean, var, patch_mean, patch_cov;
  if (training) {
    mean = Tensor({K}, DType::F64, device);
    var = Tensor({K}, DType::F64, device);
    patch_mean = Tensor({P}, DType::F64, device);
    patch_cov = Tensor({P, P}, DType::F64, device);
    Tensor batch_mean({K}, DType::F32, device), batch_var({K}, DType::F32, device);
    run_device_kernel(X, "conv_bn_relu_pool statistics", [&]<class Set>(cuda::Stream stream) {
      if (cached)
        cuda::combine_patch_moments<Set>(patch_mean.data<double>(), patch_cov.data<double>(),
                                         cached->cache.moments.data<double>(),
                                         cached->cache.shifts.data<float>(),
                                         cached->index.data<std::int32_t>(), N, C, H, W, stream);
      else
        cuda::patch_statistics<Set>(patch_mean.data<double>(), patch_cov.data<double>(),
                                    X.data<float>(), N, C, H, W, stream);
      cuda::channel_statistics<Set>(mean.data<double>(), var.data<double>(),
                                    patch_mean.data<double>(), patch_cov.data<double>(),
                                    Wt.data<float>(), B.data<float>(), K, P, stream);
      cuda::batchnorm_affine_from_batch<Set>(scale.data<float>(), shift.data<float>(),
                                             batch_mean.data<float>(), batch_var.data<float>(),
                                             mean.data<double>(), var.data<double>(),
                                             G.data<float>(), Be.data<float>(), K, eps, stream);
      cuda::batchnorm_update_running<Set>(running_mean.data<float>(), running_var.data<float>(),
                                          batch_mean.data<float>(), batch_var.data<float>(), K,
                                          static_cast<long>(N) * H * W,
                                          static_cast<float>(momentum), stream);
    });
  } else {
    run_device_kernel(X, "conv_bn_relu_pool statistics", [&]<class Set>(cuda::Stream stream) {
      cuda::batchnorm_affine_from_running<Set>(
          scale.data<float>(), shift.data<float>(), running_mean.data<float>(),
          running_var.data<float>(), G.data<float>(), Be.data<float>(), K, static_cast<float>(eps),
          stream);
    });
  }

  Tensor F({N, K, H / 4, W / 4}, DType::F32, device);
  Tensor winner = record ? Tensor(F.shape(), DType::U8, device) : Tensor();
  Tensor h_winner = record ? Tensor(F.shape(), DType::F32, device) : Tensor();
  run_device_kernel(X, "conv_bn_relu_pool", [&]<class Set>(cuda::Stream stream) {
    cuda::conv_bn_relu_pool_forward<Set>(
        F.data<float>(), record ? winner.data<std::uint8_t>() : nullptr,
        record ? h_winner.data<float>() : nullptr, X.data<float>(), Wt.data<float>(),
        B.data<float>(), scale.data<float>(), shift.data<float>(), N, C, H, W, K, stream);
  });
  if (!record) return Var(F);
  return Var::from_op(
      F, "conv_bn_relu_pool", {x, conv_w, conv_b, bn_gamma, bn_beta},
      [=](const Tensor& dF) -> std::vector<Tensor> {
        Tensor dw(Wt.shape(), DType::F32, device), db({K}, DType::F32, device),
            dgamma({K}, DType::F32, device), dbeta({K}, DType::F32, device);
        run_device_kernel(dF, "conv_bn_relu_pool backward", [&]<class Set>(cuda::Stream stream) {
          cuda::conv_bn_relu_pool_backward<Set>(
              dw.data<float>(), db.data<float>(), dgamma.data<float>(), dbeta.data<float>(),
              dF.data<float>(), F.data<float>(), winner.data<std::uint8_t>(),
              h_winner.data<float>(), X.data<float>(), Wt.data<float>(), G.data<float>(),
              mean.data<double>(), var.data<double>(), patch_mean.data<double>(),
              patch_cov.data<double>(), N, C, H, W, K, eps, stream);
        });
        return {Tensor(), dw, db, dgamma, dbeta};
      });
}

}  // namespace

Var conv_bn_relu_pool(const Var& x, const Var& conv_w, const Var& conv_b, const Var& bn_gamma,
                      const Var& bn_beta, Tensor running_mean, Tensor running_var, bool training,
                      double momentum, double eps, const CachedPatchMoments* cached) {
  const Tensor &X = x.value(), &Wt = conv_w.value(), &B = conv_b.value(), &G = bn_gamma.value(),
               &Be = bn_beta.value();
  check_same_kind("conv_bn_relu_pool", {&X, &Wt, &B, &G, &Be, &running_mean, &running_var});
  if (X.dtype() != DType::F32)
    throw std::invalid_argument("conv_bn_relu_pool: the fused kernels take float32 tensors");
  if (X.ndim() != 4 || X.dim(2) % 4 || X.dim(3) % 4)
    throw std::invalid_argument(
        "conv_bn_relu_pool: input must be N x C x H x W with H and W multiples of 4, got " +
        shape_str(X.shape()));
  const int N = X.dim(0), C = X.dim(1), H = X.dim(2), W = X.dim(3), K = Wt.dim(0), P = C * 25;
  check_shape(Wt, {K, C, 5, 5}, "conv_bn_relu_pool conv weight");
  for (const Tensor* t :
       std::initializer_list<const Tensor*>{&B, &G, &Be, &running_mean, &running_var})
    check_shape(*t, {K}, "conv_bn_relu_pool per-channel parameter");
  if (x.requires_grad())
    throw std::logic_error("conv_bn_relu_pool computes no input gradient; use the reference ops");
  if (training && N == 0)
    throw std::invalid_argument("conv_bn_relu_pool: batch statistics of a batch of no images");
  const bool record = grad_enabled() && (conv_w.requires_grad() || conv_b.requires_grad() ||
                                         bn_gamma.requires_grad() || bn_beta.requires_grad());
  if (record && !training)
    throw std::logic_error(
        "batchnorm in evaluation mode has no backward; run it under NoGradScope");
  if (record && X.device() != Device::CPU && C != 3)
    throw std::invalid_argument("conv_bn_relu_pool: the " + std::string(device_name(X.device())) +
                                " backward takes 3 input channels, got " + std::to_string(C));
  if (cached && training) check_cache(*cached, X);
  const Sizes sizes{N, C, H, W, K, P};
  return X.device() == Device::CPU
             ? cpu_conv_bn_relu_pool(x, conv_w, conv_b, bn_gamma, bn_beta, running_mean,
                                     running_var, training, momentum, eps, record, cached, sizes)
             : device_conv_bn_relu_pool(x, conv_w, conv_b, bn_gamma, bn_beta, running_mean,
                                        running_var, training, momentum, eps, record, cached,
                                        sizes);
}

}  // namespace braincam
