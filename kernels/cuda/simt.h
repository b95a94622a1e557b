#pragma once
// The portability layer every kernel source (kernels/cuda/<op>.cu) includes: the same source
// compiles with nvcc for the GPU and with the host compiler for the SIMT emulator
// (kernels/emulator/emulator.h). A kernel source, relu.cu being the smallest example,
//   - puts its kernels and device helpers in an anonymous namespace inside braincam::cuda, so
//     that the two builds, both linked into one binary, never share a symbol;
//   - declares shared memory with BRAINCAM_SHARED / BRAINCAM_DYNAMIC_SHARED, never __shared__;
//   - launches with launch(kernel, grid, block, shared_bytes, stream, args...), never <<< >>>;
//   - defines its launchers as the specializations for KernelSet (cuda::Gpu under nvcc,
//     cuda::Emulated in the emulator).
// BRAINCAM_UNROLL before a loop unrolls it fully on the GPU (nothing in the emulator): for loops
// that index a register array. BRAINCAM_UNROLL_BY(n) unrolls n times: a streaming loop then has
// n iterations' loads in flight at once.
// Both builds provide: __global__ __device__ __host__ __forceinline__ __restrict__
// __launch_bounds__ (nothing in the emulator); threadIdx
// blockIdx blockDim gridDim warpSize; __syncthreads __syncwarp; __shfl_sync __shfl_up_sync
// __shfl_down_sync __shfl_xor_sync __ballot_sync __any_sync __all_sync; atomicAdd (int,
// unsigned, unsigned long long, float, double), atomicMax atomicMin atomicExch atomicCAS (int,
// unsigned, unsigned long long); the float functions of <cmath> and isnan; float4, uint4,
// __float_as_uint,
// __uint_as_float, __fmul_rn; and the helpers below (elementwise_grid, Scratch). TF32 tensor
// cores are in tensor_core.h. A kernel that needs more adds it here, to both sections.
//
// Shared memory:
//   BRAINCAM_SHARED(float, tile, 20 * 20);   // __shared__ float tile[20 * 20];
//   BRAINCAM_DYNAMIC_SHARED(float, buffer);  // extern __shared__ float buffer[];
// In the emulator the name is a pointer, not an array: index it, never take its sizeof. For a
// two-dimensional array use a row type: using Row = float[20]; BRAINCAM_SHARED(Row, tile, 20).
#include <algorithm>
#include <cstddef>

#include "kernels/cuda/kernel_set.h"

namespace braincam::cuda {

// Blocks for a grid-stride loop over n > 0 items: as many as the items need, at most 1024
// (enough to fill a GPU). Grid-stride loops also keep the emulator's fiber switches per item low.
inline unsigned elementwise_grid(long n, int threads_per_block) {
  return static_cast<unsigned>(
      std::min<long>((n + threads_per_block - 1) / threads_per_block, 1024));
}

}  // namespace braincam::cuda

#ifdef __CUDACC__  // ---- nvcc: CUDA itself --------------------------------------------------

#include <cuda_runtime.h>

#include <cstdio>
#include <stdexcept>
#include <string>
#include <utility>

#define BRAINCAM_SHARED(type, name, count) __shared__ type name[count]
// Unrolls the next loop fully, so that a register array it indexes stays in registers.
#define BRAINCAM_UNROLL _Pragma("unroll")
#define BRAINCAM_PRAGMA(text) _Pragma(#text)
#define BRAINCAM_UNROLL_BY(n) BRAINCAM_PRAGMA(unroll n)
#define BRAINCAM_DYNAMIC_SHARED(type, name)                                       \
  extern __shared__ __align__(16) unsigned char braincam_dynamic_shared_memory[]; \
  type* const name = reinterpret_cast<type*>(braincam_dynamic_shared_memory)

namespace braincam::cuda {

using KernelSet = Gpu;

template <class... Params, class... Args>
void launch(void (*kernel)(Params...), dim3 grid, dim3 block, std::size_t shared_bytes,
            Stream stream, Args&&... args) {
  kernel<<<grid, block, shared_bytes, static_cast<cudaStream_t>(stream)>>>(
      std::forward<Args>(args)...);
}

// Temporary device memory for a launcher's intermediate results, freed in stream order when it
// goes out of scope.
template <class T>
class Scratch {
 public:
  Scratch(std::size_t count, Stream stream) : stream_(stream) {
    const cudaError_t status =
        cudaMallocAsync(&data_, count * sizeof(T), static_cast<cudaStream_t>(stream));
    if (status != cudaSuccess) {
      cudaGetLastError();  // not sticky: clear it, the exception reports it
      throw std::runtime_error("kernel scratch: cudaMallocAsync of " +
                               std::to_string(count * sizeof(T)) +
                               " bytes failed: " + cudaGetErrorString(status));
    }
  }
  ~Scratch() {
    // A destructor cannot throw: a failed free is reported here, not left for the next launch
    // check to blame on another op (a sticky error stays set for it either way).
    const cudaError_t status = cudaFreeAsync(data_, static_cast<cudaStream_t>(stream_));
    if (status != cudaSuccess) {
      cudaGetLastError();
      std::fprintf(stderr, "braincam: kernel scratch: cudaFreeAsync failed: %s\n",
                   cudaGetErrorString(status));
    }
  }
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
  T* data() const { return static_cast<T*>(data_); }

 private:
  void* data_ = nullptr;
  Stream stream_;
};

}  // namespace braincam::cuda

#else  // ---- the host compiler: the SIMT emulator -------------------------------------------

#include <bit>
#include <cmath>
#include <concepts>
#include <cstdint>
#include <cstring>
#include <memory>
#include <tuple>
#include <type_traits>

#include "kernels/emulator/emulator.h"
#include "kernels/emulator/recording.h"

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __restrict__ __restrict
#define __launch_bounds__(...)
// A plain __shared__ variable would be one variable for all blocks: refuse it.
#define __shared__ _Pragma("GCC error \"use BRAINCAM_SHARED or BRAINCAM_DYNAMIC_SHARED\"")

#define BRAINCAM_UNROLL
#define BRAINCAM_UNROLL_BY(n)
#define threadIdx (*::braincam::emulator::current_thread_idx)
#define blockIdx (::braincam::emulator::current_block->block_idx)
#define blockDim (::braincam::emulator::current_block->block_dim)
#define gridDim (::braincam::emulator::current_block->grid_dim)
#define warpSize (::braincam::emulator::kWarpSize)

// The key of a static shared array is the address of a static variable at its declaration: one
// per declaration (per template instance), the same for every thread.
#define BRAINCAM_SHARED(type, name, count)                                   \
  static constexpr char name##_shared_key = 0;                               \
  type* const name = static_cast<type*>(::braincam::emulator::static_shared( \
      &name##_shared_key, sizeof(type) * static_cast<std::size_t>(count), alignof(type)))
#define BRAINCAM_DYNAMIC_SHARED(type, name) \
  type* const name = static_cast<type*>(::braincam::emulator::dynamic_shared())

namespace braincam::cuda {

using KernelSet = Emulated;
using emulator::dim3;
using emulator::uint3;

// CUDA's vector types for 16-byte loads and stores.
struct alignas(16) float4 {
  float x, y, z, w;
};
struct alignas(16) uint4 {
  unsigned x, y, z, w;
};

using std::isnan;  // a global function on the GPU, std:: in the host compiler

inline unsigned __float_as_uint(float x) { return std::bit_cast<unsigned>(x); }
inline float __uint_as_float(unsigned x) { return std::bit_cast<float>(x); }
// A product rounded on its own, never contracted into an addition that uses it. The emulator is
// built in ISO C++ mode, where GCC does not contract at all (in GNU mode it contracts across
// statements, clang within one expression); nvcc contracts across statements.
inline float __fmul_rn(float a, float b) { return a * b; }

template <class... Params, class... Args>
void launch(void (*kernel)(Params...), dim3 grid, dim3 block, std::size_t shared_bytes, Stream,
            Args&&... args) {
  // Arguments are converted to the parameter types and copied once, as CUDA does.
  struct Call {
    void (*kernel)(Params...);
    std::tuple<std::decay_t<Params>...> params;
  } call{kernel, std::tuple<std::decay_t<Params>...>(std::forward<Args>(args)...)};
  constexpr auto run = [](void* p) {
    Call& c = *static_cast<Call*>(p);
    std::apply(c.kernel, c.params);
  };
  if (emulator::Recording* recording = emulator::active_recording()) {
    recording->add([grid, block, shared_bytes, call, run]() mutable {
      emulator::run_grid(grid, block, shared_bytes, run, &call);
    });
    return;
  }
  emulator::run_grid(grid, block, shared_bytes, run, &call);
}

// A recording keeps the memory for the launches it holds.
template <class T>
class Scratch {
 public:
  Scratch(std::size_t count, Stream) : data_(std::make_shared_for_overwrite<T[]>(count)) {
    if (emulator::Recording* recording = emulator::active_recording()) recording->keep(data_);
  }
  T* data() const { return data_.get(); }

 private:
  std::shared_ptr<T[]> data_;
};

inline void __syncthreads() { emulator::syncthreads(); }

inline void __syncwarp(unsigned mask = 0xffffffffu) {
  emulator::warp_collective(emulator::WarpCollective::Sync, mask, 0);
}

namespace simt_emulation {
// A shuffle: the value of source_lane (or the caller's own value for -1), through the bits.
template <class T>
T shuffle(unsigned mask, T value, int source_lane) {
  static_assert(std::is_trivially_copyable_v<T> && sizeof(T) <= sizeof(std::uint64_t));
  std::uint64_t bits = 0;
  std::memcpy(&bits, &value, sizeof value);
  bits = emulator::warp_collective(emulator::WarpCollective::Shuffle, mask, bits, source_lane);
  std::memcpy(&value, &bits, sizeof value);
  return value;
}
}  // namespace simt_emulation

// The shuffles treat the warp as segments of `width` lanes, as CUDA does; a lane whose source
// falls outside its segment keeps its own value.
template <class T>
T __shfl_sync(unsigned mask, T var, int src_lane, int width = warpSize) {
  const int lane = emulator::lane_id();
  return simt_emulation::shuffle(mask, var,
                                 lane / width * width + (src_lane % width + width) % width);
}
template <class T>
T __shfl_up_sync(unsigned mask, T var, unsigned delta, int width = warpSize) {
  const int lane = emulator::lane_id();
  const bool inside = lane % width >= static_cast<int>(delta);
  return simt_emulation::shuffle(mask, var, inside ? lane - static_cast<int>(delta) : -1);
}
template <class T>
T __shfl_down_sync(unsigned mask, T var, unsigned delta, int width = warpSize) {
  const int lane = emulator::lane_id();
  const bool inside = lane % width + static_cast<int>(delta) < width;
  return simt_emulation::shuffle(mask, var, inside ? lane + static_cast<int>(delta) : -1);
}
template <class T>
T __shfl_xor_sync(unsigned mask, T var, int lane_mask, int width = warpSize) {
  const int lane = emulator::lane_id();
  const int source = lane ^ lane_mask;
  const bool inside = source < (lane / width + 1) * width && source < warpSize;
  return simt_emulation::shuffle(mask, var, inside ? source : -1);
}
inline unsigned __ballot_sync(unsigned mask, int predicate) {
  return static_cast<unsigned>(
      emulator::warp_collective(emulator::WarpCollective::Ballot, mask, predicate != 0));
}
inline int __any_sync(unsigned mask, int predicate) { return __ballot_sync(mask, predicate) != 0; }
inline int __all_sync(unsigned mask, int predicate) { return __ballot_sync(mask, !predicate) == 0; }

// Atomics: blocks run one at a time on one OS thread and a fiber never switches inside these,
// so a plain read-modify-write is atomic.
template <class T>
concept AtomicWord =
    std::same_as<T, int> || std::same_as<T, unsigned> || std::same_as<T, unsigned long long>;

template <class T>
requires AtomicWord<T> || std::same_as<T, float> || std::same_as<T, double> T atomicAdd(T* address,
                                                                                        T value) {
  const T old = *address;
  *address = old + value;
  return old;
}
template <AtomicWord T>
T atomicMax(T* address, T value) {
  const T old = *address;
  *address = std::max(old, value);
  return old;
}
template <AtomicWord T>
T atomicMin(T* address, T value) {
  const T old = *address;
  *address = std::min(old, value);
  return old;
}
template <class T>
requires AtomicWord<T> || std::same_as<T, float> T atomicExch(T* address, T value) {
  const T old = *address;
  *address = value;
  return old;
}
template <AtomicWord T>
T atomicCAS(T* address, T compare, T value) {
  const T old = *address;
  if (old == compare) *address = value;
  return old;
}

}  // namespace braincam::cuda

#endif
