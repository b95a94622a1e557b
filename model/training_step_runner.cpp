#include "model/training_step_runner.h"

#include <stdexcept>
#include <string>

#include "data/preprocess.h"

namespace braincam {

TrainingStepRunner::TrainingStepRunner(BrainDetectionModel& model, Adam& optimizer,
                                       const ImageSet& set, bool graphs)
    : model_(model),
      optimizer_(optimizer),
      images_(&set),
      graphs_(graphs && set.device() != Device::CPU) {}

TrainingStepRunner::TrainingStepRunner(BrainDetectionModel& model, Adam& optimizer,
                                       AugmentedImages images)
    : model_(model), optimizer_(optimizer), images_(std::move(images)), graphs_(false) {}

std::size_t TrainingStepRunner::size() const {
  if (const auto* augmented = std::get_if<AugmentedImages>(&images_))
    return augmented->indices.size();
  return std::get<const ImageSet*>(images_)->size();
}

TrainingStepRunner::EpochOrder TrainingStepRunner::epoch_order(
    std::span<const std::size_t> positions, const Tensor& labels, int epoch) const {
  EpochOrder order{.positions = {positions.begin(), positions.end()},
                   .labels = labels.to(model_.device()),
                   .set_order = std::nullopt,
                   .epoch = epoch};
  if (const auto* set = std::get_if<const ImageSet*>(&images_)) {
    order.set_order = (*set)->order(positions);  // checks the positions
  } else {
    for (std::size_t p : positions)
      if (p >= size())
        throw std::out_of_range("TrainingStepRunner: position " + std::to_string(p) + " of " +
                                std::to_string(size()) + " images");
  }
  return order;
}

StepResult TrainingStepRunner::step(const EpochOrder& epoch, std::size_t first, std::size_t n,
                                    bool attention) {
  if (const auto* augmented = std::get_if<AugmentedImages>(&images_))
    return augmented_step(*augmented, epoch, first, n, attention);
  return held_step(*std::get<const ImageSet*>(images_), epoch, first, n, attention);
}

StepResult TrainingStepRunner::held_step(const ImageSet& set, const EpochOrder& epoch,
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
        graph = std::make_unique<TrainingStepGraph>(model_, optimizer_, set, n, attention);
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
    return entry->second->step(*epoch.set_order, epoch.labels, first);
  }
  const ImageSet::Batch batch = set.batch(*epoch.set_order, first, n);
  const std::optional<CachedPatchMoments> moments = batch.patch_moments();
  const Tensor batch_labels =
      epoch.labels.rows(static_cast<std::int64_t>(first), static_cast<std::int64_t>(n));
  StepResult result = training_step(model_, optimizer_, batch.images, batch_labels, attention,
                                    moments ? &*moments : nullptr);
  stepped_.insert(setting);
  return result;
}

StepResult TrainingStepRunner::augmented_step(const AugmentedImages& images,
                                              const EpochOrder& epoch, std::size_t first,
                                              std::size_t n, bool attention) {
  std::vector<std::size_t> ids(n);
  for (std::size_t i = 0; i < n; ++i) ids[i] = images.indices[epoch.positions[first + i]];
  const data::BatchAugment augment{.seed = images.seed,
                                   .step = static_cast<std::uint64_t>(epoch.epoch),
                                   .transforms = images.transforms};
  constexpr int side = data::kInputSize;
  Tensor batch({static_cast<std::int64_t>(n), data::kInputChannels, side, side}, DType::F32);
  images.cache.fill_batch(ids, batch.data<float>(), &augment);
  const Tensor batch_labels =
      epoch.labels.rows(static_cast<std::int64_t>(first), static_cast<std::int64_t>(n));
  return training_step(model_, optimizer_, batch.to(model_.device()), batch_labels, attention);
}

std::size_t TrainingStepRunner::graph_bytes() const {
  std::size_t bytes = 0;
  for (const auto& [setting, graph] : recorded_) bytes += graph->bytes_held();
  return bytes;
}

}  // namespace braincam
