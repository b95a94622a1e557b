#include "kernels/cpu/bce.h"

#include "engine/dispatch.h"
#include "engine/ops.h"
#include "kernels/cuda/bce.h"

namespace braincam {

Var bce_with_logits(const Var& z, const Tensor& labels) {
  const Tensor& Z = z.value();
  check_same_kind("bce_with_logits", {&Z, &labels});
  const int N = Z.dim(0);
  if (Z.numel() != N || labels.numel() != N)
    throw std::invalid_argument("bce_with_logits: logits " + shape_str(Z.shape()) + " and labels " +
                                shape_str(labels.shape()) + " must hold one value per image");
  Tensor loss({}, Z.dtype(), Z.device());
  run_kernel(
      Z, "bce_with_logits",
      [&]<class T>() {
        cpu::bce_with_logits_forward<T>(loss.data<T>(), Z.data<T>(), labels.data<T>(), N);
      },
      [&]<class Set>(cuda::Stream s) {
        cuda::bce_with_logits_forward<Set>(loss.data<float>(), Z.data<float>(),
                                           labels.data<float>(), N, s);
      });
  return Var::from_op(
      loss, "bce_with_logits", {z}, [=](const Tensor& dloss) -> std::vector<Tensor> {
        Tensor dz(Z.shape(), Z.dtype(), Z.device());
        run_kernel(
            Z, "bce_with_logits backward",
            [&]<class T>() {
              cpu::bce_with_logits_backward<T>(dz.data<T>(), Z.data<T>(), labels.data<T>(),
                                               dloss.data<T>(), N);
            },
            [&]<class Set>(cuda::Stream s) {
              cuda::bce_with_logits_backward<Set>(dz.data<float>(), Z.data<float>(),
                                                  labels.data<float>(), dloss.data<float>(), N, s);
            });
        return {dz};
      });
}

}  // namespace braincam
