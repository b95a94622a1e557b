#pragma once
// Finite-difference check of the gradients of a scalar function of Vars, in float64.
//
// `loss` builds the scalar from the inputs (leaf Vars holding float64 CPU tensors); it is called
// once with gradients on for the analytic gradients (backward), then twice per checked element
// under NoGradScope for the central difference
//   numeric_i = (f(x + h e_i) - f(x - h e_i)) / 2h,   h = step * max(1, |x_i|).
// Inputs are perturbed in place and restored exactly. The error of one element is
//   |analytic_i - numeric_i| / max(|analytic_i|, |numeric_i|, scale),
// where scale is the RMS of the analytic gradient of the whole tensor (or of the input named by
// `scale_from`). So the error is relative where the gradient is large and measured on the
// tensor's gradient scale where it is (near) zero, instead of dividing rounding noise by itself.
// A parameter whose true gradient is exactly zero (conv1.bias before batchnorm) borrows the
// scale of another input via scale_from.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <numeric>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "engine/autograd.h"

namespace braincam::test {

struct GradCheckInput {
  GradCheckInput(std::string name, Var var, std::string scale_from = "")
      : name(std::move(name)), var(std::move(var)), scale_from(std::move(scale_from)) {}
  std::string name;
  Var var;
  std::string scale_from;  // empty: this input's own gradient RMS
};

struct GradCheckOptions {
  double step = 1e-6;
  std::int64_t max_elements = 64;  // per input: every element up to this many, else a sample
  std::uint64_t seed = 1;          // of the sample
};

struct GradCheckInputReport {
  std::string name;
  std::int64_t checked = 0;
  double scale = 0;
  // The worst element.
  std::int64_t index = -1;
  double analytic = 0, numeric = 0, error = 0;
};

struct GradCheckReport {
  std::vector<GradCheckInputReport> inputs;

  double max_error() const {
    double e = 0;
    for (const auto& r : inputs) e = std::max(e, r.error);
    return e;
  }
  std::string str() const {
    std::ostringstream os;
    os.precision(3);
    for (const auto& r : inputs)
      os << r.name << ": " << r.checked << " checked, scale " << r.scale << ", max error "
         << r.error << " at [" << r.index << "] (analytic " << r.analytic << ", numeric "
         << r.numeric << ")\n";
    return os.str();
  }
};

namespace detail {

inline double rms(const Tensor& g) {
  const std::vector<double> v = g.to_vector();
  if (v.empty()) return 0;
  double sq = 0;
  for (double x : v) sq += x * x;
  return std::sqrt(sq / static_cast<double>(v.size()));
}

// Every index when n <= k, else k distinct indices drawn at random, in increasing order.
inline std::vector<std::int64_t> pick_indices(std::int64_t n, std::int64_t k,
                                              std::mt19937_64& rng) {
  std::vector<std::int64_t> all(n);
  std::iota(all.begin(), all.end(), 0);
  if (n <= k) return all;
  for (std::int64_t i = 0; i < k; ++i) {  // a partial Fisher-Yates shuffle
    std::uniform_int_distribution<std::int64_t> pick(i, n - 1);
    std::swap(all[i], all[pick(rng)]);
  }
  all.resize(k);
  std::sort(all.begin(), all.end());
  return all;
}

inline double evaluate(const std::function<Var()>& loss) {
  NoGradScope no_grad;
  const Var f = loss();
  if (f.value().numel() != 1) throw std::invalid_argument("gradcheck: the loss must be a scalar");
  return f.value().item();
}

}  // namespace detail

inline GradCheckReport gradcheck(const std::function<Var()>& loss,
                                 const std::vector<GradCheckInput>& inputs,
                                 const GradCheckOptions& options = {}) {
  for (const auto& in : inputs) {
    if (!in.var.defined() || in.var.grad_fn())
      throw std::invalid_argument("gradcheck: input " + in.name + " must be a leaf Var");
    if (in.var.value().dtype() != DType::F64 || !in.var.value().on_host())
      throw std::invalid_argument("gradcheck: input " + in.name + " must be float64 on the host");
    Var leaf = in.var;  // shares the node
    leaf.set_requires_grad(true);
    leaf.zero_grad();
  }
  backward(loss());

  // Analytic gradients (undefined means zero) and their scales.
  std::vector<Tensor> analytic;
  std::vector<double> own_scale;
  for (const auto& in : inputs) {
    const Tensor& g = in.var.grad();
    analytic.push_back(g.defined() ? g.to(DType::F64)
                                   : Tensor::zeros(in.var.value().shape(), DType::F64));
    if (analytic.back().shape() != in.var.value().shape())
      throw std::logic_error("gradcheck: gradient of " + in.name + " has shape " +
                             shape_str(analytic.back().shape()));
    own_scale.push_back(detail::rms(analytic.back()));
  }
  auto scale_of = [&](const GradCheckInput& in, std::size_t self) {
    if (in.scale_from.empty()) return own_scale[self];
    for (std::size_t j = 0; j < inputs.size(); ++j)
      if (inputs[j].name == in.scale_from) return own_scale[j];
    throw std::invalid_argument("gradcheck: no input named " + in.scale_from);
  };

  GradCheckReport report;
  std::mt19937_64 rng(options.seed);
  for (std::size_t k = 0; k < inputs.size(); ++k) {
    const GradCheckInput& in = inputs[k];
    double* x = in.var.value().data<double>();
    const double* a = analytic[k].data<double>();
    GradCheckInputReport r;
    r.name = in.name;
    r.scale = scale_of(in, k);
    for (std::int64_t i : detail::pick_indices(in.var.value().numel(), options.max_elements, rng)) {
      const double original = x[i];
      const double h = options.step * std::max(1.0, std::abs(original));
      x[i] = original + h;
      const double up = detail::evaluate(loss), x_up = x[i];
      x[i] = original - h;
      const double down = detail::evaluate(loss), x_down = x[i];
      x[i] = original;
      const double numeric = (up - down) / (x_up - x_down);  // the step as represented
      const double denom = std::max({std::abs(a[i]), std::abs(numeric), r.scale});
      const double error = denom > 0 ? std::abs(a[i] - numeric) / denom : 0.0;
      ++r.checked;
      if (r.index < 0 || error > r.error) {
        r.index = i;
        r.analytic = a[i];
        r.numeric = numeric;
        r.error = error;
      }
    }
    report.inputs.push_back(r);
  }
  return report;
}

}  // namespace braincam::test
