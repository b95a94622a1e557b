#include <cmath>
#include <memory>
#include <vector>

#include "engine/dispatch.h"
#include "engine/ops.h"
#include "kernels/cpu/batchnorm.h"
#include "kernels/cpu_fast/conv_bn_relu_pool_backward.h"
#include "kernels/cpu_fast/conv_bn_relu_pool_forward.h"
#include "kernels/cpu_fast/padded_images.h"
#include "kernels/cpu_fast/patch_statistics.h"

namespace braincam {

Var conv_bn_relu_pool(const Var& x, const Var& conv_w, const Var& conv_b, const Var& bn_gamma,
                      const Var& bn_beta, Tensor running_mean, Tensor running_var, bool training,
                      double momentum, double eps) {
  const Tensor &X = x.value(), &Wt = conv_w.value(), &B = conv_b.value(), &G = bn_gamma.value(),
               &Be = bn_beta.value();
  check_same_kind("conv_bn_relu_pool", {&X, &Wt, &B, &G, &Be, &running_mean, &running_var});
  if (X.dtype() != DType::F32 || X.device() != Device::CPU)
    throw std::invalid_argument(
        "conv_bn_relu_pool: the fast CPU path takes float32 tensors on the CPU");
  if (X.ndim() != 4 || X.dim(2) % 4 || X.dim(3) % 16)
    throw std::invalid_argument(
        "conv_bn_relu_pool: input must be N x C x H x W with H a multiple of 4 "
        "and W of 16, got " +
        shape_str(X.shape()));
  const int N = X.dim(0), C = X.dim(1), H = X.dim(2), W = X.dim(3), K = Wt.dim(0), P = C * 25;
  check_shape(Wt, {K, C, 5, 5}, "conv_bn_relu_pool conv weight");
  for (const Tensor* t :
       std::initializer_list<const Tensor*>{&B, &G, &Be, &running_mean, &running_var})
    check_shape(*t, {K}, "conv_bn_relu_pool per-channel parameter");
  if (x.requires_grad())
    throw std::logic_error("conv_bn_relu_pool computes no input gradient; use the reference ops");
  const bool record = grad_enabled() && (conv_w.requires_grad() || conv_b.requires_grad() ||
                                         bn_gamma.requires_grad() || bn_beta.requires_grad());
  if (record && !training)
    throw std::logic_error(
        "batchnorm in evaluation mode has no backward; run it under NoGradScope");

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
    cpu_fast::patch_statistics(patch_mean->data(), patch_cov->data(), X.data<float>(), N, C, H, W);
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

}  // namespace braincam
