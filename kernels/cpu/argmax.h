#pragma once
// The predicted class of a row of logits, as torch.argmax picks it: the first maximal index,
// where a NaN counts as maximal (so the first NaN wins).
#include <cmath>
#include <cstdint>

namespace braincam::cpu {

template <class T>
std::int64_t first_argmax(const T* row, int K) {
  int best = 0;
  for (int k = 1; k < K && !std::isnan(row[best]); ++k)
    if (std::isnan(row[k]) || row[k] > row[best]) best = k;
  return best;
}

}  // namespace braincam::cpu
