#include "kernels/cpu/maxpool4.h"

#include "engine/dispatch.h"
#include "engine/ops.h"
#include "kernels/cuda/maxpool4.h"

namespace braincam {

Var maxpool4(const Var& x) {
  const Tensor& X = x.value();
  if (X.ndim() != 4 || X.dim(2) % 4 || X.dim(3) % 4)
    throw std::invalid_argument(
        "maxpool4: input must be N x C x H x W with H, W multiples of 4, got " +
        shape_str(X.shape()));
  const int NC = X.dim(0) * X.dim(1), H = X.dim(2), W = X.dim(3);
  Tensor y({X.dim(0), X.dim(1), H / 4, W / 4}, X.dtype(), X.device());
  // Winner indices are only needed (and only stored) when a backward may follow.
  const bool keep = grad_enabled() && x.requires_grad();
  Tensor argmax = keep ? Tensor(y.shape(), DType::I32, X.device()) : Tensor();
  std::int32_t* winners = keep ? argmax.data<std::int32_t>() : nullptr;
  run_kernel(
      X, "maxpool4",
      [&]<class T>() { cpu::maxpool4_forward<T>(y.data<T>(), winners, X.data<T>(), NC, H, W); },
      [&]<class Set>(cuda::Stream s) {
        cuda::maxpool4_forward<Set>(y.data<float>(), winners, X.data<float>(), NC, H, W, s);
      });
  return Var::from_op(y, "maxpool4", {x}, [=](const Tensor& dy) -> std::vector<Tensor> {
    Tensor dx(X.shape(), X.dtype(), X.device());
    const std::int32_t* picked = argmax.data<std::int32_t>();
    run_kernel(
        X, "maxpool4 backward",
        [&]<class T>() { cpu::maxpool4_backward<T>(dx.data<T>(), dy.data<T>(), picked, NC, H, W); },
        [&]<class Set>(cuda::Stream s) {
          cuda::maxpool4_backward<Set>(dx.data<float>(), dy.data<float>(), picked, NC, H, W, s);
        });
    return {dx};
  });
}

}  // namespace braincam
