#pragma once
// Copies from global to shared memory that go on while the thread runs (cp.async, sm_80 and
// later): a thread issues a stage's copies, goes on with other work, and waits for them before the
// barrier after which its block reads the stage. The copies hold no registers, so a thread can
// have all of a stage's loads in flight at once, and a block can fill one buffer while it reads
// another. The emulator lands each copy either at once or only when its thread waits (the
// earliest and the latest a GPU may), so a kernel that reads a stage before waiting, or refills a
// buffer before its readers are done, fails its tests there.
#include "kernels/cuda/simt.h"

namespace braincam::cuda {
namespace {

#ifdef __CUDACC__
// *dst = valid ? *src : 0, one float; dst in shared memory. An invalid copy reads nothing.
__device__ __forceinline__ void copy_async(float* dst, const float* src, bool valid) {
  const unsigned address = static_cast<unsigned>(__cvta_generic_to_shared(dst));
  asm volatile("cp.async.ca.shared.global [%0], [%1], 4, %2;" ::"r"(address), "l"(src),
               "r"(valid ? 4 : 0)
               : "memory");
}

// Waits until every copy this thread issued has landed.
__device__ __forceinline__ void copy_async_wait_all() {
  asm volatile("cp.async.wait_all;" ::: "memory");
}
#else
inline void copy_async(float* dst, const float* src, bool valid) {
  emulator::copy_async(dst, src, sizeof(float), valid);
}
inline void copy_async_wait_all() { emulator::copy_async_wait_all(); }
#endif

}  // namespace
}  // namespace braincam::cuda
