#include "kernels/cpu/spatial_attention.h"

#include "engine/dispatch.h"
#include "engine/ops.h"
#include "kernels/cuda/spatial_attention.h"

namespace braincam {

Var spatial_attention(const Var& x, const Var& w) {
  const Tensor &X = x.value(), &Wt = w.value();
  check_same_kind("spatial_attention", {&X, &Wt});
  const int N = X.dim(0), C = X.dim(1), H = X.dim(2), W = X.dim(3);
  check_shape(Wt, {1, 2, 7, 7}, "spatial_attention weight");
  const auto dev = X.device();
  const auto dt = X.dtype();
  Tensor y(X.shape(), dt, dev), gate({N, H, W}, dt, dev), pooled({N, 2, H, W}, dt, dev),
      max_channel({N, H, W}, DType::I32, dev);
  run_kernel(
      X, "spatial_attention",
      [&]<class T>() {
        cpu::spatial_attention_forward<T>(y.data<T>(), gate.data<T>(), pooled.data<T>(),
                                          max_channel.data<std::int32_t>(), X.data<T>(),
                                          Wt.data<T>(), N, C, H, W);
      },
      [&]<class Set>(cuda::Stream s) {
        cuda::spatial_attention_forward<Set>(y.data<float>(), gate.data<float>(),
                                             pooled.data<float>(), max_channel.data<std::int32_t>(),
                                             X.data<float>(), Wt.data<float>(), N, C, H, W, s);
      });
  return Var::from_op(y, "spatial_attention", {x, w}, [=](const Tensor& dy) -> std::vector<Tensor> {
    Tensor dx(X.shape(), dt, dev), dw(Wt.shape(), dt, dev);
    run_kernel(
        X, "spatial_attention backward",
        [&]<class T>() {
          cpu::spatial_attention_backward<T>(
              dx.data<T>(), dw.data<T>(), dy.data<T>(), X.data<T>(), gate.data<T>(),
              pooled.data<T>(), max_channel.data<std::int32_t>(), Wt.data<T>(), N, C, H, W);
        },
        [&]<class Set>(cuda::Stream s) {
          cuda::spatial_attention_backward<Set>(
              dx.data<float>(), dw.data<float>(), dy.data<float>(), X.data<float>(),
              gate.data<float>(), pooled.data<float>(), max_channel.data<std::int32_t>(),
              Wt.data<float>(), N, C, H, W, s);
        });
    return {dx, dw};
  });
}

}  // namespace braincam
