#include "kernels/cpu/relu.h"

#include "engine/dispatch.h"
#include "engine/ops.h"
#include "kernels/cuda/relu.h"

namespace braincam {

Var relu(const Var& x) {
  const Tensor& X = x.value();
  const long n = X.numel();
  Tensor y(X.shape(), X.dtype(), X.device());
  run_kernel(
      X, "relu", [&]<class T>() { cpu::relu_forward<T>(y.data<T>(), X.data<T>(), n); },
      [&]<class Set>(cuda::Stream s) {
        cuda::relu_forward<Set>(y.data<float>(), X.data<float>(), n, s);
      });
  return Var::from_op(y, "relu", {x}, [=](const Tensor& dy) -> std::vector<Tensor> {
    Tensor dx(X.shape(), X.dtype(), X.device());
    run_kernel(
        X, "relu backward",
        [&]<class T>() { cpu::relu_backward<T>(dx.data<T>(), dy.data<T>(), y.data<T>(), n); },
        [&]<class Set>(cuda::Stream s) {
          cuda::relu_backward<Set>(dx.data<float>(), dy.data<float>(), y.data<float>(), n, s);
        });
    return {dx};
  });
}

}  // namespace braincam
