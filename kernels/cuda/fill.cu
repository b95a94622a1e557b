// Filling a buffer: a grid-stride loop, one element per thread per step, written as an unsigned
// integer of the element's width. Memory-bound; on a GPU it replaces a copy from the host, which
// may wait for the work queued before it.
#include <stdexcept>
#include <string>

#include "kernels/cuda/fill.h"
#include "kernels/cuda/simt.h"

namespace braincam::cuda {

namespace {

constexpr int kThreads = 256;

template <class Element>
__global__ void fill_kernel(Element* __restrict__ dst, Element value, long n) {
  for (long i = blockIdx.x * static_cast<long>(blockDim.x) + threadIdx.x; i < n;
       i += static_cast<long>(gridDim.x) * blockDim.x)
    dst[i] = value;
}

template <class Element>
void launch_fill(void* dst, std::uint64_t pattern, long n, Stream stream) {
  launch(fill_kernel<Element>, elementwise_grid(n, kThreads), kThreads, 0, stream,
         static_cast<Element*>(dst), static_cast<Element>(pattern), n);
}

}  // namespace

template <>
void fill_elements<KernelSet>(void* dst, std::uint64_t pattern, int element_bytes, long n,
                              Stream stream) {
  if (n == 0) return;
  switch (element_bytes) {
    case 1:
      return launch_fill<std::uint8_t>(dst, pattern, n, stream);
    case 4:
      return launch_fill<std::uint32_t>(dst, pattern, n, stream);
    case 8:
      return launch_fill<std::uint64_t>(dst, pattern, n, stream);
  }
  throw std::invalid_argument("fill_elements: elements of " + std::to_string(element_bytes) +
                              " bytes (1, 4 or 8)");
}

}  // namespace braincam::cuda
