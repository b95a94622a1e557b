#include "kernels/cpu/conv5x5.h"

#include "engine/dispatch.h"
#include "engine/ops.h"
#include "kernels/cuda/conv5x5.h"

namespace braincam {

Var conv5x5(const Var& x, const Var& w, const Var& b) {
  const Tensor &X = x.value(), &Wt = w.value(), &B = b.value();
  check_same_kind("conv5x5", {&X, &Wt, &B});
  if (X.ndim() != 4)
    throw std::invalid_argument("conv5x5: input must be N x C x H x W, got " +
                                shape_str(X.shape()));
  const int N = X.dim(0), C = X.dim(1), H = X.dim(2), W = X.dim(3), K = Wt.dim(0);
  check_shape(Wt, {K, C, 5, 5}, "conv5x5 weight");
  check_shape(B, {K}, "conv5x5 bias");
  Tensor y({N, K, H, W}, X.dtype(), X.device());
  run_kernel(
      X, "conv5x5",
      [&]<class T>() {
        cpu::conv5x5_forward<T>(y.data<T>(), X.data<T>(), Wt.data<T>(), B.data<T>(), N, C, H, W, K);
      },
      [&]<class Set>(cuda::Stream s) {
        cuda::conv5x5_forward<Set>(y.data<float>(), X.data<float>(), Wt.data<float>(),
                                   B.data<float>(), N, C, H, W, K, s);
      });
  return Var::from_op(y, "conv5x5", {x, w, b}, [=](const Tensor& dy) -> std::vector<Tensor> {
    Tensor dx = x.requires_grad() ? Tensor(X.shape(), X.dtype(), X.device()) : Tensor();
    Tensor dw(Wt.shape(), X.dtype(), X.device()), db(B.shape(), X.dtype(), X.device());
    run_kernel(
        X, "conv5x5 backward",
        [&]<class T>() {
          cpu::conv5x5_backward<T>(dx.defined() ? dx.data<T>() : nullptr, dw.data<T>(),
                                   db.data<T>(), dy.data<T>(), X.data<T>(), Wt.data<T>(), N, C, H,
                                   W, K);
        },
        [&]<class Set>(cuda::Stream s) {
          cuda::conv5x5_backward<Set>(dx.defined() ? dx.data<float>() : nullptr, dw.data<float>(),
                                      db.data<float>(), dy.data<float>(), X.data<float>(),
                                      Wt.data<float>(), N, C, H, W, K, s);
        });
    return {dx, dw, db};
  });
}

}  // namespace braincam
