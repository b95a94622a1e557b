#include "kernels/cpu/softmax_cross_entropy.h"

#include "engine/dispatch.h"
#include "engine/ops.h"
#include "kernels/cuda/softmax_cross_entropy.h"

namespace braincam {

namespace {

void check_labels(const Tensor& Z, const Tensor& labels) {
  const char* op = "softmax_cross_entropy";
  if (labels.dtype() != DType::I64 || labels.device() != Z.device())
    throw std::invalid_argument(std::string(op) + ": labels must be I64 class indices on " +
                                device_name(Z.device()) + ", got " + dtype_name(labels.dtype()) +
                                "/" + device_name(labels.device()));
  if (Z.ndim() != 2 || labels.numel() != Z.dim(0))
    throw std::invalid_argument(std::string(op) + ": logits " + shape_str(Z.shape()) +
                                " and labels " + shape_str(labels.shape()) +
                                " must be N x K and N");
  if (labels.device() == Device::CUDA) return;  // not readable here: the caller's check
  const std::int64_t* y = labels.data<std::int64_t>();
  for (std::int64_t n = 0; n < labels.numel(); ++n)
    if (y[n] < 0 || y[n] >= Z.dim(1))
      throw std::invalid_argument(std::string(op) + ": label " + std::to_string(y[n]) +
                                  " of image " + std::to_string(n) + " is not a class of " +
                                  std::to_string(Z.dim(1)));
}

}  // namespace

Var softmax_cross_entropy(const Var& z, const Tensor& labels) {
  const Tensor& Z = z.value();
  check_labels(Z, labels);
  const int N = Z.dim(0), K = Z.dim(1);
  Tensor loss({}, Z.dtype(), Z.device());
  run_kernel(
      Z, "softmax_cross_entropy",
      [&]<class T>() {
        cpu::softmax_cross_entropy_forward<T>(loss.data<T>(), Z.data<T>(),
                                              labels.data<std::int64_t>(), N, K);
      },
      [&]<class Set>(cuda::Stream s) {
        cuda::softmax_cross_entropy_forward<Set>(loss.data<float>(), Z.data<float>(),
                                                 labels.data<std::int64_t>(), N, K, s);
      });
  return Var::from_op(
      loss, "softmax_cross_entropy", {z}, [=](const Tensor& dloss) -> std::vector<Tensor> {
        Tensor dz(Z.shape(), Z.dtype(), Z.device());
        run_kernel(
            Z, "softmax_cross_entropy backward",
            [&]<class T>() {
              cpu::softmax_cross_entropy_backward<T>(
                  dz.data<T>(), Z.data<T>(), labels.data<std::int64_t>(), dloss.data<T>(), N, K);
            },
            [&]<class Set>(cuda::Stream s) {
              cuda::softmax_cross_entropy_backward<Set>(dz.data<float>(), Z.data<float>(),
                                                        labels.data<std::int64_t>(),
                                                        dloss.data<float>(), N, K, s);
            });
        return {dz};
      });
}

}  // namespace braincam
