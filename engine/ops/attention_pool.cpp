#include "kernels/cpu/attention_pool.h"

#include <stdexcept>

#include "engine/dispatch.h"
#include "engine/ops.h"
#include "engine/ops/channel_attention_inputs.h"
#include "kernels/cuda/attention_pool.h"

namespace braincam {

Var attention_pool(const Var& F, const Tensor& guidance, const Var& w1, const Var& b1,
                   const Var& w2, const Var& b2, const Var& ws) {
  const Tensor &X = F.value(), &W1 = w1.value(), &B1 = b1.value(), &W2 = w2.value(),
               &B2 = b2.value(), &WS = ws.value();
  check_same_kind("attention_pool", {&X, &guidance, &W1, &B1, &W2, &B2, &WS});
  if (X.ndim() != 4 || X.dim(2) % 4 || X.dim(3) % 4)
    throw std::invalid_argument(
        "attention_pool: F must be N x C x H x W with H, W multiples of 4, got " +
        shape_str(X.shape()));
  const int N = X.dim(0), C = X.dim(1), H = X.dim(2), W = X.dim(3), Ch = W1.dim(0);
  check_channel_attention_inputs("attention_pool", guidance, W1, B1, W2, B2, N, C, H, W);
  check_shape(WS, {1, 2, 7, 7}, "attention_pool spatial weight");
  const auto dev = X.device();
  const auto dt = X.dtype();
  const auto i32 = DType::I32;
  // The pooling's winners are only needed (and only stored) when a backward may follow.
  const bool keep =
      grad_enabled() && (F.requires_grad() || w1.requires_grad() || b1.requires_grad() ||
                         w2.requires_grad() || b2.requires_grad() || ws.requires_grad());
  Tensor P({N, C, H / 4, W / 4}, dt, dev),
      winners = keep ? Tensor(P.shape(), i32, dev) : Tensor(), channel_gate({N, C}, dt, dev),
      desc({3, N, C}, dt, dev), max_index({N, C}, i32, dev), hidden({3, N, Ch}, dt, dev),
      spatial_gate({N, H, W}, dt, dev), pooled({N, 2, H, W}, dt, dev),
      max_channel({N, H, W}, i32, dev);
  std::int32_t* kept_winners = keep ? winners.data<std::int32_t>() : nullptr;
  run_kernel(
      X, "attention_pool",
      [&]<class T>() {
        cpu::attention_pool_forward<T>(
            P.data<T>(), kept_winners, channel_gate.data<T>(), desc.data<T>(),
            max_index.data<std::int32_t>(), hidden.data<T>(), spatial_gate.data<T>(),
            pooled.data<T>(), max_channel.data<std::int32_t>(), X.data<T>(), guidance.data<T>(),
            W1.data<T>(), B1.data<T>(), W2.data<T>(), B2.data<T>(), WS.data<T>(), N, C, H, W, Ch);
      },
      [&]<class Set>(cuda::Stream s) {
        cuda::attention_pool_forward<Set>(
            P.data<float>(), kept_winners, channel_gate.data<float>(), desc.data<float>(),
            max_index.data<std::int32_t>(), hidden.data<float>(), spatial_gate.data<float>(),
            pooled.data<float>(), max_channel.data<std::int32_t>(), X.data<float>(),
            guidance.data<float>(), W1.data<float>(), B1.data<float>(), W2.data<float>(),
            B2.data<float>(), WS.data<float>(), N, C, H, W, Ch, s);
      });
  return Var::from_op(
      P, "attention_pool", {F, w1, b1, w2, b2, ws}, [=](const Tensor& dP) -> std::vector<Tensor> {
        Tensor dF(X.shape(), dt, dev), dw1(W1.shape(), dt, dev), db1(B1.shape(), dt, dev),
            dw2(W2.shape(), dt, dev), db2(B2.shape(), dt, dev), dws(WS.shape(), dt, dev);
        run_kernel(
            X, "attention_pool backward",
            [&]<class T>() {
              cpu::attention_pool_backward<T>(
                  dF.data<T>(), dw1.data<T>(), db1.data<T>(), dw2.data<T>(), db2.data<T>(),
                  dws.data<T>(), dP.data<T>(), winners.data<std::int32_t>(), X.data<T>(),
                  guidance.data<T>(), channel_gate.data<T>(), desc.data<T>(),
                  max_index.data<std::int32_t>(), hidden.data<T>(), spatial_gate.data<T>(),
                  pooled.data<T>(), max_channel.data<std::int32_t>(), W1.data<T>(), W2.data<T>(),
                  WS.data<T>(), N, C, H, W, Ch);
            },
            [&]<class Set>(cuda::Stream s) {
              cuda::attention_pool_backward<Set>(
                  dF.data<float>(), dw1.data<float>(), db1.data<float>(), dw2.data<float>(),
                  db2.data<float>(), dws.data<float>(), dP.data<float>(),
                  winners.data<std::int32_t>(), X.data<float>(), guidance.data<float>(),
                  channel_gate.data<float>(), desc.data<float>(), max_index.data<std::int32_t>(),
                  hidden.data<float>(), spatial_gate.data<float>(), pooled.data<float>(),
                  max_channel.data<std::int32_t>(), W1.data<float>(), W2.data<float>(),
                  WS.data<float>(), N, C, H, W, Ch, s);
            });
        return {dF, dw1, db1, dw2, db2, dws};
      });
}

}  // namespace braincam
