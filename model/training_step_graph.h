#pragma once
// The training step on batches of an ImageSet, recorded once as a device graph
// (engine/device_graph.h) and replayed for every batch of the same size and attention setting:
// per step one graph launch and a few small copies and launches (the batch's positions and
// labels, Adam's descriptors, the results), instead of some forty kernel launches and the
// autograd's host work that queues them. A replay computes what training_step computes on the same
// batch, to the bit.
//
// The graph reads its batch through an index and labels of its own, which step() refills from
// the epoch's order and labels before each replay; Adam's step counts and bias corrections, host
// values, reach its kernels through a descriptor table written before each replay
// (Adam::advance); and the model's batch count, which a training forward keeps on the host, is
// counted by step().
#include "engine/adam.h"
#include "engine/device_graph.h"
#include "model/brain_detection_model.h"
#include "model/image_set.h"
#include "model/training_step.h"

namespace braincam {

class TrainingStepGraph {
 public:
  // Records the step on batches of `batch` images of `set` (on the emulator or the GPU, where the
  // model is) with attention on or off. The optimizer must have stepped every parameter that gets
  // a gradient before (Adam::record_step). The model, optimizer and set must outlive the graph.
  TrainingStepGraph(BrainDetectionModel& model, Adam& optimizer, const ImageSet& set,
                    std::size_t batch, bool attention);
  TrainingStepGraph(const TrainingStepGraph&) = delete;
  TrainingStepGraph& operator=(const TrainingStepGraph&) = delete;

  std::size_t batch() const { return static_cast<std::size_t>(index_.dim(0)); }
  // The bytes of device memory the recorded step keeps (DeviceGraph::bytes_held).
  std::size_t bytes_held() const { return graph_->bytes_held(); }

  // Queues the step on the images order[first, first + batch()) with labels[first, first +
  // batch()) (F32 on the set's device). The result's tensors are copies of this step's, which
  // later steps leave alone.
  StepResult step(const ImageSet::Order& order, const Tensor& labels, std::size_t first);

 private:
  BrainDetectionModel& model_;
  Adam& optimizer_;
  Tensor index_, labels_;  // the batch the graph reads, refilled before each replay
  StepResult result_;      // where the graph writes the step's logits and loss
  Adam::RecordedStep update_;
  std::optional<DeviceGraph> graph_;
};

}  // namespace braincam
