#include "model/training_step_runner.h"

#include <stdexcept>
#include <string>

namespace braincam {

TrainingStepRunner::TrainingStepRunner(BrainDetectionModel& model, Adam& optimizer,
                                       const ImageSet& set, bool graphs)
    : model_(model),
      optimizer_(optimizer),
      set_(set),
      graphs_(graphs && set.device() != Device::CPU) {}

StepResult TrainingStepRunner::step(const ImageSet::Order& order, const Tensor& labels,
                                    std::size_t first, std::size_t n, bool attention) {
  const Setting setting{n, attention};
  // The schedule switches attention on once: the graphs of the other setting are done with, and
  // their memory goes before this step's.
  std::erase_if(recorded_, [&](const auto& entry) { return entry.first.second != attention; });
  if (graphs_ && stepped_.contains(setting)) {
    auto entry = recorded_.find(setting);
    if (entry == recorded_.end()) {
      std::unique_ptr<TrainingStepGraph> graph;
      try {
        graph = std::make_unique<TrainingStepGraph>(model_, optimizer_, set_, n, attention);
      } catch (const std::runtime_error& e) {
        throw std::runtime_error(
            std::string("recording the training step as a device graph failed: ") + e.what() +
            " (train with --graph off to queue each kernel instead)");
      }
      // Inserted only once recorded: a failed recording leaves no empty entry.
      entry = recorded_.emplace(setting, std::move(graph)).first;
      ++recordings_;
    }
    ++replays_;
    return entry->second->step(order, labels, first);
  }
  const ImageSet::Batch batch = set_.batch(order, first, n);
  const std::optional<CachedPatchMoments> moments = batch.patch_moments();
  const Tensor batch_labels =
      labels.rows(static_cast<std::int64_t>(first), static_cast<std::int64_t>(n));
  StepResult result = training_step(model_, optimizer_, batch.images, batch_labels, attention,
                                    moments ? &*moments : nullptr);
  stepped_.insert(setting);
  return result;
}

std::size_t TrainingStepRunner::graph_bytes() const {
  std::size_t bytes = 0;
  for (const auto& [setting, graph] : recorded_) bytes += graph->bytes_held();
  return bytes;
}

}  // namespace braincam
