#pragma once
// braincam_gradcheck, the library of `braincam gradcheck`: it compares every device's forward and
// backward of every op with a float64 reference. Each op check (tools/gradcheck/op_checks.h) runs
// through the engine's ops on a device in float32 (the GPU, the SIMT emulator, or the CPU's own
// float32 reference and fast path) and on the CPU reference in float64 on the same inputs, at
// the model's shapes; each output and gradient becomes one row: its largest absolute and
// relative errors against its bound, from the op's header in kernels/bounds/.
//
// It does not check gradients against finite differences: those checks are the engine tests
// (tests/engine/op_gradients_test.cpp), in float64 on the CPU.
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/dtype.h"

namespace braincam::gradcheck {

// The shapes of the checks: the model's, at batch N.
struct CheckShape {
  int N;            // batch
  int C = 3;        // image channels
  int K = 32;       // conv1 output channels
  int classes = 4;  // fc outputs of the multiclass checks (the binary model's fc has one)
  int H = 240, W = 240;
  int pixels() const { return H * W; }
  int pool1_pixels() const { return (H / 4) * (W / 4); }
  int fc_inputs() const { return K * (H / 16) * (W / 16); }
};

struct Row {
  enum class Status {
    Pass,
    Fail,      // over the bound, or not finite
    NoKernel,  // the device has no kernel for this op yet
    Error,     // the op threw something else
  };
  std::string op, output;  // output is empty for a NoKernel or Error row of a whole check
  Status status = Status::Pass;
  double max_abs_error = 0, max_rel_error = 0, tolerance = 0;
  std::string message;  // what the op threw (NoKernel, Error)
};

const char* status_name(Row::Status status);

// The names of the op checks, in order.
std::vector<std::string> op_names();

// Runs the check of `op` (every check when empty) on `device` with inputs drawn from `seed`,
// passing each row to on_row as soon as it is known. Throws for an unknown op.
void run(Device device, const CheckShape& shape, std::uint64_t seed, const std::string& op,
         const std::function<void(const Row&)>& on_row);

// A row as JSON: op, output, status, max_abs_error, max_rel_error, tolerance, message.
nlohmann::json to_json(const Row& row);

}  // namespace braincam::gradcheck
