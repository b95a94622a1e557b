#pragma once
// Timing GPU work with CUDA events: the median of many repetitions after a warm-up, so that one
// slow launch (a clock ramp, a page fault) does not move the figure.
#include <cuda_runtime.h>

#include <cstddef>
#include <functional>

namespace braincam::bench {

// The median time in milliseconds of body(rep), each repetition between two events on
// `stream`, after `warmup` untimed calls. rep counts from 0 over warm-up and timed calls alike,
// so rep % sets rotates through input buffers.
double median_ms(cudaStream_t stream, int warmup, int reps,
                 const std::function<void(int rep)>& body);

// How many copies of a working set of `bytes` to rotate through so that together they are three
// times the L2 cache: each repetition then reads its inputs from DRAM, as in a training step
// where the previous op evicted them. Between 2 and 32.
int rotation_sets(std::size_t bytes);

}  // namespace braincam::bench
