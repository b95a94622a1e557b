#pragma once
// The CAM reduction and the attention's CAM guidance (spec section 2, step 1, and section 5; with
// K classes, section 6.2).
#include <cstdint>

namespace braincam::cpu {

// cam[n, p] = sum_c w[c, p] * P[n, c, p] over the HW cells p of P (N x C x HW); w is fc's
// weight seen as C x HW. With HW = 225 this is the CAM map: sum_p cam[n, p] + fc.bias = z[n].
template <class T>
void cam_reduce(T* cam, const T* P, const T* w, int N, int C, int HW);

// The guidance s (N x H/4*W/4): softmax over cells of cam_reduce(maxpool4(F), w), F: N x C x H x W.
// A constant for autograd (stop-gradient), so it has no backward. With K classes w is fc's K x C x
// H/16*W/16 weight, and image n takes row classes[n] of it; classes null: row 0 (K = 1).
template <class T>
void cam_guidance(T* s, const T* F, const T* w, int N, int C, int H, int W,
                  const std::int64_t* classes = nullptr);

// The guidance's classes k*[n] = argmax_k z0[n, k] (first_argmax, kernels/cpu/argmax.h) of the
// attention-free logits z0 = w · flatten(maxpool4(F[n])) + b, with w: K x C*H/4*W/4 and b: K.
template <class T>
void guidance_classes(std::int64_t* classes, const T* F, const T* w, const T* b, int N, int C,
                      int H, int W, int K);

}  // namespace braincam::cpu
