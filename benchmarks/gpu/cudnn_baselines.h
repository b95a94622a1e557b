#pragma once
// The cuDNN equivalents of braincam's kernels, set up once at given shapes and buffers and then
// called once per repetition: the 5x5 convolution forward (with the bias add) and its weight
// and bias gradient, with the fastest algorithm cudnnFind... measures in the requested math
// mode; batch normalization in training mode, forward and backward, and in inference mode; ReLU
// and 4x4 max pooling, forward and backward; a tensor added to another. Every call runs on the
// stream given to Cudnn. Buffers are rotated by repetition (index rep % number of buffers).
#include <cudnn.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace braincam::bench {

class Cudnn {
 public:
  explicit Cudnn(cudaStream_t stream);
  ~Cudnn();
  Cudnn(const Cudnn&) = delete;
  Cudnn& operator=(const Cudnn&) = delete;
  cudnnHandle_t handle() const { return handle_; }

 private:
  cudnnHandle_t handle_ = nullptr;
};

// What a benchmark times: one call per repetition, and what it is (algorithm, math mode).
struct LibraryCall {
  std::function<void(int rep)> run;
  std::string description;
};

struct Nchw {
  int n, c, h, w;
};

// Strict FP32 is CUDNN_FMA_MATH (no TF32 tensor cores); CUDNN_DEFAULT_MATH lets cuDNN use TF32.
LibraryCall conv5x5_forward(Cudnn& dnn, Nchw x_shape, int K, cudnnMathType_t math,
                            const std::vector<const float*>& x, const float* w, const float* b,
                            const std::vector<float*>& y);
LibraryCall conv5x5_weight_gradient(Cudnn& dnn, Nchw x_shape, int K, cudnnMathType_t math,
                                    const std::vector<const float*>& x,
                                    const std::vector<const float*>& dy, float* dw, float* db);

// mode: CUDNN_BATCHNORM_SPATIAL or CUDNN_BATCHNORM_SPATIAL_PERSISTENT (often faster).
LibraryCall batchnorm_forward_training(Cudnn& dnn, Nchw shape, cudnnBatchNormMode_t mode,
                                       const std::vector<const float*>& x,
                                       const std::vector<float*>& y);
LibraryCall batchnorm_backward(Cudnn& dnn, Nchw shape, cudnnBatchNormMode_t mode,
                               const std::vector<const float*>& x,
                               const std::vector<const float*>& dy, const std::vector<float*>& dx);
// With the running statistics (CUDNN_BATCHNORM_SPATIAL).
LibraryCall batchnorm_forward_inference(Cudnn& dnn, Nchw shape, const std::vector<const float*>& x,
                                        const std::vector<float*>& y);

// ReLU by cudnnActivationForward / Backward (in place allowed: y may be x, dx may be dy).
LibraryCall relu_forward(Cudnn& dnn, Nchw shape, const std::vector<const float*>& x,
                         const std::vector<float*>& y);
LibraryCall relu_backward(Cudnn& dnn, Nchw shape, const std::vector<const float*>& y,
                          const std::vector<const float*>& dy, const std::vector<float*>& dx);

LibraryCall maxpool4_forward(Cudnn& dnn, Nchw x_shape, const std::vector<const float*>& x,
                             const std::vector<float*>& y);
LibraryCall maxpool4_backward(Cudnn& dnn, Nchw x_shape, const std::vector<const float*>& x,
                              const std::vector<const float*>& y,
                              const std::vector<const float*>& dy, const std::vector<float*>& dx);

// dst += src by cudnnAddTensor (alpha = beta = 1).
LibraryCall add_tensor(Cudnn& dnn, Nchw shape, const std::vector<const float*>& src,
                       const std::vector<float*>& dst);

}  // namespace braincam::bench
