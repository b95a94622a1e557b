#include <algorithm>
#include <stdexcept>
#include <string>

#include "engine/dispatch.h"
#include "engine/ops.h"
#include "kernels/cpu/gather_images.h"
#include "kernels/cuda/gather_images.h"

namespace braincam {

Tensor gather_images(const Tensor& images, std::span<const std::int32_t> index) {
  if (images.dtype() != DType::U8 || images.ndim() != 4)
    throw std::invalid_argument("gather_images: images must be M x H x W x C of U8, got " +
                                shape_str(images.shape()) + " of " + dtype_name(images.dtype()));
  const int M = images.dim(0), H = images.dim(1), W = images.dim(2), C = images.dim(3);
  const int N = static_cast<int>(index.size());
  for (int b = 0; b < N; ++b)
    if (index[b] < 0 || index[b] >= M)
      throw std::out_of_range("gather_images: index " + std::to_string(index[b]) + " of a set of " +
                              std::to_string(M) + " images");
  Tensor out({N, C, H, W}, DType::F32, images.device());
  if (N == 0) return out;
  Tensor host_index({N}, DType::I32);
  std::copy(index.begin(), index.end(), host_index.data<std::int32_t>());
  if (images.device() == Device::CPU) {
    cpu::gather_images(out.data<float>(), images.data<std::uint8_t>(),
                       host_index.data<std::int32_t>(), N, C, H, W);
    return out;
  }
  const Tensor device_index = host_index.to(images.device());
  run_device_kernel(out, "gather_images", [&]<class Set>(cuda::Stream stream) {
    cuda::gather_images<Set>(out.data<float>(), images.data<std::uint8_t>(),
                             device_index.data<std::int32_t>(), N, C, H, W, stream);
  });
  return out;
}

}  // namespace braincam
