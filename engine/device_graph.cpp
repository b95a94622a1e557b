#include "engine/device_graph.h"

#include <stdexcept>

#include "engine/gpu_runtime.h"
#include "engine/recording_hooks.h"

namespace braincam {

struct RecordedGraph {
  GraphRecording recording;
  void* graph = nullptr;  // Device::CUDA: the instantiated CUDA graph

  explicit RecordedGraph(Device device) : recording(device) {}
  ~RecordedGraph() {
    if (graph) gpu::destroy_graph(graph);  // before `recording` releases the memory it uses
  }
  RecordedGraph(const RecordedGraph&) = delete;
  RecordedGraph& operator=(const RecordedGraph&) = delete;
};

DeviceGraph::DeviceGraph(Device device, const std::function<void()>& work)
    : recorded_(std::make_shared<RecordedGraph>(device)) {
  if (device == Device::CPU)
    throw std::invalid_argument("DeviceGraph: the CPU has no device graph");
  refuse_while_recording("DeviceGraph");
  if (device == Device::CUDA) gpu::begin_capture();
  try {
    RecordingScope scope(recorded_->recording);
    work();
  } catch (...) {
    if (device == Device::CUDA) gpu::abandon_capture();
    throw;
  }
  if (device == Device::CUDA) recorded_->graph = gpu::end_capture();
}

void DeviceGraph::replay() const {
  refuse_while_recording("DeviceGraph::replay");
  if (recorded_->recording.device == Device::CUDA)
    gpu::launch_graph(recorded_->graph);
  else
    recorded_->recording.emulated.replay();
}

std::size_t DeviceGraph::bytes_held() const {
  std::size_t bytes = 0;
  for (const auto& storage : recorded_->recording.kept) bytes += storage->bytes();
  return bytes;
}

}  // namespace braincam
