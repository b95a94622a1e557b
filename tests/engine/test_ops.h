#pragma once
// Small autograd ops that only the tests need, built with Var::from_op like the engine's ops.
// Float64 tensors on the CPU.
#include <stdexcept>
#include <vector>

#include "engine/autograd.h"

namespace braincam::test {

// The scalar sum(out * R): a random R makes it a generic linear functional of out, whose
// gradient with respect to out is R.
inline Var weighted_sum(const Var& out, const Tensor& R) {
  const Tensor& X = out.value();
  if (X.numel() != R.numel() || X.dtype() != DType::F64 || R.dtype() != DType::F64)
    throw std::invalid_argument("weighted_sum: needs float64 tensors of equal size");
  const double* x = X.data<double>();
  const double* r = R.data<double>();
  // Accumulated in extended precision: the finite differences of this sum are then limited by
  // the op under test, not by the rounding of a long sum.
  long double total = 0;
  for (std::int64_t i = 0; i < X.numel(); ++i) total += static_cast<long double>(x[i]) * r[i];
  const Tensor weights = R.reshape(X.shape());
  return Var::from_op(Tensor::full({}, static_cast<double>(total), DType::F64), "weighted_sum",
                      {out}, [weights](const Tensor& g) -> std::vector<Tensor> {
                        Tensor dx = weights.clone();
                        double* d = dx.data<double>();
                        for (std::int64_t i = 0; i < dx.numel(); ++i) d[i] *= g.item();
                        return {dx};
                      });
}

// a + b for scalars. Its backward hands the same gradient tensor to both inputs, which
// backward() must not let one accumulation corrupt for the other.
inline Var add_scalars(const Var& a, const Var& b) {
  if (a.value().numel() != 1 || b.value().numel() != 1)
    throw std::invalid_argument("add_scalars: needs two scalars");
  const double sum = a.value().item() + b.value().item();
  const Shape sa = a.value().shape(), sb = b.value().shape();
  return Var::from_op(Tensor::full({}, sum, DType::F64), "add_scalars", {a, b},
                      [sa, sb](const Tensor& g) -> std::vector<Tensor> {
                        return {g.reshape(sa), g.reshape(sb)};
                      });
}

}  // namespace braincam::test
