#include "benchmarks/gpu/cudnn_baselines.h"

#include <stdexcept>

#include "engine/cuda/check.h"

// cuDNN 9 marks its legacy (non-graph) API deprecated; it is still what PyTorch's eager ops call
// and far shorter to set up, so the warnings are silenced in this file only.
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"

namespace braincam::bench {

namespace {

template <class T, cudnnStatus_t (*Destroy)(T)>
std::shared_ptr<std::remove_pointer_t<T>> owned(T descriptor) {
  return {descriptor, [](T d) { Destroy(d); }};
}

std::shared_ptr<cudnnTensorStruct> tensor(Nchw s) {
  cudnnTensorDescriptor_t d = nullptr;
  BRAINCAM_CUDA_CHECK(cudnnCreateTensorDescriptor(&d));
  auto result = owned<cudnnTensorDescriptor_t, cudnnDestroyTensorDescriptor>(d);
  BRAINCAM_CUDA_CHECK(
      cudnnSetTensor4dDescriptor(d, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, s.n, s.c, s.h, s.w));
  return result;
}

std::shared_ptr<cudnnFilterStruct> filter(int K, int C) {
  cudnnFilterDescriptor_t d = nullptr;
  BRAINCAM_CUDA_CHECK(cudnnCreateFilterDescriptor(&d));
  auto result = owned<cudnnFilterDescriptor_t, cudnnDestroyFilterDescriptor>(d);
  BRAINCAM_CUDA_CHECK(
      cudnnSetFilter4dDescriptor(d, CUDNN_DATA_FLOAT, CUDNN_TENSOR_NCHW, K, C, 5, 5));
  return result;
}

std::shared_ptr<cudnnConvolutionStruct> convolution(cudnnMathType_t math) {
  cudnnConvolutionDescriptor_t d = nullptr;
  BRAINCAM_CUDA_CHECK(cudnnCreateConvolutionDescriptor(&d));
  auto result = owned<cudnnConvolutionDescriptor_t, cudnnDestroyConvolutionDescriptor>(d);
  BRAINCAM_CUDA_CHECK(cudnnSetConvolution2dDescriptor(d, 2, 2, 1, 1, 1, 1, CUDNN_CROSS_CORRELATION,
                                                      CUDNN_DATA_FLOAT));
  BRAINCAM_CUDA_CHECK(cudnnSetConvolutionMathType(d, math));
  return result;
}

std::shared_ptr<void> device_buffer(std::size_t bytes) {
  void* p = nullptr;
  if (bytes) BRAINCAM_CUDA_CHECK(cudaMalloc(&p, bytes));
  return {p, [](void* q) { cudaFree(q); }};
}

std::shared_ptr<float> device_floats(std::size_t n, float value) {
  std::vector<float> host(n, value);
  auto p = std::static_pointer_cast<float>(device_buffer(n * sizeof(float)));
  BRAINCAM_CUDA_CHECK(cudaMemcpy(p.get(), host.data(), n * sizeof(float), cudaMemcpyHostToDevice));
  return p;
}

const char* math_name(cudnnMathType_t math) {
  return math == CUDNN_FMA_MATH       ? "FP32 FMA"
         : math == CUDNN_DEFAULT_MATH ? "TF32 allowed"
                                      : "other math";
}

const char* mode_name(cudnnBatchNormMode_t mode) {
  return mode == CUDNN_BATCHNORM_SPATIAL_PERSISTENT ? "spatial persistent" : "spatial";
}

const float kOne = 1.0f, kZero = 0.0f;

}  // namespace

Cudnn::Cudnn(cudaStream_t stream) {
  BRAINCAM_CUDA_CHECK(cudnnCreate(&handle_));
  BRAINCAM_CUDA_CHECK(cudnnSetStream(handle_, stream));
}

Cudnn::~Cudnn() { cudnnDestroy(handle_); }

LibraryCall conv5x5_forward(Cudnn& dnn, Nchw x_shape, int K, cudnnMathType_t math,
                            const std::vector<const float*>& x, const float* w, const float* b,
                            const std::vector<float*>& y) {
  const Nchw y_shape{x_shape.n, K, x_shape.h, x_shape.w};
  auto xd = tensor(x_shape), yd = tensor(y_shape), bd = tensor({1, K, 1, 1});
  auto wd = filter(K, x_shape.c);
  auto cd = convolution(math);
  cudnnConvolutionFwdAlgoPerf_t perf[CUDNN_CONVOLUTION_FWD_ALGO_COUNT];
  int found = 0;
  BRAINCAM_CUDA_CHECK(
      cudnnFindConvolutionForwardAlgorithm(dnn.handle(), xd.get(), wd.get(), cd.get(), yd.get(),
                                           CUDNN_CONVOLUTION_FWD_ALGO_COUNT, &found, perf));
  if (found == 0 || perf[0].status != CUDNN_STATUS_SUCCESS)
    throw std::runtime_error("cuDNN found no forward convolution algorithm");
  const cudnnConvolutionFwdAlgoPerf_t best = perf[0];  // sorted by time
  auto workspace = device_buffer(best.memory);
  const cudnnHandle_t h = dnn.handle();
  return {[=](int rep) {
            const std::size_t i = rep % x.size();
            BRAINCAM_CUDA_CHECK(cudnnConvolutionForward(h, &kOne, xd.get(), x[i], wd.get(), w,
                                                        cd.get(), best.algo, workspace.get(),
                                                        best.memory, &kZero, yd.get(), y[i]));
            BRAINCAM_CUDA_CHECK(cudnnAddTensor(h, &kOne, bd.get(), b, &kOne, yd.get(), y[i]));
          },
          "cuDNN forward algo " + std::to_string(best.algo) + " + bias add, " +
              math_name(best.mathType)};
}

LibraryCall conv5x5_weight_gradient(Cudnn& dnn, Nchw x_shape, int K, cudnnMathType_t math,
                                    const std::vector<const float*>& x,
                                    const std::vector<const float*>& dy, float* dw, float* db) {
  const Nchw y_shape{x_shape.n, K, x_shape.h, x_shape.w};
  auto xd = tensor(x_shape), yd = tensor(y_shape), bd = tensor({1, K, 1, 1});
  auto wd = filter(K, x_shape.c);
  auto cd = convolution(math);
  cudnnConvolutionBwdFilterAlgoPerf_t perf[CUDNN_CONVOLUTION_BWD_FILTER_ALGO_COUNT];
  int found = 0;
  BRAINCAM_CUDA_CHECK(cudnnFindConvolutionBackwardFilterAlgorithm(
      dnn.handle(), xd.get(), yd.get(), cd.get(), wd.get(), CUDNN_CONVOLUTION_BWD_FILTER_ALGO_COUNT,
      &found, perf));
  if (found == 0 || perf[0].status != CUDNN_STATUS_SUCCESS)
    throw std::runtime_error("cuDNN found no weight-gradient algorithm");
  const cudnnConvolutionBwdFilterAlgoPerf_t best = perf[0];
  auto workspace = device_buffer(best.memory);
  const cudnnHandle_t h = dnn.handle();
  return {[=](int rep) {
            const std::size_t i = rep % x.size();
            BRAINCAM_CUDA_CHECK(cudnnConvolutionBackwardFilter(
                h, &kOne, xd.get(), x[i], yd.get(), dy[i], cd.get(), best.algo, workspace.get(),
                best.memory, &kZero, wd.get(), dw));
            BRAINCAM_CUDA_CHECK(
                cudnnConvolutionBackwardBias(h, &kOne, yd.get(), dy[i], &kZero, bd.get(), db));
          },
          "cuDNN weight-gradient algo " + std::to_string(best.algo) + " + bias gradient, " +
              math_name(best.mathType)};
}

LibraryCall batchnorm_forward_training(Cudnn& dnn, Nchw shape, cudnnBatchNormMode_t mode,
                                       const std::vector<const float*>& x,
                                       const std::vector<float*>& y) {
  auto xd = tensor(shape), pd = tensor({1, shape.c, 1, 1});
  auto gamma = device_floats(shape.c, 1.0f), beta = device_floats(shape.c, 0.0f),
       running_mean = device_floats(shape.c, 0.0f), running_var = device_floats(shape.c, 1.0f),
       saved_mean = device_floats(shape.c, 0.0f), saved_inv_var = device_floats(shape.c, 1.0f);
  const cudnnHandle_t h = dnn.handle();
  return {[=](int rep) {
            const std::size_t i = rep % x.size();
            BRAINCAM_CUDA_CHECK(cudnnBatchNormalizationForwardTraining(
                h, mode, &kOne, &kZero, xd.get(), x[i], xd.get(), y[i], pd.get(), gamma.get(),
                beta.get(), 0.1, running_mean.get(), running_var.get(), 1e-5, saved_mean.get(),
                saved_inv_var.get()));
          },
          std::string("cuDNN batchnorm training forward, ") + mode_name(mode)};
}

LibraryCall batchnorm_backward(Cudnn& dnn, Nchw shape, cudnnBatchNormMode_t mode,
                               const std::vector<const float*>& x,
                               const std::vector<const float*>& dy, const std::vector<float*>& dx) {
  auto xd = tensor(shape), pd = tensor({1, shape.c, 1, 1});
  auto gamma = device_floats(shape.c, 1.0f), dgamma = device_floats(shape.c, 0.0f),
       dbeta = device_floats(shape.c, 0.0f);
  // The saved statistics of a forward pass (any values do for timing; these are plausible).
  auto saved_mean = device_floats(shape.c, 0.5f), saved_inv_var = device_floats(shape.c, 1.0f);
  const cudnnHandle_t h = dnn.handle();
  return {[=](int rep) {
            const std::size_t i = rep % x.size();
            BRAINCAM_CUDA_CHECK(cudnnBatchNormalizationBackward(
                h, mode, &kOne, &kZero, &kOne, &kZero, xd.get(), x[i], xd.get(), dy[i], xd.get(),
                dx[i], pd.get(), gamma.get(), dgamma.get(), dbeta.get(), 1e-5, saved_mean.get(),
                saved_inv_var.get()));
          },
          std::string("cuDNN batchnorm backward, ") + mode_name(mode)};
}

LibraryCall batchnorm_forward_inference(Cudnn& dnn, Nchw shape, const std::vector<const float*>& x,
                                        const std::vector<float*>& y) {
  auto xd = tensor(shape), pd = tensor({1, shape.c, 1, 1});
  auto gamma = device_floats(shape.c, 1.0f), beta = device_floats(shape.c, 0.0f),
       running_mean = device_floats(shape.c, 0.0f), running_var = device_floats(shape.c, 1.0f);
  const cudnnHandle_t h = dnn.handle();
  return {[=](int rep) {
            const std::size_t i = rep % x.size();
            BRAINCAM_CUDA_CHECK(cudnnBatchNormalizationForwardInference(
                h, CUDNN_BATCHNORM_SPATIAL, &kOne, &kZero, xd.get(), x[i], xd.get(), y[i], pd.get(),
                gamma.get(), beta.get(), running_mean.get(), running_var.get(), 1e-5));
          },
          "cuDNN batchnorm inference forward, spatial"};
}

namespace {
std::shared_ptr<cudnnActivationStruct> relu() {
  cudnnActivationDescriptor_t d = nullptr;
  BRAINCAM_CUDA_CHECK(cudnnCreateActivationDescriptor(&d));
  auto result = owned<cudnnActivationDescriptor_t, cudnnDestroyActivationDescriptor>(d);
  BRAINCAM_CUDA_CHECK(
      cudnnSetActivationDescriptor(d, CUDNN_ACTIVATION_RELU, CUDNN_NOT_PROPAGATE_NAN, 0.0));
  return result;
}
}  // namespace

LibraryCall relu_forward(Cudnn& dnn, Nchw shape, const std::vector<const float*>& x,
                         const std::vector<float*>& y) {
  auto xd = tensor(shape);
  auto ad = relu();
  const cudnnHandle_t h = dnn.handle();
  return {[=](int rep) {
            const std::size_t i = rep % x.size();
            BRAINCAM_CUDA_CHECK(
                cudnnActivationForward(h, ad.get(), &kOne, xd.get(), x[i], &kZero, xd.get(), y[i]));
          },
          "cuDNN ReLU forward"};
}

LibraryCall relu_backward(Cudnn& dnn, Nchw shape, const std::vector<const float*>& y,
                          const std::vector<const float*>& dy, const std::vector<float*>& dx) {
  auto xd = tensor(shape);
  auto ad = relu();
  const cudnnHandle_t h = dnn.handle();
  return {[=](int rep) {
            const std::size_t i = rep % y.size();
            // For ReLU the input may stand in for the output: both are positive at the same places.
            BRAINCAM_CUDA_CHECK(cudnnActivationBackward(h, ad.get(), &kOne, xd.get(), y[i],
                                                        xd.get(), dy[i], xd.get(), y[i], &kZero,
                                                        xd.get(), dx[i]));
          },
          "cuDNN ReLU backward"};
}

namespace {
std::shared_ptr<cudnnPoolingStruct> pool4() {
  cudnnPoolingDescriptor_t d = nullptr;
  BRAINCAM_CUDA_CHECK(cudnnCreatePoolingDescriptor(&d));
  auto result = owned<cudnnPoolingDescriptor_t, cudnnDestroyPoolingDescriptor>(d);
  BRAINCAM_CUDA_CHECK(
      cudnnSetPooling2dDescriptor(d, CUDNN_POOLING_MAX, CUDNN_NOT_PROPAGATE_NAN, 4, 4, 0, 0, 4, 4));
  return result;
}
}  // namespace

LibraryCall maxpool4_forward(Cudnn& dnn, Nchw x_shape, const std::vector<const float*>& x,
                             const std::vector<float*>& y) {
  auto xd = tensor(x_shape), yd = tensor({x_shape.n, x_shape.c, x_shape.h / 4, x_shape.w / 4});
  auto pd = pool4();
  const cudnnHandle_t h = dnn.handle();
  return {[=](int rep) {
            const std::size_t i = rep % x.size();
            BRAINCAM_CUDA_CHECK(
                cudnnPoolingForward(h, pd.get(), &kOne, xd.get(), x[i], &kZero, yd.get(), y[i]));
          },
          "cuDNN max pooling forward"};
}

LibraryCall maxpool4_backward(Cudnn& dnn, Nchw x_shape, const std::vector<const float*>& x,
                              const std::vector<const float*>& y,
                              const std::vector<const float*>& dy, const std::vector<float*>& dx) {
  auto xd = tensor(x_shape), yd = tensor({x_shape.n, x_shape.c, x_shape.h / 4, x_shape.w / 4});
  auto pd = pool4();
  const cudnnHandle_t h = dnn.handle();
  return {
      [=](int rep) {
        const std::size_t i = rep % x.size();
        BRAINCAM_CUDA_CHECK(cudnnPoolingBackward(h, pd.get(), &kOne, yd.get(), y[i], yd.get(),
                                                 dy[i], xd.get(), x[i], &kZero, xd.get(), dx[i]));
      },
      "cuDNN max pooling backward"};
}

LibraryCall add_tensor(Cudnn& dnn, Nchw shape, const std::vector<const float*>& src,
                       const std::vector<float*>& dst) {
  auto d = tensor(shape);
  const cudnnHandle_t h = dnn.handle();
  return {[=](int rep) {
            const std::size_t i = rep % src.size();
            BRAINCAM_CUDA_CHECK(cudnnAddTensor(h, &kOne, d.get(), src[i], &kOne, d.get(), dst[i]));
          },
          "cuDNN add tensor"};
}

}  // namespace braincam::bench
