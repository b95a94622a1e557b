#pragma once
// The differentiable ops of the model, each a thin autograd wrapper (engine/ops/<op>.cpp) over
// the kernels of the tensors' device. Shapes are NCHW; see kernels/cpu/<op>.h for the maths.
#include "engine/autograd.h"

namespace braincam {

// 5x5 convolution, zero padding 2. x: N x C x H x W, w: K x C x 5 x 5, b: K.
Var conv5x5(const Var& x, const Var& w, const Var& b);

// Batch normalization with batch statistics; updates the running statistics in place
// (PyTorch's rule) and returns the normalized x.
Var batchnorm_train(const Var& x, const Var& gamma, const Var& beta, Tensor running_mean,
                    Tensor running_var, double momentum, double eps);
// Batch normalization with the running statistics. Inference only: it records no graph and
// refuses inputs that require a gradient.
Var batchnorm_eval(const Var& x, const Var& gamma, const Var& beta, const Tensor& running_mean,
                   const Tensor& running_var, double eps);

Var relu(const Var& x);

// The model input of a batch from stored images (a constant): images is M x H x W x C of U8
// (HWC, as the dataset cache keeps them), on any device; image index[b] becomes batch entry b,
// N x C x H x W floats pixel / 255. index: N of I32 on the images' device, every entry in
// [0, M): the caller checks them (ImageSet does, on the host), since a device cannot without
// waiting for it.
Tensor gather_images(const Tensor& images, const Tensor& index);

// The per-image patch moments (kernels/cuda/patch_statistics.h, and the same layout in
// kernels/cpu_fast/patch_statistics.h) of a set of stored images, computed once where the images
// are, so that the fused first layer of a training batch drawn from the set only merges them: the
// moments depend on the images alone, not on the weights. They hold for the images exactly as
// stored, never for augmented ones.
struct PatchMomentCache {
  Tensor moments;  // M x (P * P + P), F64: per image, P x P second moments, then P sums
  Tensor shifts;   // M x C, F32: per image channel, the value the moments are taken about
};
// images: as for gather_images, H and W at least 4, on any device.
PatchMomentCache patch_moment_cache(const Tensor& images);
// The images of a batch as entries of a cache: batch image b is entry index[b] (as for
// gather_images: I32 on the cache's device; entries checked by the caller on a device, by
// conv_bn_relu_pool on the CPU).
struct CachedPatchMoments {
  const PatchMomentCache& cache;
  Tensor index;
};

// The fused first layer maxpool4(relu(batchnorm(conv5x5(x, w, b)))) of the fast kernel path
// (float32, H and W multiples of 4; W of 16 on the CPU; 3 input channels on the emulator and the
// GPU): one pass that never stores the full-resolution activation. Training mode takes the
// batch statistics from the patch statistics of x and updates the running ones like
// batchnorm_train; evaluation mode uses the running ones and, like batchnorm_eval, records no
// graph. No gradient for x: it throws if x requires one.
// `cached`, the patch moments of x's images (see PatchMomentCache): in training mode the
// statistics come from them instead of from x, with the same bits.
Var conv_bn_relu_pool(const Var& x, const Var& conv_w, const Var& conv_b, const Var& bn_gamma,
                      const Var& bn_beta, Tensor running_mean, Tensor running_var, bool training,
                      double momentum, double eps, const CachedPatchMoments* cached = nullptr);

// 4x4 max pooling, stride 4; the first maximum of a window wins.
Var maxpool4(const Var& x);

// The CAM guidance s = softmax(cam_reduce(maxpool4(F), fc weight)), N x (H/4*W/4). A constant.
// With a K-class fc weight (K x C*H/4*W/4), image n takes the weight's row classes[n] (I64, N, on
// F's device, each in [0, K): guidance_classes gives the spec's); classes undefined: K must be 1.
Tensor cam_guidance(const Tensor& F, const Tensor& fc_weight, const Tensor& classes = Tensor());
// The classes of the CAM guidance (spec section 6.2): k*[n] = argmax_k of the attention-free
// logits z0 = fc(maxpool4(F)), the first maximal index (NaN maximal, as torch.argmax). I64, N, on
// F's device. A constant.
Tensor guidance_classes(const Tensor& F, const Tensor& fc_weight, const Tensor& fc_bias);
// The CAM map of P (N x C x h x w) under fc's weight (1 x C*h*w): N x h x w. A constant.
Tensor cam_reduce(const Tensor& P, const Tensor& fc_weight);

// CAM-guided channel attention with the shared MLP (w1: Ch x C, b1: Ch, w2: C x Ch, b2: C).
Var channel_attention(const Var& x, const Tensor& guidance, const Var& w1, const Var& b1,
                      const Var& w2, const Var& b2);

// Spatial attention with the 7x7 convolution w: 1 x 2 x 7 x 7.
Var spatial_attention(const Var& x, const Var& w);

// maxpool4(spatial_attention(channel_attention(F, guidance, w1, b1, w2, b2), ws)) as one op, the
// fast kernel path's: the same values for finite inputs (bit for bit on a device, except for the
// sign of a zero) without storing the attention's two full-size intermediates. H and W multiples
// of 4.
Var attention_pool(const Var& F, const Tensor& guidance, const Var& w1, const Var& b1,
                   const Var& w2, const Var& b2, const Var& ws);

// y = x w^T + b, x flattened to N x In, w: Out x In, b: Out. Output N x Out.
Var linear(const Var& x, const Var& w, const Var& b);

// Mean binary cross-entropy of logits z (N, or N x 1) against labels y (N): a scalar.
Var bce_with_logits(const Var& z, const Tensor& labels);

// Mean softmax cross-entropy of logits z (N x K) against class indices (I64, N, each in [0, K)),
// on z's device: a scalar. Labels out of range are refused where they are in host memory (CPU,
// emulator); on a GPU the caller checks them before they are sent.
Var softmax_cross_entropy(const Var& z, const Tensor& labels);

}  // namespace braincam
