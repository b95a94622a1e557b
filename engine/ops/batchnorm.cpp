#include "kernels/cpu/batchnorm.h"

#include "engine/dispatch.h"
#include "engine/ops.h"
#include "kernels/cuda/batchnorm.h"

namespace braincam {

namespace {
// N, C and H*W of an N x C x H x W input, after checking gamma and beta against C.
struct Dims {
  int N, C, HW;
};
Dims batchnorm_dims(const Tensor& X, const Tensor& gamma, const Tensor& beta) {
  check_same_kind("batchnorm", {&X, &gamma, &beta});
  if (X.ndim() != 4) throw std::invalid_argument("batchnorm: input must be N x C x H x W");
  const int C = X.dim(1);
  check_shape(gamma, {C}, "batchnorm weight");
  check_shape(beta, {C}, "batchnorm bias");
  return {static_cast<int>(X.dim(0)), C, static_cast<int>(X.dim(2) * X.dim(3))};
}
}  // namespace

Var batchnorm_train(const Var& x, const Var& gamma, const Var& beta, Tensor running_mean,
                    Tensor running_var, double momentum, double eps) {
  const Tensor &X = x.value(), &G = gamma.value(), &B = beta.value();
  const auto [N, C, HW] = batchnorm_dims(X, G, B);
  check_same_kind("batchnorm running statistics", {&X, &running_mean, &running_var});
  if (N == 0 || HW == 0)
    throw std::invalid_argument("batchnorm: batch statistics of an empty batch (" +
                                shape_str(X.shape()) + ")");
  Tensor y(X.shape(), X.dtype(), X.device());
  Tensor mean({C}, X.dtype(), X.device()), var({C}, X.dtype(), X.device());
  run_kernel(
      X, "batchnorm",
      [&]<class T>() {
        cpu::batchnorm_forward_train<T>(y.data<T>(), mean.data<T>(), var.data<T>(), X.data<T>(),
                                        G.data<T>(), B.data<T>(), N, C, HW, static_cast<T>(eps));
        cpu::batchnorm_update_running<T>(running_mean.data<T>(), running_var.data<T>(),
                                         mean.data<T>(), var.data<T>(), C,
                                         static_cast<long>(N) * HW, static_cast<T>(momentum));
      },
      [&]<class Set>(cuda::Stream s) {
        cuda::batchnorm_forward_train<Set>(y.data<float>(), mean.data<float>(), var.data<float>(),
                                           X.data<float>(), G.data<float>(), B.data<float>(), N, C,
                                           HW, static_cast<float>(eps), s);
        cuda::batchnorm_update_running<Set>(
            running_mean.data<float>(), running_var.data<float>(), mean.data<float>(),
            var.data<float>(), C, static_cast<long>(N) * HW, static_cast<float>(momentum), s);
      });
  return Var::from_op(
      y, "batchnorm", {x, gamma, beta}, [=](const Tensor& dy) -> std::vector<Tensor> {
        Tensor dx(X.shape(), X.dtype(), X.device());
        Tensor dgamma({C}, X.dtype(), X.device()), dbeta({C}, X.dtype(), X.device());
        run_kernel(
            X, "batchnorm backward",
            [&]<class T>() {
              cpu::batchnorm_backward<T>(dx.data<T>(), dgamma.data<T>(), dbeta.data<T>(),
                                         dy.data<T>(), X.data<T>(), mean.data<T>(), var.data<T>(),
                                         G.data<T>(), N, C, HW, static_cast<T>(eps));
            },
            [&]<class Set>(cuda::Stream s) {
              cuda::batchnorm_backward<Set>(dx.data<float>(), dgamma.data<float>(),
                                            dbeta.data<float>(), dy.data<float>(), X.data<float>(),
                                            mean.data<float>(), var.data<float>(), G.data<float>(),
                                            N, C, HW, static_cast<float>(eps), s);
            });
        return {dx, dgamma, dbeta};
      });
}

Var batchnorm_eval(const Var& x, const Var& gamma, const Var& beta, const Tensor& running_mean,
                   const Tensor& running_var, double eps) {
  const Tensor &X = x.value(), &G = gamma.value(), &B = beta.value();
  const auto [N, C, HW] = batchnorm_dims(X, G, B);
  check_same_kind("batchnorm running statistics", {&X, &running_mean, &running_var});
  if (grad_enabled() && (x.requires_grad() || gamma.requires_grad() || beta.requires_grad()))
    throw std::logic_error(
        "batchnorm in evaluation mode has no backward; run it under NoGradScope");
  Tensor y(X.shape(), X.dtype(), X.device());
  run_kernel(
      X, "batchnorm eval",
      [&]<class T>() {
        cpu::batchnorm_forward_eval<T>(y.data<T>(), X.data<T>(), G.data<T>(), B.data<T>(),
                                       running_mean.data<T>(), running_var.data<T>(), N, C, HW,
                                       static_cast<T>(eps));
      },
      [&]<class Set>(cuda::Stream s) {
        cuda::batchnorm_forward_eval<Set>(y.data<float>(), X.data<float>(), G.data<float>(),
                                          B.data<float>(), running_mean.data<float>(),
                                          running_var.data<float>(), N, C, HW,
                                          static_cast<float>(eps), s);
      });
  return Var(y);
}

}  // namespace braincam
