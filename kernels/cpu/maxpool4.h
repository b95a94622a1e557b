#pragma once
// 4x4 max pooling, stride 4, over planes of H x W (H and W multiples of 4); NC planes.
// The first maximum in row-major order inside a window wins, and gets the whole gradient.
#include <cstdint>

namespace braincam::cpu {

// y: NC x H/4 x W/4. argmax (same size, may be null) gets the winner's index h*W + w in its plane.
template <class T>
void maxpool4_forward(T* y, std::int32_t* argmax, const T* x, int NC, int H, int W);

// dx (NC x H x W) is overwritten: dy at each window's winner, zero elsewhere.
template <class T>
void maxpool4_backward(T* dx, const T* dy, const std::int32_t* argmax, int NC, int H, int W);

}  // namespace braincam::cpu
