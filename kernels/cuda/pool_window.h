#pragma once
// The 4x4 max-pooling window scan shared by the kernel sources (maxpool4, the CAM guidance).
#include "kernels/cuda/simt.h"

namespace braincam::cuda {
namespace {

struct WindowMax {
  float value;
  int index;  // in the plane: row * W + column
};

// The first maximum of window (i, j) of a plane W wide: scanned in row-major order with a strict
// comparison, as the CPU reference does.
__device__ __forceinline__ WindowMax window_first_max(const float* plane, int W, int i, int j) {
  WindowMax best{plane[4 * i * W + 4 * j], 4 * i * W + 4 * j};
  for (int di = 0; di < 4; ++di)
    for (int dj = 0; dj < 4; ++dj) {
      const int idx = (4 * i + di) * W + 4 * j + dj;
      if (plane[idx] > best.value) best = {plane[idx], idx};  // strict: the first maximum stays
    }
  return best;
}

}  // namespace
}  // namespace braincam::cuda
