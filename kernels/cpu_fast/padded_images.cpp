#include "kernels/cpu_fast/padded_images.h"

#include <algorithm>

namespace braincam::cpu_fast {

void pad_images(float* xp, const float* x, int N, int C, int H, int W) {
  const int Hp = padded_rows(H), Wp = padded_cols(W);
  const long planes = static_cast<long>(N) * C;
#pragma omp parallel for schedule(static)
  for (long p = 0; p < planes; ++p) {
    float* out = xp + p * Hp * Wp;
    const float* in = x + p * H * W;
    std::fill_n(out, static_cast<long>(Hp) * Wp, 0.0f);
    for (int h = 0; h < H; ++h)
      std::copy_n(in + static_cast<long>(h) * W, W, out + (h + 2L) * Wp + 2);
  }
}

}  // namespace braincam::cpu_fast
