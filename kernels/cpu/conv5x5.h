#pragma once
// 5x5 convolution, stride 1, zero padding 2 ("same" size), with bias. NCHW.
//   x: N x C x H x W,  w: K x C x 5 x 5,  b: K,  y: N x K x H x W
namespace braincam::cpu {

template <class T>
void conv5x5_forward(T* y, const T* x, const T* w, const T* b, int N, int C, int H, int W, int K);

// Gradients of conv5x5_forward. dw and db are overwritten; dx is overwritten unless it is null
// (the input of the model's first layer needs no gradient).
template <class T>
void conv5x5_backward(T* dx, T* dw, T* db, const T* dy, const T* x, const T* w, int N, int C, int H,
                      int W, int K);

}  // namespace braincam::cpu
