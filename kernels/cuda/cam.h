#pragma once
// The CAM reduction and the attention's CAM guidance on a kernel set (cuda::Gpu or
// cuda::Emulated); the maths of kernels/cpu/cam.h. All sizes must be at least 1.
#include <cstdint>

#include "kernels/cuda/kernel_set.h"

namespace braincam::cuda {

// cam[n, p] = sum_c w[c, p] * P[n, c, p] over the HW cells p of P (N x C x HW).
template <class Set>
void cam_reduce(float* cam, const float* P, const float* w, int N, int C, int HW, Stream stream);

// s (N x H/4*W/4): softmax over cells of cam_reduce(maxpool4(F), w), F: N x C x H x W with H and
// W multiples of 4, at most 12,000 cells, and C * W / 4 at most 12,000. With K classes w is K x C
// x H/16*W/16 and image n takes row classes[n] (on the device) of it; classes null: row 0.
template <class Set>
void cam_guidance(float* s, const float* F, const float* w, int N, int C, int H, int W,
                  Stream stream, const std::int64_t* classes = nullptr);

// classes[n] = the first maximal index (NaN maximal) of z0[n] = w · flatten(maxpool4(F[n])) + b,
// w: K x C*H/4*W/4, b: K; the maths of cpu::guidance_classes.
template <class Set>
void guidance_classes(std::int64_t* classes, const float* F, const float* w, const float* b, int N,
                      int C, int H, int W, int K, Stream stream);

}  // namespace braincam::cuda
