#pragma once
// `braincam gradcheck`'s comparison: runs each op check (tools/gradcheck_ops.h) on a device in
// float32 and on the CPU reference in float64 on the same inputs, and makes one row per result:
// the largest absolute and relative errors against the tolerance (tools/gradcheck_tolerances.h).
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/dtype.h"
#include "tools/gradcheck_tolerances.h"

namespace braincam::tools {

struct GradcheckRow {
  enum class Status {
    Pass,
    Fail,      // over the tolerance, or not finite
    NoKernel,  // the device has no kernel for this op yet
    Error,     // the op threw something else
  };
  std::string op, output;  // output is empty for a NoKernel or Error row of a whole check
  Status status = Status::Pass;
  double max_abs_error = 0, max_rel_error = 0, tolerance = 0;
  std::string message;  // what the op threw (NoKernel, Error)
};

const char* status_name(GradcheckRow::Status status);

// The names of the op checks, in order.
std::vector<std::string> gradcheck_op_names();

// Runs the check of `op` (every check when empty) on `device` with inputs drawn from `seed`,
// passing each row to on_row as soon as it is known. Throws for an unknown op.
void run_gradcheck(Device device, const CheckShape& shape, std::uint64_t seed,
                   const std::string& op, const std::function<void(const GradcheckRow&)>& on_row);

// A row as JSON: op, output, status, max_abs_error, max_rel_error, tolerance, message.
nlohmann::json to_json(const GradcheckRow& row);

}  // namespace braincam::tools
