#include "kernels/cpu/gather_images.h"

#include <stdexcept>
#include <string>

#include "engine/dispatch.h"
#include "engine/ops.h"
#include "kernels/cuda/gather_images.h"

namespace braincam {

Tensor gather_images(const Tensor& images, const Tensor& index) {
  if (images.dtype() != DType::U8 || images.ndim() != 4)
    throw std::invalid_argument("gather_images: images must be M x H x W x C of U8, got " +
                                shape_str(images.shape()) + " of " + dtype_name(images.dtype()));
  if (index.dtype() != DType::I32 || index.ndim() != 1 || index.device() != images.device())
    throw std::invalid_argument(
        std::string("gather_images: the index must be a vector of I32 on ") +
        device_name(images.device()) + ", got " + shape_str(index.shape()) + " of " +
        dtype_name(index.dtype()) + " on " + device_name(index.device()));
  const int H = images.dim(1), W = images.dim(2), C = images.dim(3), N = index.dim(0);
  Tensor out({N, C, H, W}, DType::F32, images.device());
  if (N == 0) return out;
  if (images.device() == Device::CPU) {
    cpu::gather_images(out.data<float>(), images.data<std::uint8_t>(), index.data<std::int32_t>(),
                       N, C, H, W);
    return out;
  }
  run_device_kernel(out, "gather_images", [&]<class Set>(cuda::Stream stream) {
    cuda::gather_images<Set>(out.data<float>(), images.data<std::uint8_t>(),
                             index.data<std::int32_t>(), N, C, H, W, stream);
  });
  return out;
}

}  // namespace braincam
