#pragma once
// BrainDetectionModel: the fixed graph of the spec (docs/model.md maps each line to it).
//
//   conv1 5x5 (3->32) -> bn1 -> relu -> pool1 4x4 = F -> [CAM-guided channel attention ->
//   spatial attention] = A -> pool2 4x4 = P -> flatten -> fc (C*H/16*W/16 -> K) = logits z
//
// K = 1 is the binary model (one logit, "tumor"); K >= 2 classes is the multiclass one (spec
// section 6), whose attention is guided by the CAM of the class the attention-free pass predicts.
//
// Parameters carry PyTorch state_dict names, so checkpoints load in a PyTorch module written from
// the spec, and the other way round.
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>

#include "engine/ops.h"
#include "engine/parameters.h"
#include "model/kernel_path.h"

namespace braincam {

struct ModelShape {
  int height = 240, width = 240;  // multiples of 16
  int channels = 32;              // conv1's output channels
  int reduction = 8;              // the attention MLP has channels / reduction hidden units
  int classes = 1;                // fc's outputs K: 1 for the binary model
};

// The intermediate results a forward pass keeps (for explanations and tests).
struct ForwardResult {
  Var F;            // after pool1, N x C x H/4 x W/4
  Var A;            // after attention (F itself when attention is off); undefined where attention
                    // and pool2 run as one op: the fast kernel path (float32 model, images that
                    // need no gradient) with attention on and no leaf_A
  Var P;            // after pool2, N x C x H/16 x W/16
  Var logits;       // N x K
  Tensor guidance;  // the CAM guidance s, N x H/16*W/16 (undefined when attention is off)
  // The guidance's classes k* (I64, N), with K >= 2 and attention on; undefined otherwise.
  Tensor guidance_classes;
};

// How BrainDetectionModel::forward runs.
struct ForwardOptions {
  bool attention = true;  // the attention block, or F straight to pool2 (the warm-up, the baseline)
  // Training mode uses and updates the batch statistics; evaluation mode uses the running ones.
  bool training = false;
  // Makes A a leaf that requires a gradient and records nothing before it (explanations
  // differentiate z with respect to A). Evaluation mode otherwise runs under a NoGradScope.
  bool leaf_A = false;
  // When defined, replaces the CAM guidance computed from F: finite-difference checks hold it
  // fixed, as backward does.
  Tensor frozen_guidance = Tensor();
  // With K >= 2, when defined, replaces the guidance's classes k* computed from F (I64, N, on the
  // model's device): cross-backend tests hand one backend's k* to another.
  Tensor frozen_classes = Tensor();
  // Training mode's update of the batchnorm running statistics, running <- (1 - m) running +
  // m batch; unset: BrainDetectionModel::kBatchNormMomentum. Re-estimation sets 1/k for the k-th
  // batch (model/batchnorm_reestimation.h).
  std::optional<double> batchnorm_momentum = std::nullopt;
  // The images' cached patch moments: spare the fused first layer computing them in training mode
  // (ignored elsewhere).
  const CachedPatchMoments* patch_moments = nullptr;
};

// The model's output (spec section 1): the probability of "tumor", sigmoid of the logit z.
inline double tumor_probability(double logit) { return 1.0 / (1.0 + std::exp(-logit)); }

class BrainDetectionModel {
 public:
  static constexpr double kBatchNormEps = 1e-5, kBatchNormMomentum = 0.1;

  explicit BrainDetectionModel(ModelShape shape = {}, DType dtype = DType::F32,
                               Device device = Device::CPU);

  // PyTorch's default initialization (uniform in +-1/sqrt(fan_in); batchnorm 1 and 0; running
  // statistics 0 and 1), drawn from a generator seeded with `seed`.
  void initialize(std::uint64_t seed);

  // images: N x 3 x H x W in [0, 1].
  ForwardResult forward(const Var& images, const ForwardOptions& options);

  // The trainable parameters (names as in the spec), in a fixed order.
  const ParameterList& parameters() const { return parameters_; }
  // Whether `name` belongs to the attention block (att.*).
  bool is_attention_parameter(const std::string& name) const;

  // Parameters and buffers under their state_dict names, as F32 on the CPU.
  StateDict state_dict() const;
  // Loads every parameter and buffer from `dict` (converting dtype and device). Names not of the
  // model are an error, except the optimizer's (`optim.`), gradients (`grad.`) and the outputs of
  // `braincam step` (`logits`, `loss`). `source` names the file in errors.
  void load_state_dict(const StateDict& dict, const std::string& source);

  const ModelShape& shape() const { return shape_; }
  int classes() const { return shape_.classes; }
  DType dtype() const { return dtype_; }
  Device device() const { return device_; }
  std::int64_t num_batches_tracked() const { return num_batches_tracked_; }
  // The host side of a training forward, for the replays of one recorded in a device graph
  // (model/training_step_graph.h): the forward counts its batch here, a replay does not run it.
  void set_num_batches_tracked(std::int64_t count) { num_batches_tracked_ = count; }
  Tensor fc_weight() const { return param("fc.weight").value(); }

  // The kernels of a float32 model's first layer on any device (default Fast: fused). Float64
  // models and inputs that require a gradient always take the reference path.
  KernelPath kernel_path() const { return kernel_path_; }
  void set_kernel_path(KernelPath path) { kernel_path_ = path; }

 private:
  const Var& param(const std::string& name) const;

  ModelShape shape_;
  DType dtype_;
  Device device_;
  ParameterList parameters_;
  Tensor running_mean_, running_var_;
  std::int64_t num_batches_tracked_ = 0;
  KernelPath kernel_path_ = KernelPath::Fast;
};

}  // namespace braincam
