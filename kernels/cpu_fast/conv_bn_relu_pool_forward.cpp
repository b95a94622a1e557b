#include "kernels/cpu_fast/conv_bn_relu_pool_forward.h"

#include <algorithm>
#include <stdexcept>
#include <vector>

namespace braincam::cpu_fast {

SimdWidth best_simd_width() {
  static const SimdWidth width =
      __builtin_cpu_supports("avx512f") ? SimdWidth::Avx512 : SimdWidth::Avx2;
  return width;
}

void conv_bn_relu_pool_forward(float* F, std::uint8_t* winner, float* h_winner, const float* xp,
                               const float* w, const float* b, const float* scale,
                               const float* shift, int N, int C, int H, int W, int K,
                               SimdWidth width) {
  if (H % 4 || W % 16)
    throw std::invalid_argument("conv_bn_relu_pool: H must be a multiple of 4 and W of 16");
  if (width == SimdWidth::Avx512 && !__builtin_cpu_supports("avx512f"))
    throw std::runtime_error("conv_bn_relu_pool: this CPU has no AVX-512");
  const int P = C * 25, Kp = (K + kChannelBlock - 1) / kChannelBlock * kChannelBlock;
  std::vector<float> wp(static_cast<std::size_t>(Kp) * P, 0.0f), bp(Kp, 0.0f), sp(Kp, 0.0f),
      tp(Kp, 0.0f);
  std::copy_n(w, static_cast<long>(K) * P, wp.begin());
  std::copy_n(b, K, bp.begin());
  std::copy_n(scale, K, sp.begin());
  std::copy_n(shift, K, tp.begin());
  auto run = width == SimdWidth::Avx512 ? conv_bn_relu_pool_forward_avx512
                                        : conv_bn_relu_pool_forward_avx2;
  run(F, winner, h_winner, xp, wp.data(), bp.data(), sp.data(), tp.data(), N, C, H, W, K, Kp);
}

}  // namespace braincam::cpu_fast
