#pragma once
// Batch normalization per channel over (N, H, W). NCHW with HW = H*W.
//   training:   y = gamma * (x - mean) / sqrt(var + eps) + beta, mean and biased var of the batch
//   evaluation: the same with the running statistics
namespace braincam::cpu {

// Writes y and the batch statistics mean[C] and var[C] (biased), which backward needs.
template <class T>
void batchnorm_forward_train(T* y, T* mean, T* var, const T* x, const T* gamma, const T* beta,
                             int N, int C, int HW, T eps);

// running <- (1 - momentum) * running + momentum * batch, with the unbiased variance
// var * n / (n - 1), n = N*H*W (PyTorch's rule).
template <class T>
void batchnorm_update_running(T* running_mean, T* running_var, const T* mean, const T* var, int C,
                              long n, T momentum);

template <class T>
void batchnorm_forward_eval(T* y, const T* x, const T* gamma, const T* beta, const T* running_mean,
                            const T* running_var, int N, int C, int HW, T eps);

// Gradients of batchnorm_forward_train; dx, dgamma, dbeta are overwritten.
template <class T>
void batchnorm_backward(T* dx, T* dgamma, T* dbeta, const T* dy, const T* x, const T* mean,
                        const T* var, const T* gamma, int N, int C, int HW, T eps);

}  // namespace braincam::cpu
