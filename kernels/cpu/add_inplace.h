#pragma once
// dst += src, elementwise over n values: gradient accumulation.
namespace braincam::cpu {

template <class T>
void add_inplace(T* dst, const T* src, long n);

}  // namespace braincam::cpu
