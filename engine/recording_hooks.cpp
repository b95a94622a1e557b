#include "engine/recording_hooks.h"

#include <stdexcept>
#include <string>

namespace braincam {

namespace {
// The graph the calling thread records, or null.
thread_local GraphRecording* recording = nullptr;
}  // namespace

RecordingScope::RecordingScope(GraphRecording& r) {
  recording = &r;
  if (r.device == Device::Emulator) emulator::set_active_recording(&r.emulated);
}

RecordingScope::~RecordingScope() {
  if (recording->device == Device::Emulator) emulator::set_active_recording(nullptr);
  recording = nullptr;
}

void refuse_while_recording(const char* what) {
  if (recording)
    throw std::logic_error(std::string(what) + ": not possible while recording a device graph");
}

std::shared_ptr<Storage> new_storage(std::size_t bytes, Device device) {
  if (!recording || device != recording->device) return std::make_shared<Storage>(bytes, device);
  // Held only by the graph: the tensors that used it are gone, their work queued before ours.
  for (const auto& storage : recording->kept)
    if (storage.use_count() == 1 && storage->bytes() == bytes) return storage;
  return recording->kept.emplace_back(std::make_shared<Storage>(bytes, device));
}

void run_emulated(std::function<void()> work) {
  if (recording && recording->device == Device::Emulator)
    recording->emulated.add(std::move(work));
  else
    work();
}

}  // namespace braincam
