#pragma once
// The SIMT emulator: runs CUDA kernels compiled by the host compiler on the CPU, so that every
// kernel can be tested on machines without a GPU. kernels/cuda/simt.h maps the CUDA names
// (threadIdx, __syncthreads, __shfl_down_sync, ...) onto this interface; kernels do not use it
// directly.
//
// How a launch runs: the blocks of the grid run one after another, in a seeded random order.
// Inside a block every GPU thread is a fiber (kernels/emulator/fiber.h). The scheduler resumes
// one runnable thread at a time, drawn at random, and each runs until it reaches a barrier
// (__syncthreads, or the implicit warp barrier of a shuffle, ballot or __syncwarp) or returns.
// A warp collective completes as soon as its last lane arrives, so a warp may run on ahead of
// threads that have not reached theirs; once every thread waits at __syncthreads, the barrier
// opens. So the threads of a block interleave differently between every two barriers and a
// missing barrier shows up as a wrong result, while a correct kernel gives the same bits under
// every order. Shared memory is a per-block arena, filled with
// 0xFF bytes (NaN as float) before use, so reading shared memory no thread wrote shows up too.
//
// What it cannot model: warps do not run in lockstep (code that relies on implicit
// warp-synchronous execution without __syncwarp or a *_sync intrinsic is a bug here and on
// Volta and later GPUs alike); memory ordering between blocks and __threadfence (blocks run one
// after another, so inter-block communication that would race on a GPU does not); atomics are
// trivially atomic; and nothing about performance, occupancy or register pressure.
#include <cstddef>
#include <cstdint>

namespace braincam::emulator {

struct uint3 {
  unsigned x = 0, y = 0, z = 0;
};

struct dim3 {
  unsigned x, y, z;
  constexpr dim3(unsigned x_ = 1, unsigned y_ = 1, unsigned z_ = 1) : x(x_), y(y_), z(z_) {}
};

inline constexpr int kWarpSize = 32;
// Static plus dynamic shared memory one block may use, as on every GPU since Volta without an
// opt-in. The emulator refuses more.
inline constexpr std::size_t kSharedMemoryBytes = 48 * 1024;

// The coordinates of the running GPU thread and its block: what threadIdx, blockIdx, blockDim and
// gridDim read. Set by the scheduler before it resumes a thread.
struct BlockCoordinates {
  uint3 block_idx;
  dim3 block_dim, grid_dim;
};
inline thread_local const uint3* current_thread_idx = nullptr;
inline thread_local const BlockCoordinates* current_block = nullptr;

// Waits until every thread of the block reaches this barrier.
void syncthreads();

// A warp collective: the running lane deposits `value`, waits until every lane in `mask` has
// deposited (the implicit warp barrier), and gets
//   Shuffle: the value of lane `source_lane` (its own value when source_lane is -1);
//   Ballot:  the bits of the lanes in mask that deposited a non-zero value;
//   Sync:    nothing (0).
// The lanes of one collective must all name the same mask, and every lane in it must take part.
enum class WarpCollective { Shuffle, Ballot, Sync };
std::uint64_t warp_collective(WarpCollective op, unsigned mask, std::uint64_t value,
                              int source_lane = -1);

// A warp-wide function of every lane's operands (a tensor-core multiply-add): a Sync in which
// each lane of `mask` also deposits a pointer to its operands; when all have arrived, `combine`
// runs once with the 32 lanes' pointers (null for lanes outside the mask), before any of them
// runs on, so it may read and write every lane's operands. The lanes must all name the same mask
// and function.
void warp_combine(unsigned mask, void* operands, void (*combine)(void* const* lane_operands));

// The running thread's lane.
int lane_id();

// An asynchronous copy of `bytes` (at most 16) to shared memory, zeros where `valid` is false
// (cp.async with a source size of 0). The source is read when the copy is issued; the
// destination is written then or only when the thread waits for its copies, by the schedule's
// draw: the earliest and the latest a GPU may land it, so that a kernel that reads a stage
// before waiting, or fills a buffer other threads still read, sees or causes stale values. A
// thread that ends with copies it never waited for is an error.
void copy_async(void* dst, const void* src, std::size_t bytes, bool valid);
void copy_async_wait_all();

// Shared memory of the running block. static_shared returns the same `bytes` for every thread
// of the block that passes the same key (the address of a static variable at the declaration),
// and fresh, poisoned memory in the next block. dynamic_shared returns the launch's dynamic
// shared memory.
void* static_shared(const void* key, std::size_t bytes, std::size_t alignment);
void* dynamic_shared();

// Runs thread_body(arg) once per GPU thread of the grid, as described above. Throws
// std::invalid_argument for a launch configuration a GPU would refuse, and std::runtime_error
// for a block that deadlocks (a barrier some threads never reach) or breaks a rule above.
void run_grid(dim3 grid, dim3 block, std::size_t dynamic_shared_bytes, void (*thread_body)(void*),
              void* arg);

// Seeds the random schedule of the launches that follow (on this OS thread). Every schedule is
// a function of the seed and the launches made since it was set.
void set_schedule_seed(std::uint64_t seed);

}  // namespace braincam::emulator
