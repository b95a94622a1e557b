// braincam bench: times whole training or inference steps of the model on random data, after a
// warm-up, and reports images/s. benchmarks/compare_cpu.sh puts the figures next to PyTorch's.
#include <omp.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <vector>

#include "engine/adam.h"
#include "engine/autograd.h"
#include "engine/device_memory.h"
#include "engine/random.h"
#include "model/training_step.h"
#include "tools/commands.h"
#include "tools/device_option.h"

namespace braincam::tools {

namespace {

struct BenchOptions {
  std::string mode = "train", device = "cpu", kernel_path = "fast", attention = "on";
  int batch = 32, steps = 5, warmup = 1, threads = 0;
  bool json = false;
};

// The nominal arithmetic of one step: the 5x5 convolution (2 flops per multiply-add) forward
// and, when training, its weight gradient; everything else is under 2% and not counted.
double conv_flops_per_step(const ModelShape& s, int batch, bool training) {
  const double forward =
      2.0 * 3 * 25 * s.channels * static_cast<double>(s.height) * s.width * batch;
  return training ? 2 * forward : forward;
}

Tensor random_tensor(Shape shape, Rng& rng, bool binary) {
  Tensor t(std::move(shape), DType::F32);
  float* p = t.data<float>();
  for (std::int64_t i = 0; i < t.numel(); ++i)
    p[i] = binary ? static_cast<float>(rng.below(2)) : static_cast<float>(rng.uniform());
  return t;
}

void run_bench(const BenchOptions& o) {
  const Device device = resolve_device(o.device);
  if (o.threads > 0) omp_set_num_threads(o.threads);
  const bool training = o.mode == "train", attention = o.attention == "on";

  const ModelShape shape;
  BrainDetectionModel model(shape, DType::F32, device);
  model.set_kernel_path(parse_kernel_path(o.kernel_path));
  Adam optimizer(model.parameters(), AdamOptions{});
  Rng rng(1);
  const Tensor images =
      random_tensor({o.batch, 3, shape.height, shape.width}, rng, false).to(device);
  const Tensor labels = random_tensor({o.batch}, rng, true).to(device);

  auto step = [&] {
    if (training) {
      training_step(model, optimizer, images, labels, attention);
    } else {
      NoGradScope no_grad;
      model.forward(Var(images), attention, /*training=*/false);
    }
    if (device == Device::CUDA) gpu::synchronize();
  };
  for (int i = 0; i < o.warmup; ++i) step();
  std::vector<double> seconds;
  for (int i = 0; i < o.steps; ++i) {
    const auto start = std::chrono::steady_clock::now();
    step();
    seconds.push_back(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  std::vector<double> sorted = seconds;
  std::sort(sorted.begin(), sorted.end());
  const double median = sorted[sorted.size() / 2];
  const double flops = conv_flops_per_step(shape, o.batch, training);
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const double peak_rss_mb = usage.ru_maxrss / 1024.0;  // ru_maxrss is in KiB on Linux

  if (o.json) {
    const nlohmann::json j = {{"mode", o.mode},
                              {"device", o.device},
                              {"kernel_path", o.kernel_path},
                              {"attention", attention},
                              {"batch", o.batch},
                              {"steps", o.steps},
                              {"threads", omp_get_max_threads()},
                              {"seconds_per_step", median},
                              {"seconds_each", seconds},
                              {"images_per_s", o.batch / median},
                              {"conv_gflop_per_step", flops * 1e-9},
                              {"gflop_per_s", flops * 1e-9 / median},
                              {"peak_rss_mb", peak_rss_mb}};
    std::printf("%s\n", j.dump().c_str());
  } else {
    std::printf(
        "braincam %s (%s, %s path, %d threads): %.1f images/s, %.1f ms per step of %d "
        "(median of %d), %.1f GFLOP/s, peak RSS %.0f MB\n",
        o.mode.c_str(), o.device.c_str(), o.kernel_path.c_str(), omp_get_max_threads(),
        o.batch / median, median * 1e3, o.batch, o.steps, flops * 1e-9 / median, peak_rss_mb);
  }
}

}  // namespace

void add_bench_command(CLI::App& app) {
  auto o = std::make_shared<BenchOptions>();
  CLI::App* cmd =
      app.add_subcommand("bench", "Time whole training or inference steps on random data");
  cmd->add_option("--mode", o->mode, "train|infer")->check(CLI::IsMember({"train", "infer"}));
  cmd->add_option("--batch", o->batch, "images per step")->check(CLI::PositiveNumber);
  cmd->add_option("--steps", o->steps, "timed steps (the median is reported)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--warmup", o->warmup, "untimed steps first")->check(CLI::NonNegativeNumber);
  cmd->add_option("--device", o->device, kDeviceHelp)->capture_default_str();
  cmd->add_option("--kernels", o->kernel_path, "fast|reference: the fused first layer or one kernel per op")
      ->check(CLI::IsMember({"fast", "reference"}));
  cmd->add_option("--attention", o->attention, "on|off")->check(CLI::IsMember({"on", "off"}));
  cmd->add_option("--threads", o->threads, "OpenMP threads (default: OMP_NUM_THREADS or all cores)")
      ->check(CLI::PositiveNumber);
  cmd->add_flag("--json", o->json, "print one JSON object");
  cmd->callback([o] { run_bench(*o); });
}

}  // namespace braincam::tools
