#pragma once
// The two builds of the CUDA kernels (kernels/cuda/*.cu), told apart by a type. Every launcher is
// a function template over the kernel set, declared once in kernels/cuda/<op>.h and specialized
// by each build of kernels/cuda/<op>.cu:
//   cuda::Gpu       compiled by nvcc, runs on the GPU (built when nvcc is found)
//   cuda::Emulated  compiled by the host compiler, runs on the CPU in the SIMT emulator (always)
// Host code needs no CUDA header to call either.
namespace braincam::cuda {

struct Gpu {};
struct Emulated {};

// A cudaStream_t, kept opaque. The emulator ignores it.
using Stream = void*;

}  // namespace braincam::cuda
