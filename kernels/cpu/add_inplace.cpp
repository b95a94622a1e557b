#include "kernels/cpu/add_inplace.h"

namespace braincam::cpu {

template <class T>
void add_inplace(T* dst, const T* src, long n) {
#pragma omp parallel for schedule(static)
  for (long i = 0; i < n; ++i) dst[i] += src[i];
}

template void add_inplace<float>(float*, const float*, long);
template void add_inplace<double>(double*, const double*, long);

}  // namespace braincam::cpu
