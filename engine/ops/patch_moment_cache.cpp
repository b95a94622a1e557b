#include <algorithm>
#include <numeric>
#include <stdexcept>

#include "engine/dispatch.h"
#include "engine/ops.h"
#include "kernels/cpu_fast/patch_statistics.h"
#include "kernels/cuda/patch_statistics.h"

namespace braincam {

PatchMomentCache patch_moment_cache(const Tensor& images) {
  if (images.dtype() != DType::U8 || images.ndim() != 4 || images.dim(1) < 4 || images.dim(2) < 4)
    throw std::invalid_argument(
        "patch_moment_cache: images must be M x H x W x C of U8 with H and W at least 4, got " +
        shape_str(images.shape()) + " of " + dtype_name(images.dtype()));
  const int M = images.dim(0), H = images.dim(1), W = images.dim(2), C = images.dim(3);
  const long per_image = cuda::image_moments_size(C);
  PatchMomentCache cache{Tensor({M, per_image}, DType::F64, images.device()),
                         Tensor({M, C}, DType::F32, images.device())};
  // A batch's worth of float images at a time.
  constexpr int kChunk = 32;
  for (int first = 0; first < M; first += kChunk) {
    const int n = std::min(kChunk, M - first);
    Tensor index({n}, DType::I32);
    std::iota(index.data<std::int32_t>(), index.data<std::int32_t>() + n, first);
    const Tensor x = gather_images(images, index.to(images.device()));
    double* moments = cache.moments.data<double>() + first * per_image;
    float* shifts = cache.shifts.data<float>() + static_cast<long>(first) * C;
    if (x.device() == Device::CPU)
      cpu_fast::image_patch_moments(moments, shifts, x.data<float>(), n, C, H, W);
    else
      run_device_kernel(x, "patch_moment_cache", [&]<class Set>(cuda::Stream stream) {
        cuda::image_patch_moments<Set>(moments, shifts, x.data<float>(), n, C, H, W, stream);
      });
  }
  return cache;
}

}  // namespace braincam
