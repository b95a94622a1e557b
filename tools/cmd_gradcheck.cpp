// braincam gradcheck: the command over braincam_gradcheck (tools/gradcheck/gradcheck.h), which
// compares every device's forward and backward of every op with a float64 reference at the
// model's shapes; one table row per result. What to run after touching a kernel. Exits non-zero
// when any result is over its bound or an op fails; an op without a kernel for the device yet is
// reported as "no kernel", not as a failure.
#include <cstdio>
#include <fstream>
#include <map>
#include <stdexcept>

#include "tools/commands.h"
#include "tools/device_option.h"
#include "tools/gradcheck/gradcheck.h"
#include "tools/number_checks.h"

namespace braincam::tools {

namespace {

using gradcheck::CheckShape;
using gradcheck::Row;
using gradcheck::status_name;

struct GradcheckOptions {
  std::string device = "cuda", op, json_file;
  std::uint64_t seed = 0;
  int batch = 0;  // 0: 32 on a GPU, 2 elsewhere (emulation is slow)
};

void print_row(const Row& r) {
  using Status = Row::Status;
  if (r.status == Status::NoKernel || r.status == Status::Error) {
    std::printf("%-18s %-22s %11s %11s %11s  %s: %s\n", r.op.c_str(), r.output.c_str(), "-", "-",
                "-", status_name(r.status), r.message.c_str());
  } else {
    std::printf("%-18s %-22s %11.3e %11.3e %11.3e  %s%s%s\n", r.op.c_str(), r.output.c_str(),
                r.max_abs_error, r.max_rel_error, r.tolerance, status_name(r.status),
                r.message.empty() ? "" : ": ", r.message.c_str());
  }
  std::fflush(stdout);
}

void run(const GradcheckOptions& o) {
  const Device device = resolve_device(o.device);
  const CheckShape shape{.N = o.batch > 0 ? o.batch : (device == Device::CUDA ? 32 : 2)};
  std::printf(
      "gradcheck on %s: batch %d, %dx%dx%d images, seed %llu; errors of float32 against "
      "the CPU reference in float64\n",
      device_name(device), shape.N, shape.C, shape.H, shape.W,
      static_cast<unsigned long long>(o.seed));
  std::printf("%-18s %-22s %11s %11s %11s  %s\n", "op", "output", "max abs err", "max rel err",
              "tolerance", "result");
  std::map<std::string, int> counts;
  nlohmann::json rows = nlohmann::json::array();
  gradcheck::run(device, shape, o.seed, o.op, [&](const Row& row) {
    print_row(row);
    ++counts[status_name(row.status)];
    rows.push_back(gradcheck::to_json(row));
  });
  std::printf("summary: %d pass, %d FAIL, %d ERROR, %d no kernel\n", counts["pass"], counts["FAIL"],
              counts["ERROR"], counts["no kernel"]);
  if (!o.json_file.empty()) {
    std::ofstream out(o.json_file);
    out << nlohmann::json{{"device", device_name(device)},
                          {"batch", shape.N},
                          {"seed", o.seed},
                          {"rows", rows}}
               .dump(2)
        << "\n";
    if (!out) throw std::runtime_error("cannot write " + o.json_file);
  }
  if (counts["FAIL"] + counts["ERROR"] > 0)
    throw std::runtime_error("gradcheck: " + std::to_string(counts["FAIL"]) +
                             " results over their tolerance, " + std::to_string(counts["ERROR"]) +
                             " ops failed");
}

}  // namespace

void add_gradcheck_command(CLI::App& app) {
  auto o = std::make_shared<GradcheckOptions>();
  CLI::App* cmd = app.add_subcommand(
      "gradcheck",
      "Compare every device's forward and backward of every op with a float64 reference (the CPU "
      "reference kernels run in float64), at the model's shapes");
  cmd->footer(
      "Gradients against finite differences are checked by the engine tests (tests/engine), not "
      "by this command.");
  cmd->add_option("--device", o->device,
                  "cuda|emulator|cpu (cpu: the float32 CPU reference itself)")
      ->capture_default_str()
      ->check(CLI::IsMember({"cuda", "emulator", "cpu"}));
  cmd->add_option("--op", o->op, "check only this op")->check(CLI::IsMember(gradcheck::op_names()));
  cmd->add_option("--seed", o->seed, "seed of the random inputs")->capture_default_str();
  cmd->add_option("--batch", o->batch, "images per batch (default: 32 on cuda, 2 elsewhere)")
      ->check(kPositive);
  cmd->add_option("--json", o->json_file, "also write the rows to this JSON file");
  cmd->callback([o] { run(*o); });
}

}  // namespace braincam::tools
