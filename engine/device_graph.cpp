#include "engine/device_graph.h"

#include <stdexcept>
#include <string>
#include <vector>

#include "engine/gpu_runtime.h"
#include "kernels/emulator/recording.h"

namespace braincam {

struct RecordedGraph {
  Device device;
  emulator::Recording emulated;                // Device::Emulator
  void* graph = nullptr;                       // Device::CUDA: the instantiated CUDA graph
  std::vector<std::shared_ptr<Storage>> kept;  // storage allocated while recording

  explicit RecordedGraph(Device d) : device(d) {}
  ~RecordedGraph() {
    if (graph) gpu::destroy_graph(graph);  // before `kept` releases the memory it uses
  }
  RecordedGraph(const RecordedGraph&) = delete;
  RecordedGraph& operator=(const RecordedGraph&) = delete;
};

namespace {
// The graph the calling thread records, or null.
thread_local RecordedGraph* recording = nullptr;

// Makes `r` the calling thread's recording for its lifetime (and the emulator's, on the emulator).
class RecordingScope {
 public:
  explicit RecordingScope(RecordedGraph& r) {
    recording = &r;
    if (r.device == Device::Emulator) emulator::set_active_recording(&r.emulated);
  }
  ~RecordingScope() {
    if (recording->device == Device::Emulator) emulator::set_active_recording(nullptr);
    recording = nullptr;
  }
  RecordingScope(const RecordingScope&) = delete;
  RecordingScope& operator=(const RecordingScope&) = delete;
};
}  // namespace

DeviceGraph::DeviceGraph(Device device, const std::function<void()>& work)
    : recorded_(std::make_shared<RecordedGraph>(device)) {
  if (device == Device::CPU)
    throw std::invalid_argument("DeviceGraph: the CPU has no device graph");
  refuse_while_recording("DeviceGraph");
  if (device == Device::CUDA) gpu::begin_capture();
  try {
    RecordingScope scope(*recorded_);
    work();
  } catch (...) {
    if (device == Device::CUDA) gpu::abandon_capture();
    throw;
  }
  if (device == Device::CUDA) recorded_->graph = gpu::end_capture();
}

void DeviceGraph::replay() const {
  refuse_while_recording("DeviceGraph::replay");
  if (recorded_->device == Device::CUDA)
    gpu::launch_graph(recorded_->graph);
  else
    recorded_->emulated.replay();
}

std::size_t DeviceGraph::bytes_held() const {
  std::size_t bytes = 0;
  for (const auto& storage : recorded_->kept) bytes += storage->bytes();
  return bytes;
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
