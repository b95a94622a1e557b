#include "tools/gradcheck/gradcheck.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <utility>

#include "base/random.h"
#include "tools/gradcheck/op_checks.h"

namespace braincam::gradcheck {

namespace {

using bounds::ErrorScale;
using Results =
    std::vector<std::pair<std::string, Tensor>>;  // in the order emitted, F64 on the CPU

Tensor magnitudes(const Tensor& t) {
  Tensor m = t.to(DType::F64).clone();
  double* p = m.data<double>();
  for (std::int64_t i = 0; i < m.numel(); ++i) p[i] = std::fabs(p[i]);
  return m;
}

bool is_float(const Tensor& t) { return t.dtype() == DType::F32 || t.dtype() == DType::F64; }

// Runs the check on copies of `inputs` made by `convert` (integer inputs, class indices, as they
// are); returns its results on the CPU in F64.
template <class Convert>
Results run_on(const OpCheck& check, const Inputs& inputs, Convert&& convert) {
  Inputs converted;
  for (const auto& [name, t] : inputs) converted[name] = is_float(t) ? convert(t) : t;
  Results results;
  check.run(converted, [&](const std::string& output, const Tensor& value) {
    results.emplace_back(output, value.to(Device::CPU).to(DType::F64));
  });
  return results;
}

Row compare(const std::string& op, const CheckedOutput& output, const Tensor& got,
            const Tensor& want, const Tensor& magnitude_sums) {
  Row row;
  row.op = op;
  row.output = output.name;
  row.tolerance = output.bound.relative();
  if (got.shape() != want.shape()) {
    row.status = Row::Status::Fail;
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
    const double scale = output.bound.scale == ErrorScale::SumOfMagnitudes
                             ? magnitude_sums.data<double>()[i]
                             : tensor_max;
    const double relative = error == 0  ? 0.0
                            : scale > 0 ? error / scale
                                        : std::numeric_limits<double>::infinity();
    row.max_abs_error = std::max(row.max_abs_error, error);
    row.max_rel_error = std::max(row.max_rel_error, relative);
  }
  const bool pass = not_finite == 0 && row.max_rel_error <= row.tolerance;
  row.status = pass ? Row::Status::Pass : Row::Status::Fail;
  if (not_finite)
    row.message = std::to_string(not_finite) + " of " + std::to_string(n) + " not finite";
  return row;
}

// The reference's results must be the check's declared outputs, in order.
void require_declared(const OpCheck& check, const Results& results) {
  bool same = results.size() == check.outputs.size();
  for (std::size_t i = 0; same && i < results.size(); ++i)
    same = results[i].first == check.outputs[i].name;
  if (!same)
    throw std::logic_error("gradcheck " + check.op +
                           ": the outputs emitted are not those declared");
}

void run_check(const OpCheck& check, std::uint64_t stream, Device device, std::uint64_t seed,
               const std::function<void(const Row&)>& on_row) {
  Inputs inputs;
  for (std::size_t i = 0; i < check.inputs.size(); ++i) {
    Rng rng(seed, stream, i);
    inputs[check.inputs[i].name] = draw(check.inputs[i], rng);
  }
  const Results want = run_on(check, inputs, [](const Tensor& t) { return t.to(DType::F64); });
  require_declared(check, want);
  const bool need_magnitudes = std::any_of(
      check.outputs.begin(), check.outputs.end(),
      [](const CheckedOutput& o) { return o.bound.scale == ErrorScale::SumOfMagnitudes; });
  const Results sums = need_magnitudes ? run_on(check, inputs, magnitudes) : Results(want.size());

  std::size_t emitted = 0;
  try {
    Inputs on_device;
    // A copy even on the CPU: ops update some inputs (running statistics) in place.
    for (const auto& [name, t] : inputs) on_device[name] = t.clone().to(device);
    check.run(on_device, [&](const std::string& output, const Tensor& value) {
      if (emitted >= want.size() || want[emitted].first != output)
        throw std::logic_error("gradcheck " + check.op + ": emitted " + output + " out of order");
      on_row(compare(check.op, check.outputs[emitted], value.to(Device::CPU).to(DType::F64),
                     want[emitted].second, sums[emitted].second));
      ++emitted;
    });
  } catch (const std::exception& e) {
    Row row;
    row.op = check.op;
    for (std::size_t i = emitted; i < want.size(); ++i)
      row.output += (i > emitted ? "," : "") + want[i].first;
    const std::string what = e.what();
    row.status = what.find("no kernel for device") != std::string::npos ? Row::Status::NoKernel
                                                                        : Row::Status::Error;
    row.message = what;
    on_row(row);
  }
}

}  // namespace

const char* status_name(Row::Status status) {
  switch (status) {
    case Row::Status::Pass:
      return "pass";
    case Row::Status::Fail:
      return "FAIL";
    case Row::Status::NoKernel:
      return "no kernel";
    case Row::Status::Error:
      return "ERROR";
  }
  return "?";
}

std::vector<std::string> op_names() {
  std::vector<std::string> names;
  for (const OpCheck& c : op_checks(CheckShape{.N = 1})) names.push_back(c.op);
  return names;
}

void run(Device device, const CheckShape& shape, std::uint64_t seed, const std::string& op,
         const std::function<void(const Row&)>& on_row) {
  const std::vector<OpCheck> checks = op_checks(shape);
  if (!op.empty() &&
      std::none_of(checks.begin(), checks.end(), [&](const OpCheck& c) { return c.op == op; }))
    throw std::invalid_argument("gradcheck: unknown op '" + op + "'");
  for (std::size_t i = 0; i < checks.size(); ++i)
    if (op.empty() || checks[i].op == op) run_check(checks[i], i, device, seed, on_row);
}

nlohmann::json to_json(const Row& row) {
  return {{"op", row.op},
          {"output", row.output},
          {"status", status_name(row.status)},
          {"max_abs_error", row.max_abs_error},
          {"max_rel_error", row.max_rel_error},
          {"tolerance", row.tolerance},
          {"message", row.message}};
}

}  // namespace braincam::gradcheck
