#include "tools/gradcheck_tolerances.h"

#include <stdexcept>

namespace braincam::tools {

Tolerance gradcheck_tolerance(const std::string& op, const std::string& output,
                              const CheckShape& s) {
  using enum ErrorScale;
  const std::string key = op + "/" + output;
  // Exact: the same comparisons and selections as the reference.
  if (op == "relu" || op == "maxpool4") return {TensorMax, 0};

  // Sums of products, with the chains of docs/kernels.md.
  if (key == "conv5x5/y") return {SumOfMagnitudes, 25.0 * s.C + 2};
  if (key == "conv5x5/dw" || key == "conv5x5/db")
    return {SumOfMagnitudes, block_reduction_chain(s.pixels(), s.N)};
  if (key == "conv5x5/dx") return {SumOfMagnitudes, 25.0 * s.K + 1};
  if (key == "cam_reduce/cam") return {SumOfMagnitudes, static_cast<double>(s.K)};
  // A block_sum over the inputs (ceil(In/256) + 13) and the bias.
  if (key == "linear/z") return {SumOfMagnitudes, std::ceil(s.fc_inputs() / 256.0) + 14};
  if (key == "linear/dx") return {SumOfMagnitudes, 1};  // Out = 1 output: dz * w
  if (key == "linear/dw" || key == "linear/db") return {SumOfMagnitudes, static_cast<double>(s.N)};

  // Batch statistics over N*H*W values; y and the running statistics go through the mean and
  // the variance (allowance 4), dx through two more reductions of dy (8).
  const double batch_chain = block_reduction_chain(s.pixels(), s.N);
  if (key == "batchnorm_train/y" || key == "batchnorm_train/running_mean" ||
      key == "batchnorm_train/running_var" || key == "batchnorm_train/dgamma" ||
      key == "batchnorm_train/dbeta")
    return {TensorMax, batch_chain, 4};
  if (key == "batchnorm_train/dx") return {TensorMax, batch_chain, 8};
  // (x - mean) * gamma / sqrt(var + eps) + beta: six roundings, rsqrt within 2 ulp.
  if (key == "batchnorm_eval/y") return {TensorMax, 6, 2};

  // The fused first layer: exact convolution outputs (8-bit inputs), batch statistics in double
  // from the patch moments, y = h * scale + shift in float, so F is within a few roundings of
  // its magnitude and of the shift's; the running statistics and the gradients, summed in
  // double from float terms, are held to the bounds of the per-op path (batchnorm_train's
  // chain) on the scale of their largest value.
  if (key == "conv_bn_relu_pool/F") return {TensorMax, 4, 4};
  if (key == "conv_bn_relu_pool/running_mean" || key == "conv_bn_relu_pool/running_var" ||
      key == "conv_bn_relu_pool/dgamma" || key == "conv_bn_relu_pool/dbeta")
    return {TensorMax, batch_chain, 4};
  if (key == "conv_bn_relu_pool/dw") return {TensorMax, batch_chain, 8};

  // The 15 x 15 CAM (C products per cell), then a softmax over its cells: exp within 2 ulp.
  const int cells = s.pool1_pixels() / 16;
  if (key == "cam_guidance/s") return {TensorMax, s.K + cells + 4.0, 2};

  // Channel attention: means and maxima over the 60 x 60 positions, the 32 -> 4 -> 32 MLP, a
  // sigmoid; the gradients of the MLP also sum over the batch. Sigmoids and products: 8.
  const double plane_chain = block_reduction_chain(s.pool1_pixels(), 0) + s.K + 10;
  if (key == "channel_attention/y" || key == "channel_attention/dx")
    return {TensorMax, plane_chain, 8};
  if (key.starts_with("channel_attention/d")) return {TensorMax, plane_chain + s.N, 8};

  // Spatial attention: channel mean and max (K), the 7 x 7 convolution over 2 planes (98), a
  // sigmoid; its weight gradient sums over every position of the batch.
  if (key == "spatial_attention/y" || key == "spatial_attention/dx")
    return {TensorMax, s.K + 98 + 8.0, 4};
  if (key == "spatial_attention/dw")
    return {TensorMax, block_reduction_chain(s.pool1_pixels(), s.N), 4};

  // Attention and pool2 as one op: the chains of both attentions (the pooling adds nothing); the
  // spatial weight gradient's terms carry the channel gate's error too.
  const double attention_chain = plane_chain + s.K + 98 + 8.0;
  if (key == "attention_pool/P" || key == "attention_pool/dF")
    return {TensorMax, attention_chain, 8};
  if (key == "attention_pool/dws")
    return {TensorMax, block_reduction_chain(s.pool1_pixels(), s.N) + plane_chain, 8};
  if (key.starts_with("attention_pool/d")) return {TensorMax, attention_chain + s.N, 8};

  // Mean over the batch of max(z,0) - z*y + log1p(exp(-|z|)); dz = (sigmoid(z) - y) / N.
  if (key == "bce/loss") return {TensorMax, s.N + 8.0, 4};
  if (key == "bce/dz") return {TensorMax, 8, 2};

  // Elementwise: moments (3 and 4 roundings), bias corrections, sqrt, divide, subtract.
  if (op == "adam") return {TensorMax, 12, 2};

  throw std::logic_error("gradcheck: no tolerance for " + key);
}

}  // namespace braincam::tools
