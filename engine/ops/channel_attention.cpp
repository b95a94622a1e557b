#include "kernels/cpu/channel_attention.h"

#include "engine/dispatch.h"
#include "engine/ops.h"
#include "engine/ops/channel_attention_inputs.h"
#include "kernels/cuda/channel_attention.h"

namespace braincam {

Var channel_attention(const Var& x, const Tensor& guidance, const Var& w1, const Var& b1,
                      const Var& w2, const Var& b2) {
  const Tensor &X = x.value(), &W1 = w1.value(), &B1 = b1.value(), &W2 = w2.value(),
               &B2 = b2.value();
  check_same_kind("channel_attention", {&X, &guidance, &W1, &B1, &W2, &B2});
  const int N = X.dim(0), C = X.dim(1), H = X.dim(2), W = X.dim(3), Ch = W1.dim(0);
  check_channel_attention_inputs("channel_attention", guidance, W1, B1, W2, B2, N, C, H, W);
  const auto dev = X.device();
  const auto dt = X.dtype();
  Tensor y(X.shape(), dt, dev), gate({N, C}, dt, dev), desc({3, N, C}, dt, dev),
      max_index({N, C}, DType::I32, dev), hidden({3, N, Ch}, dt, dev);
  run_kernel(
      X, "channel_attention",
      [&]<class T>() {
        cpu::channel_attention_forward<T>(y.data<T>(), gate.data<T>(), desc.data<T>(),
                                          max_index.data<std::int32_t>(), hidden.data<T>(),
                                          X.data<T>(), guidance.data<T>(), W1.data<T>(),
                                          B1.data<T>(), W2.data<T>(), B2.data<T>(), N, C, H, W, Ch);
      },
      [&]<class Set>(cuda::Stream s) {
        cuda::channel_attention_forward<Set>(
            y.data<float>(), gate.data<float>(), desc.data<float>(), max_index.data<std::int32_t>(),
            hidden.data<float>(), X.data<float>(), guidance.data<float>(), W1.data<float>(),
            B1.data<float>(), W2.data<float>(), B2.data<float>(), N, C, H, W, Ch, s);
      });
  return Var::from_op(
      y, "channel_attention", {x, w1, b1, w2, b2}, [=](const Tensor& dy) -> std::vector<Tensor> {
        Tensor dx(X.shape(), dt, dev), dw1(W1.shape(), dt, dev), db1(B1.shape(), dt, dev),
            dw2(W2.shape(), dt, dev), db2(B2.shape(), dt, dev);
        run_kernel(
            X, "channel_attention backward",
            [&]<class T>() {
              cpu::channel_attention_backward<T>(
                  dx.data<T>(), dw1.data<T>(), db1.data<T>(), dw2.data<T>(), db2.data<T>(),
                  dy.data<T>(), X.data<T>(), guidance.data<T>(), gate.data<T>(), desc.data<T>(),
                  max_index.data<std::int32_t>(), hidden.data<T>(), W1.data<T>(), W2.data<T>(), N,
                  C, H, W, Ch);
            },
            [&]<class Set>(cuda::Stream s) {
              cuda::channel_attention_backward<Set>(
                  dx.data<float>(), dw1.data<float>(), db1.data<float>(), dw2.data<float>(),
                  db2.data<float>(), dy.data<float>(), X.data<float>(), guidance.data<float>(),
                  gate.data<float>(), desc.data<float>(), max_index.data<std::int32_t>(),
                  hidden.data<float>(), W1.data<float>(), W2.data<float>(), N, C, H, W, Ch, s);
            });
        return {dx, dw1, db1, dw2, db2};
      });
}

}  // namespace braincam
