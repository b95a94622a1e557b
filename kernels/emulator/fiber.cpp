#include "kernels/emulator/fiber.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
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

#ifdef BRAINCAM_FIBER_STACK_SWITCH
// braincam_switch_stack(save, load): pushes the callee-saved registers of the System V ABI and
// the SSE and x87 control words, stores the stack pointer in *save, loads `load` and pops the
// same from there: the return then continues wherever that stack was left, or, on a fresh stack,
// enters the function whose address start() put there.
asm(R"(
  .pushsection .text
  .p2align 4
  .type braincam_switch_stack, @function
braincam_switch_stack:
  pushq %rbp
  pushq %rbx
  pushq %r12
  pushq %r13
  pushq %r14
  pushq %r15
  subq $16, %rsp
  stmxcsr 8(%rsp)
  fnstcw (%rsp)
  movq %rsp, (%rdi)
  movq %rsi, %rsp
  fldcw (%rsp)
  ldmxcsr 8(%rsp)
  addq $16, %rsp
  popq %r15
  popq %r14
  popq %r13
  popq %r12
  popq %rbx
  popq %rbp
  ret
  .size braincam_switch_stack, .-braincam_switch_stack
  .popsection
)");
extern "C" void braincam_switch_stack(void** save, void* load);
#endif

namespace braincam::emulator {

namespace {

thread_local Fiber* running = nullptr;

// Leaves the stack `from` saves for the one `to` holds.
#ifdef BRAINCAM_FIBER_STACK_SWITCH
void switch_context(void** from, void* const* to) { braincam_switch_stack(from, *to); }
#else
void switch_context(ucontext_t* from, const ucontext_t* to) { swapcontext(from, to); }
#endif

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
  if (mapping_ == MAP_FAILED)
    throw std::system_error(errno, std::generic_category(), "fiber stack");
    // The guard page: the stack grows down into it.
#ifdef BRAINCAM_FIBER_STACK_SWITCH
  const bool context_ready = true;
#else
  const bool context_ready = getcontext(&context_) == 0;
#endif
  if (mprotect(mapping_, page, PROT_NONE) != 0 || !context_ready) {
    const int error = errno;
    munmap(mapping_, mapping_bytes_);
    throw std::system_error(error, std::generic_category(), "fiber setup");
  }
  stack_ = static_cast<char*>(mapping_) + page;
}

Fiber::~Fiber() { munmap(mapping_, mapping_bytes_); }

void Fiber::start(void (*body)(void*), void* arg) {
#ifdef BRAINCAM_FIBER_ASAN
  // Frames abandoned mid-body leave their redzones poisoned; the new body reuses that stack. The
  // top page, where the first frame goes, is cleared every time.
  if (!finished_)
    __asan_unpoison_memory_region(stack_, stack_bytes_);
  else
    __asan_unpoison_memory_region(stack_ + stack_bytes_ - 4096, 4096);
#endif
  body_ = body;
  arg_ = arg;
  finished_ = false;
  fake_stack_ = nullptr;  // the last body's, if any, is gone: the first switch in has none
#ifdef BRAINCAM_FIBER_STACK_SWITCH
  // The frame braincam_switch_stack pops, from the top of the stack down (the stack pointer is
  // then top - 80): the x87 control word and MXCSR (their defaults: exceptions masked, round to
  // nearest, x87 at 64-bit precision), six zero registers (rbp = 0 ends stack walks), and the
  // trampoline's address at top - 16, which the final `ret` pops. The trampoline so starts with
  // the stack pointer at top - 8, as if called (16-byte aligned before the call), above a null
  // return address: it never returns.
  auto* top = reinterpret_cast<std::uintptr_t*>(stack_ + stack_bytes_);
  top[-1] = 0;
  top[-2] = reinterpret_cast<std::uintptr_t>(&Fiber::trampoline);
  for (int r = 3; r <= 8; ++r) top[-r] = 0;
  top[-9] = 0x1F80;   // MXCSR
  top[-10] = 0x037F;  // x87 control word
  context_ = top - 10;
#else
  context_.uc_stack.ss_sp = stack_;
  context_.uc_stack.ss_size = stack_bytes_;
  context_.uc_link = nullptr;
  makecontext(&context_, &Fiber::trampoline, 0);
#endif
}

void Fiber::resume() {
  running = this;
  void* fake_stack = nullptr;
  start_switch(&fake_stack, stack_, stack_bytes_);
  switch_context(&caller_, &context_);
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
  switch_context(&context_, &caller_);
}

}  // namespace braincam::emulator
