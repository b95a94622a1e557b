#include "kernels/emulator/recording.h"

namespace braincam::emulator {

namespace {
thread_local Recording* active = nullptr;
}  // namespace

Recording* active_recording() { return active; }

Recording* set_active_recording(Recording* recording) {
  Recording* previous = active;
  active = recording;
  return previous;
}

}  // namespace braincam::emulator
