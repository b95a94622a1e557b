#pragma once
// The device work of a function, recorded once and replayed: a CUDA graph on Device::CUDA, the
// emulator's Recording (kernels/emulator/recording.h) on Device::Emulator. A recorded training step
// replays as one graph launch instead of some forty kernel launches, without the host work
// (autograd, allocation, launch calls) that queued them.
//
// What the recorded function may do: queue kernels and device-to-device copies (the engine's
// stream on the GPU) and allocate device tensors. The memory of every device tensor allocated while
// it records is kept by the graph, at the same address, for as long as the graph lives: replays
// read and write it there, so a tensor the function returns holds the result of the latest replay.
// A tensor that dies while recording gives its memory to a later allocation of the same size in
// the recording: its last use was queued before, and replays keep the recorded order. That holds
// because the recording is one ordered chain (the engine's one stream, or the emulator's list),
// and because no code keeps a device pointer past the last Tensor that owns its memory (a kernel
// launcher's Scratch is not tensor memory: it is a memory node of the graph, or kept by the
// emulator's recording).
// What it may not do: copy between the host and the device, or read a device value on the host
// (refused with std::logic_error: a graph cannot hold them; engine/recording_hooks.h is how Tensor
// and the GPU runtime see a recording); and a recorded kernel's arguments are
// fixed, so host values that change between replays (a step count, say) must reach the kernels
// through device memory written before each replay, outside the graph.
#include <cstddef>
#include <functional>
#include <memory>

#include "engine/dtype.h"

namespace braincam {

struct RecordedGraph;  // engine/device_graph.cpp

class DeviceGraph {
 public:
  // Runs `work` on the calling thread, recording instead of running the device work it queues.
  // `device`: Device::Emulator or Device::CUDA.
  DeviceGraph(Device device, const std::function<void()>& work);
  // Queues the recorded work once (on the GPU: on the engine's stream, in order with the rest).
  void replay() const;
  // The bytes of the tensor memory the graph keeps.
  std::size_t bytes_held() const;

 private:
  std::shared_ptr<RecordedGraph> recorded_;
};

}  // namespace braincam
