#pragma once
// ReLU: y = max(x, 0). Its gradient passes where y > 0 (zero at 0, as in PyTorch).
namespace braincam::cpu {

template <class T>
void relu_forward(T* y, const T* x, long n);

template <class T>
void relu_backward(T* dx, const T* dy, const T* y, long n);

}  // namespace braincam::cpu
