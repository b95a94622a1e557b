#include "kernels/cpu/cam.h"

#include "engine/dispatch.h"
#include "engine/ops.h"
#include "kernels/cuda/cam.h"

namespace braincam {

namespace {
// fc's weight (classes x C*cells) must match C planes of `cells` cells; returns its classes.
int fc_classes(const Tensor& w, long C, long cells, const char* op) {
  if (w.numel() == 0 || w.numel() % (C * cells) != 0)
    throw std::invalid_argument(std::string(op) + ": fc weight " + shape_str(w.shape()) +
                                " does not match " + std::to_string(C) + " channels of " +
                                std::to_string(cells) + " cells");
  return static_cast<int>(w.numel() / (C * cells));
}

// The guidance's classes: one I64 per image on F's device. Their values are not read here: they
// may not exist yet while a device graph records (guidance_classes writes them in [0, K)).
void check_classes(const Tensor& classes, const Tensor& F, int K) {
  if (!classes.defined()) {
    if (K != 1)
      throw std::invalid_argument("cam_guidance: an fc weight of " + std::to_string(K) +
                                  " classes needs the guidance's classes");
    return;
  }
  if (classes.dtype() != DType::I64 || classes.device() != F.device() ||
      classes.numel() != F.dim(0))
    throw std::invalid_argument("cam_guidance: classes must be I64, one per image, on " +
                                std::string(device_name(F.device())) + "; got " +
                                dtype_name(classes.dtype()) + " " + shape_str(classes.shape()) +
                                " on " + device_name(classes.device()));
}
}  // namespace

Tensor cam_guidance(const Tensor& F, const Tensor& fc_weight, const Tensor& classes) {
  check_same_kind("cam_guidance", {&F, &fc_weight});
  const int N = F.dim(0), C = F.dim(1), H = F.dim(2), W = F.dim(3);
  check_classes(classes, F, fc_classes(fc_weight, C, (H / 4) * (W / 4), "cam_guidance"));
  const std::int64_t* k = classes.defined() ? classes.data<std::int64_t>() : nullptr;
  Tensor s({N, (H / 4) * (W / 4)}, F.dtype(), F.device());
  run_kernel(
      F, "cam_guidance",
      [&]<class T>() {
        cpu::cam_guidance<T>(s.data<T>(), F.data<T>(), fc_weight.data<T>(), N, C, H, W, k);
      },
      [&]<class Set>(cuda::Stream stream) {
        cuda::cam_guidance<Set>(s.data<float>(), F.data<float>(), fc_weight.data<float>(), N, C, H,
                                W, stream, k);
      });
  return s;
}

Tensor guidance_classes(const Tensor& F, const Tensor& fc_weight, const Tensor& fc_bias) {
  check_same_kind("guidance_classes", {&F, &fc_weight, &fc_bias});
  const int N = F.dim(0), C = F.dim(1), H = F.dim(2), W = F.dim(3);
  const int K = fc_classes(fc_weight, C, (H / 4) * (W / 4), "guidance_classes");
  if (fc_bias.numel() != K)
    throw std::invalid_argument("guidance_classes: fc bias " + shape_str(fc_bias.shape()) +
                                " does not match " + std::to_string(K) + " classes");
  Tensor classes({N}, DType::I64, F.device());
  std::int64_t* k = classes.data<std::int64_t>();
  run_kernel(
      F, "guidance_classes",
      [&]<class T>() {
        cpu::guidance_classes<T>(k, F.data<T>(), fc_weight.data<T>(), fc_bias.data<T>(), N, C, H, W,
                                 K);
      },
      [&]<class Set>(cuda::Stream stream) {
        cuda::guidance_classes<Set>(k, F.data<float>(), fc_weight.data<float>(),
                                    fc_bias.data<float>(), N, C, H, W, K, stream);
      });
  return classes;
}

Tensor cam_reduce(const Tensor& P, const Tensor& fc_weight) {
  check_same_kind("cam_reduce", {&P, &fc_weight});
  const int N = P.dim(0), C = P.dim(1), h = P.dim(2), w = P.dim(3);
  if (fc_classes(fc_weight, C, h * w, "cam_reduce") != 1)
    throw std::invalid_argument("cam_reduce: fc weight " + shape_str(fc_weight.shape()) +
                                " has more than one class");
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
