#pragma once
// The emulator's counterpart of a CUDA graph (engine/device_graph.h): while a Recording is active
// on an OS thread, the launches made there are stored instead of run, and replay() runs them again,
// in order, with the arguments they were given. Memory a recorded launch uses beyond its tensors
// (a launcher's Scratch) is kept by the recording for as long as it lives.
#include <functional>
#include <memory>
#include <vector>

namespace braincam::emulator {

class Recording {
 public:
  void add(std::function<void()> work) { work_.push_back(std::move(work)); }
  void keep(std::shared_ptr<void> memory) { memory_.push_back(std::move(memory)); }
  void replay() const {
    for (const auto& work : work_) work();
  }

 private:
  std::vector<std::function<void()>> work_;
  std::vector<std::shared_ptr<void>> memory_;
};

// The recording active on the calling OS thread, or null.
Recording* active_recording();
// Makes `recording` (or null: none) the calling thread's active recording.
void set_active_recording(Recording* recording);

}  // namespace braincam::emulator
