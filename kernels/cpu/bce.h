#pragma once
// Binary cross-entropy on logits, mean over the batch, in the stable form
//   loss = mean_n [ max(z, 0) - z * y + log(1 + exp(-|z|)) ]
namespace braincam::cpu {

template <class T>
void bce_with_logits_forward(T* loss, const T* z, const T* y, int N);

// dz[n] = *dloss * (sigmoid(z[n]) - y[n]) / N; dloss is the loss's gradient (a pointer, so that
// it can stay on the device)
template <class T>
void bce_with_logits_backward(T* dz, const T* z, const T* y, const T* dloss, int N);

}  // namespace braincam::cpu
