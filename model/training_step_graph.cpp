#include "model/training_step_graph.h"

#include <stdexcept>
#include <string>

namespace braincam {

TrainingStepGraph::TrainingStepGraph(BrainDetectionModel& model, Adam& optimizer,
                                     const ImageSet& set, std::size_t batch, bool attention)
    : model_(model),
      optimizer_(optimizer),
      index_({static_cast<std::int64_t>(batch)}, DType::I32, set.device()),
      // Valid labels from the start: the softmax cross-entropy checks them while recording.
      labels_(Tensor::zeros({static_cast<std::int64_t>(batch)}, label_dtype(model), set.device())) {
  if (set.device() != model.device())
    throw std::invalid_argument("TrainingStepGraph: the images are on " +
                                std::string(device_name(set.device())) + ", the model on " +
                                device_name(model.device()));
  auto record = [&] {
    const ImageSet::Batch b = set.batch_of(index_);
    const std::optional<CachedPatchMoments> moments = b.patch_moments();
    result_ = training_step_gradients(model, optimizer, b.images, labels_, attention,
                                      moments ? &*moments : nullptr);
    update_ = optimizer.record_step();
  };
  // Recording runs the forward's host side once: its batch count is not a step's.
  const std::int64_t batches = model.num_batches_tracked();
  try {
    graph_.emplace(set.device(), record);
  } catch (...) {
    model.set_num_batches_tracked(batches);
    throw;
  }
  model.set_num_batches_tracked(batches);
}

StepResult TrainingStepGraph::step(const ImageSet::Order& order, const Tensor& labels,
                                   std::size_t first) {
  const auto at = static_cast<std::int64_t>(first);
  index_.copy_rows_from(order.index_, at);
  labels_.copy_rows_from(labels, at);
  optimizer_.advance(update_);
  graph_->replay();
  model_.set_num_batches_tracked(model_.num_batches_tracked() + 1);
  return {result_.logits.clone(), result_.loss.clone()};
}

}  // namespace braincam
