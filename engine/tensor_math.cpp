#include "engine/tensor_math.h"

#include "engine/dispatch.h"
#include "kernels/cpu/add_inplace.h"
#include "kernels/cuda/add_inplace.h"

namespace braincam {

void check_same_kind(const char* op, std::initializer_list<const Tensor*> tensors) {
  const Tensor* first = *tensors.begin();
  for (const Tensor* t : tensors) {
    if (!t->defined()) throw std::invalid_argument(std::string(op) + ": an input is undefined");
    if (t->dtype() != first->dtype() || t->device() != first->device())
      throw std::invalid_argument(std::string(op) + ": inputs mix " + dtype_name(first->dtype()) +
                                  "/" + device_name(first->device()) + " and " +
                                  dtype_name(t->dtype()) + "/" + device_name(t->device()));
  }
}

void add_inplace(Tensor& dst, const Tensor& src) {
  check_same_kind("add_inplace", {&dst, &src});
  if (dst.shape() != src.shape())
    throw std::invalid_argument("add_inplace: shapes " + shape_str(dst.shape()) + " and " +
                                shape_str(src.shape()));
  const long n = dst.numel();
  run_kernel(
      dst, "add_inplace", [&]<class T>() { cpu::add_inplace<T>(dst.data<T>(), src.data<T>(), n); },
      [&]<class Set>(cuda::Stream s) {
        cuda::add_inplace<Set>(dst.data<float>(), src.data<float>(), n, s);
      });
}

}  // namespace braincam
