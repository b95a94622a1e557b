#pragma once
// Fully connected layer: y[n, o] = b[o] + sum_i w[o, i] * x[n, i]; x: N x In, w: Out x In.
namespace braincam::cpu {

template <class T>
void linear_forward(T* y, const T* x, const T* w, const T* b, int N, int In, int Out);

// Gradients; dw and db are overwritten, and dx unless it is null.
template <class T>
void linear_backward(T* dx, T* dw, T* db, const T* dy, const T* x, const T* w, int N, int In,
                     int Out);

}  // namespace braincam::cpu
