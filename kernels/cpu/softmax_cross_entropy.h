#pragma once
// Softmax cross-entropy of logits z (N x K, row-major) against class indices y (N, each in
// [0, K)), mean over the batch, in the stable form (PyTorch's F.cross_entropy)
//   loss = mean_n [ logsumexp_k z[n, k] - z[n, y[n]] ],  logsumexp = m + log Σ_k exp(z - m)
// with m the row's largest logit. The caller checks the labels' range.
#include <cstdint>

namespace braincam::cpu {

template <class T>
void softmax_cross_entropy_forward(T* loss, const T* z, const std::int64_t* y, int N, int K);

// dz[n, k] = *dloss * (softmax(z[n])_k - [k == y[n]]) / N; dloss is the loss's gradient (a
// pointer, so that it can stay on the device)
template <class T>
void softmax_cross_entropy_backward(T* dz, const T* z, const std::int64_t* y, const T* dloss, int N,
                                    int K);

}  // namespace braincam::cpu
