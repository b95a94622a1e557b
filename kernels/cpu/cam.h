#pragma once
// The CAM reduction and the attention's CAM guidance (spec section 2, step 1, and section 5).
namespace braincam::cpu {

// cam[n, p] = sum_c w[c, p] * P[n, c, p] over the HW cells p of P (N x C x HW); w is fc's
// weight seen as C x HW. With HW = 225 this is the CAM map: sum_p cam[n, p] + fc.bias = z[n].
template <class T>
void cam_reduce(T* cam, const T* P, const T* w, int N, int C, int HW);

// The guidance s (N x H/4*W/4): softmax over cells of cam_reduce(maxpool4(F), w), F: N x C x H x W.
// A constant for autograd (stop-gradient), so it has no backward.
template <class T>
void cam_guidance(T* s, const T* F, const T* w, int N, int C, int H, int W);

}  // namespace braincam::cpu
