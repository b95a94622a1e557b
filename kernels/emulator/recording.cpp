#include "kernels/emulator/recording.h"

namespace braincam::emulator {

namespace {
thread_local Recording* active = nullptr;
}  // namespace

Recording* active_recording() { return active; }

void set_active_recording(Recording* recording) { active = recording; }

}  // namespace braincam::emulator
