// braincam step: one training step on given weights and a given batch, for gradient checks and
// parity tests inside and outside the project. The interface is stable; see README.md.
#include <cstdio>

#include "engine/adam.h"
#include "engine/safetensors.h"
#include "model/checkpoint_classes.h"
#include "model/training_step.h"
#include "tools/commands.h"
#include "tools/device_option.h"
#include "tools/number_checks.h"

namespace braincam::tools {

namespace {

struct StepOptions {
  std::string checkpoint, batch, out, attention = "on", device = "cpu", kernel_path = "fast";
  double lr = 1e-3, weight_decay = 0;
};

const Tensor& require(const Safetensors& file, const std::string& name, const std::string& path) {
  const auto it = file.tensors.find(name);
  if (it == file.tensors.end()) throw std::runtime_error(path + ": missing tensor '" + name + "'");
  return it->second;
}

// The batch's labels for a model of K classes (docs/spec.md section 6.4): F32 0/1 for K = 1, I64
// class indices in [0, K) for K >= 2; anything else is refused naming the tensor.
Tensor checked_labels(const Tensor& labels, std::int64_t N, int K, const std::string& path) {
  const bool integer = labels.dtype() == DType::I64 || labels.dtype() == DType::I32;
  if (K == 1 && integer)
    throw std::runtime_error(path + ": 'labels' holds integers (" + dtype_name(labels.dtype()) +
                             "), but the checkpoint's fc has one output (the binary model), "
                             "which takes F32 labels 0/1");
  if (K == 1 && (labels.dtype() != DType::F32 || labels.numel() != N))
    throw std::runtime_error(path + ": 'labels' must be F32 with one value per image, got " +
                             dtype_name(labels.dtype()) + " " + shape_str(labels.shape()));
  if (K == 1) return labels.reshape({N});
  if (labels.dtype() != DType::I64 || labels.numel() != N)
    throw std::runtime_error(path + ": 'labels' must be I64 class indices, one per image, for " +
                             "the checkpoint's " + std::to_string(K) + " classes; got " +
                             dtype_name(labels.dtype()) + " " + shape_str(labels.shape()));
  const std::int64_t* y = labels.data<std::int64_t>();
  for (std::int64_t n = 0; n < N; ++n)
    if (y[n] < 0 || y[n] >= K)
      throw std::runtime_error(path + ": 'labels' holds " + std::to_string(y[n]) + " for image " +
                               std::to_string(n) + ", not a class of the checkpoint's " +
                               std::to_string(K) + " (0 to " + std::to_string(K - 1) + ")");
  return labels.reshape({N});
}

void run_step(const StepOptions& o) {
  const Device device = resolve_device(o.device);
  const Safetensors weights = read_safetensors(o.checkpoint);
  const Safetensors batch = read_safetensors(o.batch);
  const Tensor& images = require(batch, "images", o.batch);
  if (images.ndim() != 4 || images.dim(1) != 3 || images.dtype() != DType::F32)
    throw std::runtime_error(o.batch + ": 'images' must be F32 N x 3 x H x W, got " +
                             dtype_name(images.dtype()) + " " + shape_str(images.shape()));
  const std::int64_t N = images.dim(0);
  if (N == 0) throw std::runtime_error(o.batch + ": 'images' holds no image (N = 0)");
  const int K = fc_classes(weights.tensors, o.checkpoint);
  const Tensor labels = checked_labels(require(batch, "labels", o.batch), N, K, o.batch);

  ModelShape shape;
  shape.height = static_cast<int>(images.dim(2));
  shape.width = static_cast<int>(images.dim(3));
  shape.classes = K;
  BrainDetectionModel model(shape, DType::F32, device);
  model.set_kernel_path(parse_kernel_path(o.kernel_path));
  model.load_state_dict(weights.tensors, o.checkpoint);
  Adam optimizer(model.parameters(), AdamOptions{.lr = o.lr, .weight_decay = o.weight_decay});
  optimizer.load_state_dict(weights.tensors, o.checkpoint);

  const StepResult r =
      training_step(model, optimizer, images.to(device), labels.to(device), o.attention == "on");

  StateDict out = model.state_dict();
  out.merge(optimizer.state_dict());
  out["logits"] = r.logits.to(Device::CPU);
  out["loss"] = r.loss.to(Device::CPU);
  for (const auto& p : model.parameters())
    if (p.var.grad().defined()) out["grad." + p.name] = p.var.grad().to(Device::CPU);
  write_safetensors(o.out, out,
                    {{"format", "braincam-step-1"},
                     {"attention", o.attention},
                     {"device", device_name(device)},
                     {"kernel_path", o.kernel_path}});
  std::printf("loss %.9g, %lld images, wrote %s\n", r.loss.item(), static_cast<long long>(N),
              o.out.c_str());
}

}  // namespace

void add_step_command(CLI::App& app) {
  auto o = std::make_shared<StepOptions>();
  CLI::App* cmd = app.add_subcommand(
      "step", "One training step on given weights and batch (for gradient checks)");
  cmd->add_option("--checkpoint", o->checkpoint, "weights (and optional optim. state), safetensors")
      ->required();
  cmd->add_option("--batch", o->batch,
                  "'images' N x 3 x H x W F32 and 'labels' N (F32 0/1, or I64 class indices for a "
                  "K-class checkpoint), safetensors")
      ->required();
  cmd->add_option("--out", o->out, "where to write logits, loss, grad.*, the new state and optim.*")
      ->required();
  cmd->add_option("--attention", o->attention, "on|off")->check(CLI::IsMember({"on", "off"}));
  cmd->add_option("--lr", o->lr, "Adam learning rate")->check(kPositive);
  cmd->add_option("--weight-decay", o->weight_decay,
                  "decoupled weight decay, as torch.optim.AdamW (default 0: Adam)")
      ->check(kNonNegative);
  cmd->add_option("--device", o->device, kDeviceHelp)
      ->capture_default_str()
      ->check(CLI::IsMember({"auto", "cpu", "cuda", "emulator"}));
  cmd->add_option("--kernels", o->kernel_path,
                  "fast|reference: the fused first layer and attention + pool2, or one kernel per "
                  "op (default fast)")
      ->check(CLI::IsMember({"fast", "reference"}));
  cmd->callback([o] { run_step(*o); });
}

}  // namespace braincam::tools
