// The SIMT emulator's scheduler: runs a grid block by block, the threads of a block as fibers.
// See emulator.h for the model and its limits.
#include <algorithm>
#include <array>
#include <cstring>
#include <exception>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "kernels/emulator/emulator.h"
#include "kernels/emulator/fiber.h"

#if defined(__SANITIZE_ADDRESS__)
#define BRAINCAM_EMULATOR_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define BRAINCAM_EMULATOR_ASAN 1
#endif
#endif
#ifdef BRAINCAM_EMULATOR_ASAN
#include <sanitizer/asan_interface.h>
#endif

namespace braincam::emulator {

namespace {

#ifdef BRAINCAM_EMULATOR_ASAN
constexpr std::size_t kStackBytes = 256 * 1024;  // instrumented frames are several times larger
#else
constexpr std::size_t kStackBytes = 64 * 1024;
#endif
constexpr std::uint64_t kDefaultSeed = 0x5eed;
constexpr unsigned kMaxThreadsPerBlock = 1024;
// Gap left unused after each shared array, so that AddressSanitizer catches overruns.
constexpr std::size_t kSharedRedzone = 32;
constexpr std::size_t kMaxSharedArrays = 64;
constexpr unsigned char kSharedPoison = 0xFF;  // a NaN in every float and double

enum class Status { Runnable, AtBarrier, InWarpCollective, Done };

// An asynchronous copy issued and not yet waited for.
struct PendingCopy {
  void* dst;
  std::size_t bytes;
  std::array<unsigned char, 16> data;
};

struct Thread {
  uint3 index;
  Status status = Status::Done;
  std::exception_ptr error;
  // The warp collective it waits in.
  WarpCollective op = WarpCollective::Sync;
  unsigned mask = 0;
  std::uint64_t value = 0, result = 0;
  int source_lane = -1;
  // warp_combine: the lane's operands and the function of all lanes' operands (null otherwise).
  void* operands = nullptr;
  void (*combine)(void* const*) = nullptr;
  std::vector<PendingCopy> pending_copies;
};

struct SharedArray {
  const void* key;
  unsigned char* data;
};

// Everything the emulator keeps per OS thread: fibers and their threads, reused across launches.
struct Emulator {
  std::vector<std::unique_ptr<Fiber>> fibers;
  std::vector<Thread> threads;
  std::vector<int> runnable;
  std::mt19937_64 rng{kDefaultSeed};

  // The launch in progress.
  bool launching = false;
  void (*body)(void*) = nullptr;
  void* arg = nullptr;
  BlockCoordinates block;
  Thread* running = nullptr;

  // The running block's shared memory: dynamic shared memory first, then the static arrays in
  // the order threads first reach their declarations. `shared_bytes` counts what a GPU would
  // allocate; `arena_used` also the redzones.
  std::vector<unsigned char> arena =
      std::vector<unsigned char>(kSharedMemoryBytes + kMaxSharedArrays * (kSharedRedzone + 16));
  std::vector<SharedArray> shared_arrays;
  std::size_t shared_bytes = 0, arena_used = 0;
};

Emulator& emulator() {
  thread_local std::unique_ptr<Emulator> instance = std::make_unique<Emulator>();
  return *instance;
}

std::string str(const uint3& v) {
  std::string s = "(";  // appended piecewise: GCC 12 warns falsely on "(" + std::string
  s += std::to_string(v.x) + "," + std::to_string(v.y) + "," + std::to_string(v.z) + ")";
  return s;
}

Thread& running_thread(const char* what) {
  Thread* t = emulator().running;
  if (!t) throw std::logic_error(std::string(what) + " called outside a kernel");
  return *t;
}

int linear_index(const uint3& index, const dim3& block) {
  return static_cast<int>(index.x + block.x * (index.y + block.y * index.z));
}

// The body of every fiber: one GPU thread running the kernel. Errors are kept for the scheduler,
// since an exception cannot leave a fiber.
void run_thread(void* p) {
  Emulator& e = emulator();
  Thread& t = *static_cast<Thread*>(p);
  try {
    e.body(e.arg);
    if (!t.pending_copies.empty())
      throw std::runtime_error(std::to_string(t.pending_copies.size()) +
                               " asynchronous copies issued and never waited for");
  } catch (const std::exception& error) {
    t.error = std::make_exception_ptr(std::runtime_error("emulated kernel, block " +
                                                         str(e.block.block_idx) + " thread " +
                                                         str(t.index) + ": " + error.what()));
  } catch (...) {
    t.error = std::current_exception();
  }
  t.status = Status::Done;
}

void* allocate_shared(Emulator& e, std::size_t bytes, std::size_t alignment) {
  alignment = std::max<std::size_t>(alignment, 16);
  const std::size_t offset = (e.shared_bytes + alignment - 1) / alignment * alignment;
  if (offset + bytes > kSharedMemoryBytes)
    throw std::runtime_error("shared memory: the block needs " + std::to_string(offset + bytes) +
                             " bytes, over the " + std::to_string(kSharedMemoryBytes) +
                             " a block may use");
  if (e.shared_arrays.size() == kMaxSharedArrays)
    throw std::runtime_error("shared memory: over " + std::to_string(kMaxSharedArrays) +
                             " shared arrays in one kernel");
  const std::size_t start = (e.arena_used + alignment - 1) / alignment * alignment;
  unsigned char* data = e.arena.data() + start;
  e.shared_bytes = offset + bytes;
  e.arena_used = start + bytes + kSharedRedzone;
#ifdef BRAINCAM_EMULATOR_ASAN
  __asan_unpoison_memory_region(data, bytes);
#endif
  std::memset(data, kSharedPoison, bytes);
  return data;
}

void reset_shared(Emulator& e, std::size_t dynamic_bytes) {
  e.shared_arrays.clear();
  e.shared_bytes = e.arena_used = 0;
#ifdef BRAINCAM_EMULATOR_ASAN
  __asan_poison_memory_region(e.arena.data(), e.arena.size());
#endif
  allocate_shared(e, dynamic_bytes, 16);  // at offset 0: dynamic_shared() returns the arena
}

// Completes the collectives of the warp from thread warp_start whose lanes have all arrived,
// making those lanes runnable. With `final` (no thread of the block can run), a collective with a
// lane that has not arrived can never complete: that throws.
void resolve_warp(Emulator& e, int block_threads, int warp_start, bool final) {
  const int lanes = std::min(kWarpSize, block_threads - warp_start);
  const unsigned existing = lanes == kWarpSize ? ~0u : (1u << lanes) - 1;
  Thread* warp = &e.threads[warp_start];
  for (int lane = 0; lane < lanes; ++lane) {
    const Thread& first = warp[lane];
    if (first.status != Status::InWarpCollective) continue;
    const unsigned members = first.mask & existing;
    if (!final)
      for (int l = 0; l < lanes; ++l)
        if (members >> l & 1 && warp[l].status == Status::Runnable) return;  // still on its way
    auto where = [&] {
      return "warp collective in block " + str(e.block.block_idx) + ", warp " +
             std::to_string(warp_start / kWarpSize) + ": ";
    };
    unsigned ballot = 0;
    for (int l = 0; l < lanes; ++l) {
      if (!(members >> l & 1)) continue;
      const Thread& t = warp[l];
      if (t.status != Status::InWarpCollective)
        throw std::runtime_error(
            where() + "lane " + std::to_string(l) + " is in the mask but " +
            (t.status == Status::Done ? "has exited" : "waits at __syncthreads"));
      if (t.mask != first.mask || t.op != first.op || t.combine != first.combine)
        throw std::runtime_error(where() + "lanes " + std::to_string(lane) + " and " +
                                 std::to_string(l) + " wait in different collectives");
      if (t.value) ballot |= 1u << l;
    }
    if (first.combine) {
      void* operands[kWarpSize] = {};
      for (int l = 0; l < lanes; ++l)
        if (members >> l & 1) operands[l] = warp[l].operands;
      first.combine(operands);
    }
    for (int l = 0; l < lanes; ++l) {
      if (!(members >> l & 1)) continue;
      Thread& t = warp[l];
      switch (t.op) {
        case WarpCollective::Shuffle:
          if (t.source_lane >= 0 && !(members >> t.source_lane & 1))
            throw std::runtime_error(where() + "lane " + std::to_string(l) + " reads lane " +
                                     std::to_string(t.source_lane) + ", which is not in the mask");
          t.result = t.source_lane < 0 ? t.value : warp[t.source_lane].value;
          break;
        case WarpCollective::Ballot:
          t.result = ballot;
          break;
        case WarpCollective::Sync:
          t.result = 0;
          break;
      }
    }
    for (int l = 0; l < lanes; ++l) {
      if (!(members >> l & 1)) continue;
      warp[l].status = Status::Runnable;
      e.runnable.push_back(warp_start + l);
    }
  }
}

void run_block(Emulator& e, int block_threads) {
  e.runnable.clear();
  for (int i = 0; i < block_threads; ++i) {
    e.threads[i].status = Status::Runnable;
    e.threads[i].error = nullptr;
    e.threads[i].pending_copies.clear();
    e.fibers[i]->start(run_thread, &e.threads[i]);
    e.runnable.push_back(i);
  }
  for (;;) {
    // One runnable thread at a time, drawn at random, until it blocks; a warp whose lanes have
    // all reached their collective runs on at once, possibly ahead of threads that have not
    // reached theirs, as warps do on a GPU.
    while (!e.runnable.empty()) {
      const std::size_t pick = e.rng() % e.runnable.size();
      const int i = e.runnable[pick];
      e.runnable[pick] = e.runnable.back();
      e.runnable.pop_back();
      e.running = &e.threads[i];
      current_thread_idx = &e.threads[i].index;
      e.fibers[i]->resume();
      e.running = nullptr;
      if (e.threads[i].error) std::rethrow_exception(e.threads[i].error);
      if (e.threads[i].status == Status::InWarpCollective)
        resolve_warp(e, block_threads, i / kWarpSize * kWarpSize, false);
    }
    for (int warp_start = 0; warp_start < block_threads; warp_start += kWarpSize)
      resolve_warp(e, block_threads, warp_start, true);
    if (!e.runnable.empty()) continue;
    int waiting = 0, exited = 0;
    for (int i = 0; i < block_threads; ++i) {
      waiting += e.threads[i].status == Status::AtBarrier;
      exited += e.threads[i].status == Status::Done;
    }
    if (waiting == 0) return;
    if (exited > 0)
      throw std::runtime_error("__syncthreads in block " + str(e.block.block_idx) + ": " +
                               std::to_string(waiting) + " threads wait at a barrier that " +
                               std::to_string(exited) + " threads exited without reaching");
    for (int i = 0; i < block_threads; ++i) {
      e.threads[i].status = Status::Runnable;
      e.runnable.push_back(i);
    }
  }
}

void check_launch(dim3 grid, dim3 block, std::size_t dynamic_shared_bytes) {
  const unsigned long long threads = 1ull * block.x * block.y * block.z;
  auto fail = [](const std::string& why) { throw std::invalid_argument("kernel launch: " + why); };
  if (threads == 0 || threads > kMaxThreadsPerBlock || block.z > 64)
    fail("block of " + std::to_string(block.x) + "x" + std::to_string(block.y) + "x" +
         std::to_string(block.z) + " threads (1 to 1024, z at most 64)");
  if (grid.x == 0 || grid.y == 0 || grid.z == 0 || grid.x > 0x7fffffffu || grid.y > 65535 ||
      grid.z > 65535)
    fail("grid of " + std::to_string(grid.x) + "x" + std::to_string(grid.y) + "x" +
         std::to_string(grid.z) + " blocks");
  if (dynamic_shared_bytes > kSharedMemoryBytes)
    fail(std::to_string(dynamic_shared_bytes) + " bytes of dynamic shared memory");
  if (1ull * grid.x * grid.y * grid.z > 0xffffffffull)
    fail("more than 2^32 blocks are beyond the emulator");
}

}  // namespace

void syncthreads() {
  running_thread("__syncthreads").status = Status::AtBarrier;
  Fiber::suspend();
}

namespace {

// Deposits the running lane's part of a warp collective and waits until it is resolved.
std::uint64_t wait_in_collective(WarpCollective op, unsigned mask, std::uint64_t value,
                                 int source_lane, void* operands, void (*combine)(void* const*)) {
  Thread& t = running_thread("a warp collective");
  const int lane = lane_id();
  if (!(mask >> lane & 1))
    throw std::runtime_error("warp collective: lane " + std::to_string(lane) +
                             " is not in its own mask");
  t.op = op;
  t.mask = mask;
  t.value = value;
  t.source_lane = source_lane;
  t.operands = operands;
  t.combine = combine;
  t.status = Status::InWarpCollective;
  Fiber::suspend();
  return t.result;
}

}  // namespace

std::uint64_t warp_collective(WarpCollective op, unsigned mask, std::uint64_t value,
                              int source_lane) {
  return wait_in_collective(op, mask, value, source_lane, nullptr, nullptr);
}

void warp_combine(unsigned mask, void* operands, void (*combine)(void* const*)) {
  wait_in_collective(WarpCollective::Sync, mask, 0, -1, operands, combine);
}

void copy_async(void* dst, const void* src, std::size_t bytes, bool valid) {
  Thread& t = running_thread("copy_async");
  PendingCopy copy{dst, bytes, {}};
  if (bytes > copy.data.size())
    throw std::runtime_error("copy_async: " + std::to_string(bytes) + " bytes, at most 16");
  if (valid) std::memcpy(copy.data.data(), src, bytes);
  // As early as a GPU may land it, or as late, by the schedule's draw.
  if (emulator().rng() & 1)
    std::memcpy(dst, copy.data.data(), bytes);
  else
    t.pending_copies.push_back(copy);
}

void copy_async_wait_all() {
  Thread& t = running_thread("copy_async_wait_all");
  for (const PendingCopy& copy : t.pending_copies)
    std::memcpy(copy.dst, copy.data.data(), copy.bytes);
  t.pending_copies.clear();
}

int lane_id() {
  const Thread& t = running_thread("lane_id");
  return linear_index(t.index, emulator().block.block_dim) % kWarpSize;
}

void* static_shared(const void* key, std::size_t bytes, std::size_t alignment) {
  running_thread("shared memory");
  Emulator& e = emulator();
  for (const SharedArray& a : e.shared_arrays)
    if (a.key == key) return a.data;
  void* data = allocate_shared(e, bytes, alignment);
  e.shared_arrays.push_back({key, static_cast<unsigned char*>(data)});
  return data;
}

void* dynamic_shared() {
  running_thread("dynamic shared memory");
  return emulator().arena.data();
}

void run_grid(dim3 grid, dim3 block, std::size_t dynamic_shared_bytes, void (*thread_body)(void*),
              void* arg) {
  check_launch(grid, block, dynamic_shared_bytes);
  Emulator& e = emulator();
  if (e.launching) throw std::logic_error("the emulator cannot launch a kernel from a kernel");
  const int block_threads = static_cast<int>(block.x * block.y * block.z);
  while (static_cast<int>(e.fibers.size()) < block_threads)
    e.fibers.push_back(std::make_unique<Fiber>(kStackBytes));
  e.threads.resize(std::max<std::size_t>(e.threads.size(), block_threads));
  for (unsigned z = 0; z < block.z; ++z)
    for (unsigned y = 0; y < block.y; ++y)
      for (unsigned x = 0; x < block.x; ++x)
        e.threads[linear_index({x, y, z}, block)].index = {x, y, z};

  std::vector<std::uint32_t> order(1ull * grid.x * grid.y * grid.z);
  for (std::size_t b = 0; b < order.size(); ++b) order[b] = static_cast<std::uint32_t>(b);
  std::shuffle(order.begin(), order.end(), e.rng);

  struct LaunchScope {  // leaves the emulator idle however the launch ends
    Emulator& e;
    ~LaunchScope() {
      e.launching = false;
      e.running = nullptr;
      current_thread_idx = nullptr;
      current_block = nullptr;
    }
  } scope{e};
  e.launching = true;
  e.body = thread_body;
  e.arg = arg;
  e.block.block_dim = block;
  e.block.grid_dim = grid;
  current_block = &e.block;
  for (std::uint32_t b : order) {
    e.block.block_idx = {b % grid.x, b / grid.x % grid.y, b / grid.x / grid.y};
    reset_shared(e, dynamic_shared_bytes);
    run_block(e, block_threads);
  }
}

void set_schedule_seed(std::uint64_t seed) { emulator().rng.seed(seed); }

}  // namespace braincam::emulator
