#include "engine/tensor_math.h"

#include <cmath>
#include <stdexcept>
#include <vector>

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

std::int64_t first_non_finite(const Tensor& t) {
  if (t.dtype() != DType::F32 && t.dtype() != DType::F64) return -1;
  const std::vector<double> values = t.to_vector();
  for (std::size_t i = 0; i < values.size(); ++i)
    if (!std::isfinite(values[i])) return static_cast<std::int64_t>(i);
  return -1;
}

void require_finite(const Tensor& t, const std::string& source, const std::string& name) {
  const std::int64_t i = first_non_finite(t);
  if (i < 0) return;
  const double v = t.to_vector()[static_cast<std::size_t>(i)];
  throw std::runtime_error(source + ": tensor '" + name + "' holds " +
                           (std::isnan(v) ? "NaN"
                            : v > 0       ? "+inf"
                                          : "-inf") +
                           " at element " + std::to_string(i) +
                           " (weights must be finite numbers)");
}

}  // namespace braincam
