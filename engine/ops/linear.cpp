#include "kernels/cpu/linear.h"

#include "engine/dispatch.h"
#include "engine/ops.h"
#include "kernels/cuda/linear.h"

namespace braincam {

Var linear(const Var& x, const Var& w, const Var& b) {
  const Tensor &X = x.value(), &Wt = w.value(), &B = b.value();
  check_same_kind("linear", {&X, &Wt, &B});
  const int N = X.dim(0), In = X.numel() / N, Out = Wt.dim(0);
  check_shape(Wt, {Out, In}, "linear weight");
  check_shape(B, {Out}, "linear bias");
  Tensor y({N, Out}, X.dtype(), X.device());
  run_kernel(
      X, "linear",
      [&]<class T>() {
        cpu::linear_forward<T>(y.data<T>(), X.data<T>(), Wt.data<T>(), B.data<T>(), N, In, Out);
      },
      [&]<class Set>(cuda::Stream s) {
        cuda::linear_forward<Set>(y.data<float>(), X.data<float>(), Wt.data<float>(),
                                  B.data<float>(), N, In, Out, s);
      });
  return Var::from_op(y, "linear", {x, w, b}, [=](const Tensor& dy) -> std::vector<Tensor> {
    Tensor dx = x.requires_grad() ? Tensor(X.shape(), X.dtype(), X.device()) : Tensor();
    Tensor dw(Wt.shape(), X.dtype(), X.device()), db(B.shape(), X.dtype(), X.device());
    run_kernel(
        X, "linear backward",
        [&]<class T>() {
          cpu::linear_backward<T>(dx.defined() ? dx.data<T>() : nullptr, dw.data<T>(), db.data<T>(),
                                  dy.data<T>(), X.data<T>(), Wt.data<T>(), N, In, Out);
        },
        [&]<class Set>(cuda::Stream s) {
          cuda::linear_backward<Set>(dx.defined() ? dx.data<float>() : nullptr, dw.data<float>(),
                                     db.data<float>(), dy.data<float>(), X.data<float>(),
                                     Wt.data<float>(), N, In, Out, s);
        });
    return {dx, dw, db};
  });
}

}  // namespace braincam
