#include "kernels/cpu/gather_images.h"

namespace braincam::cpu {

void gather_images(float* out, const std::uint8_t* images, const std::int32_t* index, int N, int C,
                   int H, int W) {
  const long plane = static_cast<long>(H) * W;
#pragma omp parallel for
  for (int b = 0; b < N; ++b) {
    const std::uint8_t* image = images + index[b] * plane * C;
    float* x = out + b * plane * C;
    for (long i = 0; i < plane; ++i)
      for (int c = 0; c < C; ++c) x[c * plane + i] = static_cast<float>(image[i * C + c]) / 255.0f;
  }
}

}  // namespace braincam::cpu
