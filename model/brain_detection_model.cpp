#include "model/brain_detection_model.h"

#include <cmath>
#include <optional>
#include <stdexcept>

#include "base/random.h"
#include "engine/ops.h"
#include "engine/tensor_math.h"

namespace braincam {

BrainDetectionModel::BrainDetectionModel(ModelShape shape, DType dtype, Device device)
    : shape_(shape), dtype_(dtype), device_(device) {
  if (shape.height % 16 || shape.width % 16 || shape.height <= 0 || shape.width <= 0)
    throw std::invalid_argument(
        "BrainDetectionModel: image height and width must be positive multiples of 16");
  if (shape.classes < 1)
    throw std::invalid_argument("BrainDetectionModel: the model needs at least one class");
  const int C = shape.channels, Ch = C / shape.reduction, K = shape.classes;
  const int fc_in = C * (shape.height / 16) * (shape.width / 16);
  for (const auto& [name, dims] :
       std::initializer_list<std::pair<const char*, Shape>>{{"conv1.weight", {C, 3, 5, 5}},
                                                            {"conv1.bias", {C}},
                                                            {"bn1.weight", {C}},
                                                            {"bn1.bias", {C}},
                                                            {"att.mlp.0.weight", {Ch, C}},
                                                            {"att.mlp.0.bias", {Ch}},
                                                            {"att.mlp.2.weight", {C, Ch}},
                                                            {"att.mlp.2.bias", {C}},
                                                            {"att.spatial.weight", {1, 2, 7, 7}},
                                                            {"fc.weight", {K, fc_in}},
                                                            {"fc.bias", {K}}})
    parameters_.push_back({name, Var(Tensor::zeros(dims, dtype, device), true)});
  running_mean_ = Tensor::zeros({C}, dtype, device);
  running_var_ = Tensor::full({C}, 1.0, dtype, device);
  initialize(0);
}

void BrainDetectionModel::initialize(std::uint64_t seed) {
  Rng rng(seed);
  const int C = shape_.channels;
  // fan_in of each parameter's layer; PyTorch draws weight and bias from U(-1/sqrt(fan_in), +).
  auto fan_in = [&](const std::string& name) -> int {
    if (name.starts_with("conv1.")) return 3 * 25;
    if (name.starts_with("att.mlp.0.")) return C;
    if (name.starts_with("att.mlp.2.")) return C / shape_.reduction;
    if (name.starts_with("att.spatial.")) return 2 * 49;
    if (name.starts_with("fc.")) return C * (shape_.height / 16) * (shape_.width / 16);
    return 0;  // batchnorm
  };
  for (auto& p : parameters_) {
    Tensor host(p.var.value().shape(), DType::F64);
    const int fan = fan_in(p.name);
    const double bound = fan ? 1.0 / std::sqrt(static_cast<double>(fan)) : 0.0;
    for (std::int64_t i = 0; i < host.numel(); ++i)
      host.data<double>()[i] =
          fan ? rng.uniform(-bound, bound) : (p.name == "bn1.weight" ? 1.0 : 0.0);
    p.var.mutable_value().copy_from(host.to(dtype_).to(device_));
  }
  running_mean_.fill(0.0);
  running_var_.fill(1.0);
  num_batches_tracked_ = 0;
}

const Var& BrainDetectionModel::param(const std::string& name) const {
  for (const auto& p : parameters_)
    if (p.name == name) return p.var;
  throw std::logic_error("BrainDetectionModel has no parameter " + name);
}

bool BrainDetectionModel::is_attention_parameter(const std::string& name) const {
  return name.starts_with("att.");
}

ForwardResult BrainDetectionModel::forward(const Var& images, const ForwardOptions& options) {
  const Tensor& x = images.value();
  check_shape(x, {x.dim(0), 3, shape_.height, shape_.width}, "model input");
  // With a leaf A, nothing before A is differentiated.
  std::optional<NoGradScope> before_A;
  if (options.leaf_A) before_A.emplace();
  ForwardResult r;
  const double momentum = options.batchnorm_momentum.value_or(kBatchNormMomentum);
  const bool fast =
      kernel_path_ == KernelPath::Fast && dtype_ == DType::F32 && !images.requires_grad();
  if (fast) {
    r.F = conv_bn_relu_pool(images, param("conv1.weight"), param("conv1.bias"), param("bn1.weight"),
                            param("bn1.bias"), running_mean_, running_var_, options.training,
                            momentum, kBatchNormEps,
                            options.training ? options.patch_moments : nullptr);
  } else {
    const Var h = conv5x5(images, param("conv1.weight"), param("conv1.bias"));
    const Var normalized =
        options.training ? batchnorm_train(h, param("bn1.weight"), param("bn1.bias"), running_mean_,
                                           running_var_, momentum, kBatchNormEps)
                         : batchnorm_eval(h, param("bn1.weight"), param("bn1.bias"), running_mean_,
                                          running_var_, kBatchNormEps);
    r.F = maxpool4(relu(normalized));
  }
  if (options.training) ++num_batches_tracked_;
  r.A = r.F;
  if (options.attention) {
    // The CAM guidance is a constant for autograd (stop-gradient): a Tensor, not a Var.
    const Tensor& w = param("fc.weight").value();
    if (classes() > 1 && !options.frozen_guidance.defined())
      r.guidance_classes = options.frozen_classes.defined()
                               ? options.frozen_classes
                               : guidance_classes(r.F.value(), w, param("fc.bias").value());
    r.guidance = options.frozen_guidance.defined()
                     ? options.frozen_guidance
                     : cam_guidance(r.F.value(), w, r.guidance_classes);
    if (fast && !options.leaf_A) {
      // One op up to P: A is never stored.
      r.A = Var();
      r.P = attention_pool(r.F, r.guidance, param("att.mlp.0.weight"), param("att.mlp.0.bias"),
                           param("att.mlp.2.weight"), param("att.mlp.2.bias"),
                           param("att.spatial.weight"));
    } else {
      const Var channel =
          channel_attention(r.F, r.guidance, param("att.mlp.0.weight"), param("att.mlp.0.bias"),
                            param("att.mlp.2.weight"), param("att.mlp.2.bias"));
      r.A = spatial_attention(channel, param("att.spatial.weight"));
    }
  }
  if (options.leaf_A) {
    before_A.reset();
    r.A = Var(r.A.value(), true);
  }
  if (!r.P.defined()) r.P = maxpool4(r.A);
  r.logits = linear(r.P, param("fc.weight"), param("fc.bias"));
  return r;
}

StateDict BrainDetectionModel::state_dict() const {
  StateDict dict;
  for (const auto& p : parameters_) dict[p.name] = p.var.value().to(Device::CPU).to(DType::F32);
  dict["bn1.running_mean"] = running_mean_.to(Device::CPU).to(DType::F32);
  dict["bn1.running_var"] = running_var_.to(Device::CPU).to(DType::F32);
  dict["bn1.num_batches_tracked"] =
      Tensor::full({}, static_cast<double>(num_batches_tracked_), DType::I64);
  return dict;
}

void BrainDetectionModel::load_state_dict(const StateDict& dict, const std::string& source) {
  auto take = [&](const std::string& name, Tensor& into) {
    const auto it = dict.find(name);
    if (it == dict.end()) throw std::runtime_error(source + ": missing tensor '" + name + "'");
    const Tensor& t = it->second;
    if (t.dtype() != DType::F32 && t.dtype() != DType::F64)
      throw std::runtime_error(source + ": tensor '" + name + "' has dtype " +
                               dtype_name(t.dtype()) + ", expected F32");
    if (t.shape() != into.shape())
      throw std::runtime_error(source + ": tensor '" + name + "' has shape " +
                               shape_str(t.shape()) + ", the model expects " +
                               shape_str(into.shape()));
    require_finite(t, source, name);
    into.copy_from(t.to(dtype_).to(device_));
  };
  for (auto& p : parameters_) take(p.name, p.var.mutable_value());
  take("bn1.running_mean", running_mean_);
  take("bn1.running_var", running_var_);
  const auto tracked = dict.find("bn1.num_batches_tracked");
  if (tracked == dict.end())
    throw std::runtime_error(source + ": missing tensor 'bn1.num_batches_tracked'");
  if (tracked->second.numel() != 1)
    throw std::runtime_error(source + ": bn1.num_batches_tracked is not a scalar");
  const double tracked_count = tracked->second.item();
  if (!(tracked_count >= 0 && tracked_count <= 9.0e18))  // refuses NaN too
    throw std::runtime_error(source + ": bn1.num_batches_tracked is not a count");
  num_batches_tracked_ = static_cast<std::int64_t>(tracked_count);

  for (const auto& [name, t] : dict) {
    const bool known = name.starts_with("optim.") || name.starts_with("grad.") ||
                       name == "logits" || name == "loss" || name.starts_with("bn1.running_") ||
                       name == "bn1.num_batches_tracked";
    bool is_param = false;
    for (const auto& p : parameters_) is_param = is_param || p.name == name;
    if (!known && !is_param)
      throw std::runtime_error(source + ": unexpected tensor '" + name + "'");
  }
}

}  // namespace braincam
