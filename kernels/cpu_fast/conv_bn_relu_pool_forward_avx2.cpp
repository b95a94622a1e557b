// conv_bn_relu_pool_forward with 8-lane vectors (AVX2 + FMA, the project's baseline).
#include "kernels/cpu_fast/conv_bn_relu_pool_forward.h"
#include "kernels/cpu_fast/conv_bn_relu_pool_forward_kernel.h"

namespace braincam::cpu_fast {

void conv_bn_relu_pool_forward_avx2(float* F, std::uint8_t* winner, float* h_winner,
                                    const float* xp, const float* w, const float* b,
                                    const float* scale, const float* shift, int N, int C, int H,
                                    int W, int K, int K_padded) {
  forward<8, 2>(F, winner, h_winner, xp, w, b, scale, shift, N, C, H, W, K, K_padded);
}

}  // namespace braincam::cpu_fast
