#include "tools/gradcheck_table.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <utility>

#include "base/random.h"
#include "tools/gradcheck_ops.h"

namespace braincam::tools {

namespace {

using Results =
    std::vector<std::pair<std::string, Tensor>>;  // in the order emitted, F64 on the CPU

Tensor draw(const InputSpec& spec, Rng& rng) {
  Tensor t(spec.shape, DType::F32);
  float* p = t.data<float>();
  const std::int64_t n = t.numel();
  switch (spec.kind) {
    case InputSpec::Kind::Uniform:
      for (std::int64_t i = 0; i < n; ++i) p[i] = static_cast<float>(rng.uniform(spec.lo, spec.hi));
      break;
    case InputSpec::Kind::Binary:
      for (std::int64_t i = 0; i < n; ++i) p[i] = static_cast<float>(rng.below(2));
      break;
    case InputSpec::Kind::EightBit: {
      const auto lo = static_cast<std::int64_t>(std::lround(spec.lo * 256)),
                 hi = static_cast<std::int64_t>(std::lround(spec.hi * 256));
      for (std::int64_t i = 0; i < n; ++i)
        p[i] = static_cast<float>(lo + static_cast<std::int64_t>(rng.below(hi - lo + 1))) / 256.0f;
      break;
    }
    case InputSpec::Kind::Simplex: {
      const std::int64_t width = spec.shape.back();
      for (std::int64_t row = 0; row < n; row += width) {
        double sum = 0;
        for (std::int64_t i = row; i < row + width; ++i)
          sum += p[i] = static_cast<float>(rng.uniform(0.1, 1.0));
        for (std::int64_t i = row; i < row + width; ++i) p[i] = static_cast<float>(p[i] / sum);
      }
      break;
    }
  }
  return t;
}

Tensor magnitudes(const Tensor& t) {
  Tensor m = t.to(DType::F64).clone();
  double* p = m.data<double>();
  for (std::int64_t i = 0; i < m.numel(); ++i) p[i] = std::fabs(p[i]);
  return m;
}

// Runs the check on copies of `inputs` made by `convert`; returns its results on the CPU in F64.
template <class Convert>
Results run_on(const OpCheck& check, const Inputs& inputs, Convert&& convert) {
  Inputs converted;
  for (const auto& [name, t] : inputs) converted[name] = convert(t);
  Results results;
  check.run(converted, [&](const std::string& output, const Tensor& value) {
    results.emplace_back(output, value.to(Device::CPU).to(DType::F64));
  });
  return results;
}

GradcheckRow compare(const std::string& op, const std::string& output, const Tensor& got,
                     const Tensor& want, const Tensor& magnitude_sums, const Tolerance& tolerance) {
  GradcheckRow row;
  row.op = op;
  row.output = output;
  row.tolerance = tolerance.bound();
  if (got.shape() != want.shape()) {
    row.status = GradcheckRow::Status::Fail;
    row.message = "shape " + shape_str(got.shape()) + ", want " + shape_str(want.shape());
    return row;
  }
  const double *g = got.data<double>(), *w = want.data<double>();
  const std::int64_t n = want.numel();
  double tensor_max = 0;
  for (std::int64_t i = 0; i < n; ++i) tensor_max = std::max(tensor_max, std::fabs(w[i]));
  std::int64_t not_finite = 0;
  for (std::int64_t i = 0; i < n; ++i) {
    if (!std::isfinite(g[i])) {  // an element never written (the NaN poison), or an overflow
      ++not_finite;
      continue;
    }
    const double error = std::fabs(g[i] - w[i]);
    const double scale = tolerance.scale == ErrorScale::SumOfMagnitudes
                             ? magnitude_sums.data<double>()[i]
                             : tensor_max;
    const double relative = error == 0  ? 0.0
                            : scale > 0 ? error / scale
                                        : std::numeric_limits<double>::infinity();
    row.max_abs_error = std::max(row.max_abs_error, error);
    row.max_rel_error = std::max(row.max_rel_error, relative);
  }
  const bool pass = not_finite == 0 && row.max_rel_error <= row.tolerance;
  row.status = pass ? GradcheckRow::Status::Pass : GradcheckRow::Status::Fail;
  if (not_finite)
    row.message = std::to_string(not_finite) + " of " + std::to_string(n) + " not finite";
  return row;
}

void run_check(const OpCheck& check, std::uint64_t stream, Device device, const CheckShape& shape,
               std::uint64_t seed, const std::function<void(const GradcheckRow&)>& on_row) {
  Inputs inputs;
  for (std::size_t i = 0; i < check.inputs.size(); ++i) {
    Rng rng(seed, stream, i);
    inputs[check.inputs[i].name] = draw(check.inputs[i], rng);
  }
  const Results want = run_on(check, inputs, [](const Tensor& t) { return t.to(DType::F64); });
  std::vector<Tolerance> tolerances;
  bool need_magnitudes = false;
  for (const auto& [output, value] : want) {
    tolerances.push_back(gradcheck_tolerance(check.op, output, shape));
    need_magnitudes = need_magnitudes || tolerances.back().scale == ErrorScale::SumOfMagnitudes;
  }
  const Results sums = need_magnitudes ? run_on(check, inputs, magnitudes) : Results(want.size());

  std::size_t emitted = 0;
  try {
    Inputs on_device;
    // A copy even on the CPU: ops update some inputs (running statistics) in place.
    for (const auto& [name, t] : inputs) on_device[name] = t.clone().to(device);
    check.run(on_device, [&](const std::string& output, const Tensor& value) {
      if (emitted >= want.size() || want[emitted].first != output)
        throw std::logic_error("gradcheck " + check.op + ": emitted " + output + " out of order");
      on_row(compare(check.op, output, value.to(Device::CPU).to(DType::F64), want[emitted].second,
                     sums[emitted].second, tolerances[emitted]));
      ++emitted;
    });
  } catch (const std::exception& e) {
    GradcheckRow row;
    row.op = check.op;
    for (std::size_t i = emitted; i < want.size(); ++i)
      row.output += (i > emitted ? "," : "") + want[i].first;
    const std::string what = e.what();
    row.status = what.find("no kernel for device") != std::string::npos
                     ? GradcheckRow::Status::NoKernel
                     : GradcheckRow::Status::Error;
    row.message = what;
    on_row(row);
  }
}

}  // namespace

const char* status_name(GradcheckRow::Status status) {
  switch (status) {
    case GradcheckRow::Status::Pass:
      return "pass";
    case GradcheckRow::Status::Fail:
      return "FAIL";
    case GradcheckRow::Status::NoKernel:
      return "no kernel";
    case GradcheckRow::Status::Error:
      return "ERROR";
  }
  return "?";
}

std::vector<std::string> gradcheck_op_names() {
  std::vector<std::string> names;
  for (const OpCheck& c : gradcheck_ops(CheckShape{.N = 1})) names.push_back(c.op);
  return names;
}

void run_gradcheck(Device device, const CheckShape& shape, std::uint64_t seed,
                   const std::string& op, const std::function<void(const GradcheckRow&)>& on_row) {
  const std::vector<OpCheck> checks = gradcheck_ops(shape);
  if (!op.empty() &&
      std::none_of(checks.begin(), checks.end(), [&](const OpCheck& c) { return c.op == op; }))
    throw std::invalid_argument("gradcheck: unknown op '" + op + "'");
  for (std::size_t i = 0; i < checks.size(); ++i)
    if (op.empty() || checks[i].op == op) run_check(checks[i], i, device, shape, seed, on_row);
}

nlohmann::json to_json(const GradcheckRow& row) {
  return {{"op", row.op},
          {"output", row.output},
          {"status", status_name(row.status)},
          {"max_abs_error", row.max_abs_error},
          {"max_rel_error", row.max_rel_error},
          {"tolerance", row.tolerance},
          {"message", row.message}};
}

}  // namespace braincam::tools
