#pragma once
// A fiber: a function running on its own stack that can suspend itself and be resumed later, all
// on one OS thread. The SIMT emulator runs every GPU thread of a block as one fiber.
//
// On x86-64 (64-bit pointers, no shadow stack) a switch saves the callee-saved registers on the
// stack being left and loads the other stack pointer (fiber.cpp): no system call, where glibc's
// swapcontext makes one to save and restore the signal mask and spent three quarters of the
// emulator's time. Elsewhere it is ucontext. Stacks are mmap'ed with a guard page below them, so
// a kernel that overflows its stack faults instead of corrupting memory, and are reused across
// blocks and launches: start() only resets the registers.
#include <cstddef>

// A shadow stack (CET) would refuse the return into a fresh fiber, which no call made.
#if defined(__x86_64__) && defined(__LP64__) && !(defined(__CET__) && (__CET__ & 2))
#define BRAINCAM_FIBER_STACK_SWITCH 1
#else
#include <ucontext.h>
#endif

namespace braincam::emulator {

class Fiber {
 public:
  explicit Fiber(std::size_t stack_bytes);
  ~Fiber();
  Fiber(const Fiber&) = delete;
  Fiber& operator=(const Fiber&) = delete;

  // Makes the next resume() run body(arg) from the top of the stack. A fiber whose previous body
  // never finished (its block was abandoned after an error) is simply started afresh.
  void start(void (*body)(void*), void* arg);
  // Runs the fiber until it calls suspend() or its body returns.
  void resume();
  bool finished() const { return finished_; }

  // Called on a fiber: switches back to the resume() that is running it.
  static void suspend();

 private:
  static void trampoline();
  void switch_in();
  void switch_out(bool for_good);

#ifdef BRAINCAM_FIBER_STACK_SWITCH
  void* context_ = nullptr;  // the fiber's saved stack pointer
  void* caller_ = nullptr;   // the resume()'s
#else
  ucontext_t context_{};
  ucontext_t caller_{};  // zeroed: its uc_stack stays empty, which AddressSanitizer reads
#endif
  void* mapping_ = nullptr;
  std::size_t mapping_bytes_ = 0;
  char* stack_ = nullptr;
  std::size_t stack_bytes_ = 0;
  void (*body_)(void*) = nullptr;
  void* arg_ = nullptr;
  bool finished_ = true;
  // AddressSanitizer's bookkeeping of the stack being left (see fiber.cpp).
  void* fake_stack_ = nullptr;
  const void* caller_stack_ = nullptr;
  std::size_t caller_stack_bytes_ = 0;
};

}  // namespace braincam::emulator
