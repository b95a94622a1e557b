#include "kernels/emulator/fiber.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

#if defined(__SANITIZE_ADDRESS__)
#define BRAINCAM_FIBER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define BRAINCAM_FIBER_ASAN 1
#endif
#endif

#ifdef BRAINCAM_FIBER_ASAN
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#endif

namespace braincam::emulator {

namespace {

thread_local Fiber* running = nullptr;

// AddressSanitizer must be told about every stack switch, or it mistakes the fiber's frames for
// overflows of the scheduler's stack. Without it these are no-ops.
void start_switch(void** fake_stack_save, const void* bottom, std::size_t bytes) {
#ifdef BRAINCAM_FIBER_ASAN
  __sanitizer_start_switch_fiber(fake_stack_save, bottom, bytes);
#endif
}
void finish_switch(void* fake_stack_save, const void** old_bottom, std::size_t* old_bytes) {
#ifdef BRAINCAM_FIBER_ASAN
  __sanitizer_finish_switch_fiber(fake_stack_save, old_bottom, old_bytes);
#endif
}

}  // namespace

Fiber::Fiber(std::size_t stack_bytes) {
  const std::size_t page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  stack_bytes_ = (stack_bytes + page - 1) / page * page;
  mapping_bytes_ = stack_bytes_ + page;
  mapping_ = mmap(nullptr, mapping_bytes_, PROT_READ | PROT_WRITE,
                  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (mapping_ == MAP_FAILED) throw std::system_error(errno, std::generic_category(), "fiber stack");
  // The guard page: the stack grows down into it.
  if (mprotect(mapping_, page, PROT_NONE) != 0 || getcontext(&context_) != 0) {
    const int error = errno;
    munmap(mapping_, mapping_bytes_);
    throw std::system_error(error, std::generic_category(), "fiber setup");
  }
  stack_ = static_cast<char*>(mapping_) + page;
}

Fiber::~Fiber() { munmap(mapping_, mapping_bytes_); }

void Fiber::start(void (*body)(void*), void* arg) {
#ifdef BRAINCAM_FIBER_ASAN
  // Frames abandoned mid-body leave their redzones poisoned; the new body reuses that stack.
  if (!finished_) __asan_unpoison_memory_region(stack_, stack_bytes_);
#endif
  body_ = body;
  arg_ = arg;
  finished_ = false;
  context_.uc_stack.ss_sp = stack_;
  context_.uc_stack.ss_size = stack_bytes_;
  context_.uc_link = nullptr;
  makecontext(&context_, &Fiber::trampoline, 0);
}

void Fiber::resume() {
  running = this;
  void* fake_stack = nullptr;
  start_switch(&fake_stack, stack_, stack_bytes_);
  swapcontext(&caller_, &context_);
  finish_switch(fake_stack, nullptr, nullptr);
  running = nullptr;
}

void Fiber::suspend() {
  Fiber* self = running;
  self->switch_out(false);
  self->switch_in();
}

void Fiber::trampoline() {
  Fiber* self = running;
  self->switch_in();
  self->body_(self->arg_);  // must not throw: there is no frame to unwind into
  self->finished_ = true;
  self->switch_out(true);  // never comes back: the next start() makes a fresh context
}

void Fiber::switch_in() { finish_switch(fake_stack_, &caller_stack_, &caller_stack_bytes_); }

void Fiber::switch_out(bool for_good) {
  start_switch(for_good ? nullptr : &fake_stack_, caller_stack_, caller_stack_bytes_);
  swapcontext(&context_, &caller_);
}

}  // namespace braincam::emulator
