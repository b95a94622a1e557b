#include "kernels/cpu/cam.h"

#include "engine/dispatch.h"
#include "engine/ops.h"
#include "kernels/cuda/cam.h"

namespace braincam {

namespace {
// fc's weight (1 x C*cells) must match C planes of `cells` cells.
void check_fc_weight(const Tensor& w, long C, long cells, const char* op) {
  if (w.numel() != C * cells)
    throw std::invalid_argument(std::string(op) + ": fc weight " + shape_str(w.shape()) +
                                " does not match " + std::to_string(C) + " channels of " +
                                std::to_string(cells) + " cells");
}
}  // namespace

Tensor cam_guidance(const Tensor& F, const Tensor& fc_weight) {
  check_same_kind("cam_guidance", {&F, &fc_weight});
  const int N = F.dim(0), C = F.dim(1), H = F.dim(2), W = F.dim(3);
  check_fc_weight(fc_weight, C, (H / 4) * (W / 4), "cam_guidance");
  Tensor s({N, (H / 4) * (W / 4)}, F.dtype(), F.device());
  run_kernel(
      F, "cam_guidance",
      [&]<class T>() {
        cpu::cam_guidance<T>(s.data<T>(), F.data<T>(), fc_weight.data<T>(), N, C, H, W);
      },
      [&]<class Set>(cuda::Stream stream) {
        cuda::cam_guidance<Set>(s.data<float>(), F.data<float>(), fc_weight.data<float>(), N, C, H,
                                W, stream);
      });
  return s;
}

Tensor cam_reduce(const Tensor& P, const Tensor& fc_weight) {
  check_same_kind("cam_reduce", {&P, &fc_weight});
  const int N = P.dim(0), C = P.dim(1), h = P.dim(2), w = P.dim(3);
  check_fc_weight(fc_weight, C, h * w, "cam_reduce");
  Tensor cam({N, h, w}, P.dtype(), P.device());
  run_kernel(
      P, "cam_reduce",
      [&]<class T>() {
        cpu::cam_reduce<T>(cam.data<T>(), P.data<T>(), fc_weight.data<T>(), N, C, h * w);
      },
      [&]<class Set>(cuda::Stream s) {
        cuda::cam_reduce<Set>(cam.data<float>(), P.data<float>(), fc_weight.data<float>(), N, C,
                              h * w, s);
      });
  return cam;
}

}  // namespace braincam
