#pragma once
// What the code below DeviceGraph (engine/device_graph.h) does differently while the calling
// thread records a graph: Tensor takes its storage from the graph (new_storage), hands host work
// on emulator memory to the recording (run_emulated), and refuses what a graph cannot hold
// (refuse_while_recording). DeviceGraph makes its recording the thread's with a RecordingScope;
// this layer sits below both, so that Tensor does not depend on graph recording.
#include <cstddef>
#include <functional>
#include <memory>
#include <vector>

#include "engine/storage.h"
#include "kernels/emulator/recording.h"

namespace braincam {

// What a device graph collects while it records.
struct GraphRecording {
  explicit GraphRecording(Device d) : device(d) {}
  Device device;
  emulator::Recording emulated;                // Device::Emulator
  std::vector<std::shared_ptr<Storage>> kept;  // storage allocated while recording
};

// Makes `recording` the calling thread's for its lifetime (and the emulator's, on the emulator).
class RecordingScope {
 public:
  explicit RecordingScope(GraphRecording& recording);
  ~RecordingScope();
  RecordingScope(const RecordingScope&) = delete;
  RecordingScope& operator=(const RecordingScope&) = delete;
};

// Throws std::logic_error "<what>: not possible while recording a device graph" when the calling
// thread is recording one.
void refuse_while_recording(const char* what);

// For Tensor: new storage of `bytes` on `device`. While the calling thread records a graph on
// `device`, the graph keeps it, and it may be storage the graph kept before that no tensor uses
// any more.
std::shared_ptr<Storage> new_storage(std::size_t bytes, Device device);
// For Tensor: runs host work on emulator memory (the emulator's device memory is host memory),
// or, while the calling thread records a graph, records it to run at each replay instead.
void run_emulated(std::function<void()> work);

}  // namespace braincam
