// braincam bench: times whole training or inference steps of the model on random data (inference
// with or without the CAM maps), after a warm-up, and reports images/s; or (--mode schedule) the
// spec's whole training schedule as the trainer runs it, on random images held on the device.
// benchmarks/compare_cpu.sh and benchmarks/gpu/write_results.py put the figures next to PyTorch's.
#include <omp.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

#include "base/random.h"
#include "engine/adam.h"
#include "engine/autograd.h"
#include "engine/device_graph.h"
#include "engine/device_memory.h"
#include "model/epoch.h"
#include "model/explanations.h"
#include "model/image_set.h"
#include "model/predict.h"
#include "model/recorded_cam.h"
#include "model/training_step.h"
#include "model/training_step_runner.h"
#include "tools/commands.h"
#include "tools/device_option.h"
#include "tools/number_checks.h"

namespace braincam::tools {

namespace {

// The largest --batch: its input images alone take 2.6 GiB (4096 * 3 * 240 * 240 floats), and a
// batch far beyond would stop allocating memory with a message that does not name --batch.
constexpr int kMaxBenchBatch = 4096;

struct BenchOptions {
  std::string mode = "train", device = "cpu", kernel_path = "fast", attention = "on", graph = "on";
  int batch = 32, steps = 5, warmup = 1, threads = 0;
  // --mode schedule: the default dataset's splits (70% and 15% of 2,065) and the spec's schedule.
  int train_images = 1445, val_images = 310, epochs = 15, warmup_epochs = 2;
  bool json = false;
};

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

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

// Random uint8 images, count x H x W x 3, on the host.
Tensor random_images(int count, const ModelShape& shape, Rng& rng) {
  Tensor images({count, shape.height, shape.width, 3}, DType::U8);
  for (std::int64_t i = 0; i < images.numel(); ++i)
    images.data<std::uint8_t>()[i] = static_cast<std::uint8_t>(rng.next() >> 56);
  return images;
}

// The trainer's work without its files: the images go to the device (with their patch moments
// on the fused path), then the trainer's epochs (run_epoch), each followed by validation.
// Reports one epoch with attention (after untimed ones that warm the allocator and record the
// graphs) and the whole schedule, set-up included.
void run_schedule_bench(const BenchOptions& o) {
  const Device device = resolve_device(o.device);
  if (o.threads > 0) omp_set_num_threads(o.threads);
  const ModelShape shape;
  BrainDetectionModel model(shape, DType::F32, device);
  model.set_kernel_path(parse_kernel_path(o.kernel_path));
  Adam optimizer(model.parameters(), AdamOptions{});
  Rng rng(1);
  auto synchronize = [&] {
    if (device == Device::CUDA) gpu::synchronize();
  };

  const Tensor train_images = random_images(o.train_images, shape, rng),
               val_images = random_images(o.val_images, shape, rng),
               train_labels = random_tensor({o.train_images}, rng, true);
  const auto setup_start = std::chrono::steady_clock::now();
  ImageSet train(train_images, device);
  const ImageSet val(val_images, device);
  if (model.kernel_path() == KernelPath::Fast) train.keep_patch_moments();
  synchronize();
  const double setup_s = seconds_since(setup_start);
  TrainingStepRunner steps(model, optimizer, train, o.graph == "on");

  // The trainer's epoch (model/epoch.h) on random labels, with the trainer's shuffle of seed 1.
  const std::span<const float> labels(train_labels.data<float>(), train.size());
  auto train_epoch = [&](bool attention, int epoch) {
    EpochTally tally;
    run_epoch(steps, labels,
              {.epoch = epoch,
               .attention = attention,
               .batch = static_cast<std::size_t>(o.batch),
               .seed = 1},
              tally);
  };
  auto timed = [&](auto&& body) {
    synchronize();
    const auto start = std::chrono::steady_clock::now();
    body();
    synchronize();
    return seconds_since(start);
  };

  // Warm-up: the first epoch takes each batch size's first step op by op, the second records
  // its graphs (with --graph on), so that the timed epoch replays them all.
  timed([&] {
    train_epoch(true, 0);
    train_epoch(true, 0);
  });
  const double epoch_s = timed([&] { train_epoch(true, 1); });
  const double schedule_s = timed([&] {
    for (int epoch = 1; epoch <= o.epochs; ++epoch) {
      const bool attention = epoch > o.warmup_epochs;
      train_epoch(attention, epoch);
      predict_probabilities(model, val, attention, o.batch);
    }
  });
  const double total_s = setup_s + schedule_s;
  // The tensor memory of the graphs held at the end, those of attention on (kernels' scratch
  // buffers, memory nodes of the graphs, not included).
  const double graph_mib = steps.graph_bytes() / (1024.0 * 1024.0);
  if (o.json) {
    const nlohmann::json j = {{"mode", o.mode},
                              {"device", o.device},
                              {"kernel_path", o.kernel_path},
                              {"batch", o.batch},
                              {"train_images", o.train_images},
                              {"val_images", o.val_images},
                              {"epochs", o.epochs},
                              {"setup_s", setup_s},
                              {"epoch_s", epoch_s},
                              {"schedule_s", schedule_s},
                              {"total_s", total_s},
                              {"patch_moments_cached", train.has_patch_moments()},
                              {"graph", steps.graphs()},
                              {"graph_mib", graph_mib}};
    std::printf("%s\n", j.dump().c_str());
  } else {
    std::printf(
        "braincam schedule (%s, %s path, graphs %s, holding %.1f MiB): set-up %.3f s, one epoch "
        "of %d images %.3f s, %d epochs with validation of %d images %.3f s, %.3f s with the "
        "set-up\n",
        o.device.c_str(), o.kernel_path.c_str(), steps.graphs() ? "on" : "off", graph_mib, setup_s,
        o.train_images, epoch_s, o.epochs, o.val_images, schedule_s, total_s);
  }
}

void run_bench(const BenchOptions& o) {
  if (o.mode == "schedule") return run_schedule_bench(o);
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

  auto infer = [&] {
    NoGradScope no_grad;
    model.forward(Var(images), {.attention = attention});
  };
  // --mode infer on a device: the forward recorded once and replayed at every step; --mode
  // explain: the forward and the CAM reduction (RecordedCam runs explain() itself on the CPU).
  const bool replayed = o.graph == "on" && device != Device::CPU;
  std::optional<DeviceGraph> inference;
  if (o.mode == "infer" && replayed) inference.emplace(device, infer);
  std::optional<RecordedCam> cam;
  if (o.mode == "explain" && replayed) cam.emplace(model, images.shape(), attention);
  auto step = [&] {
    if (training) {
      training_step(model, optimizer, images, labels, attention);
    } else if (cam) {
      cam->explain(images);
    } else if (o.mode == "explain") {
      explain(model, images, CamMethod::Cam, attention);
    } else if (inference) {
      inference->replay();
    } else {
      infer();
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
                              {"graph", inference.has_value() || cam.has_value()},
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
        "braincam %s (%s, %s path%s, %d threads): %.1f images/s, %.1f ms per step of %d "
        "(median of %d), %.1f GFLOP/s, peak RSS %.0f MB\n",
        o.mode.c_str(), o.device.c_str(), o.kernel_path.c_str(),
        inference || cam ? ", replayed from a graph" : "", omp_get_max_threads(), o.batch / median,
        median * 1e3, o.batch, o.steps, flops * 1e-9 / median, peak_rss_mb);
  }
}

}  // namespace

void add_bench_command(CLI::App& app) {
  auto o = std::make_shared<BenchOptions>();
  CLI::App* cmd =
      app.add_subcommand("bench", "Time whole training or inference steps on random data");
  cmd->add_option("--mode", o->mode,
                  "train|infer: single steps; explain: inference with each image's CAM map, on the "
                  "host; schedule: the whole training schedule on random images")
      ->check(CLI::IsMember({"train", "infer", "explain", "schedule"}));
  cmd->add_option("--train-images", o->train_images, "schedule: training images")->check(kPositive);
  cmd->add_option("--val-images", o->val_images, "schedule: validation images")->check(kPositive);
  cmd->add_option("--epochs", o->epochs, "schedule: epochs")->check(kPositive);
  cmd->add_option("--warmup-epochs", o->warmup_epochs, "schedule: epochs without attention first")
      ->check(kNonNegative);
  cmd->add_option("--batch", o->batch, "images per step, at most " + std::to_string(kMaxBenchBatch))
      ->check(positive_at_most(kMaxBenchBatch));
  cmd->add_option("--steps", o->steps, "timed steps (the median is reported)")->check(kPositive);
  cmd->add_option("--warmup", o->warmup, "untimed steps first")->check(kNonNegative);
  cmd->add_option("--device", o->device, kDeviceHelp)->capture_default_str();
  cmd->add_option(
         "--kernels", o->kernel_path,
         "fast|reference: the fused first layer and attention + pool2, or one kernel per op")
      ->check(CLI::IsMember({"fast", "reference"}));
  cmd->add_option("--attention", o->attention, "on|off")->check(CLI::IsMember({"on", "off"}));
  cmd->add_option("--graph", o->graph,
                  "schedule, infer and explain: on|off, replay each training step (schedule) or "
                  "forward (infer; explain: with the CAM reduction) from a recorded graph on the "
                  "GPU and the emulator, or queue every kernel from the host")
      ->check(CLI::IsMember({"on", "off"}));
  cmd->add_option("--threads", o->threads, "OpenMP threads (default: OMP_NUM_THREADS or all cores)")
      ->check(kPositive);
  cmd->add_flag("--json", o->json, "print one JSON object");
  cmd->callback([o] { run_bench(*o); });
}

}  // namespace braincam::tools
