#pragma once
// Runs training steps on batches of a set of training images, as the trainer and `braincam bench
// --mode schedule` take them. The images come from one of two sources:
//   an ImageSet held on the model's device: batches are gathered there. On the emulator and the
//   GPU each batch size and attention setting is recorded as a TrainingStepGraph on its second
//   step and replayed from then on (the first step, op by op, gives Adam the moments of the
//   parameters that setting updates); the graphs of the other attention setting are dropped when
//   a step with this one comes. Without graphs, and on the CPU, every step runs op by op.
//   AugmentedImages of a dataset cache: each batch is made on the host at every step, every image
//   transformed afresh, and sent to the model's device; every step runs op by op.
// Either way the results are training_step's, to the bit.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <utility>
#include <variant>
#include <vector>

#include "data/dataset_cache.h"
#include "engine/adam.h"
#include "model/brain_detection_model.h"
#include "model/image_set.h"
#include "model/training_step.h"
#include "model/training_step_graph.h"

namespace braincam {

// Training images augmented on the fly: image `indices[p]` of `cache`, in epoch e, gets the
// random transform of (seed, e, indices[p]) (data::BatchAugment), so each epoch sees new ones.
struct AugmentedImages {
  const data::DatasetCache& cache;
  std::vector<std::size_t> indices;  // the cache's images; positions count in here
  std::uint64_t seed = 0;
  data::OnlineAugment transforms;
};

class TrainingStepRunner {
 public:
  // The model, optimizer and set (or cache) must outlive this object.
  TrainingStepRunner(BrainDetectionModel& model, Adam& optimizer, const ImageSet& set, bool graphs);
  TrainingStepRunner(BrainDetectionModel& model, Adam& optimizer, AugmentedImages images);

  // How many images the batches are drawn from.
  std::size_t size() const;

  // An epoch's order of the images and their labels, sent to the model's device once: each batch
  // is a slice of them.
  struct EpochOrder {
    std::vector<std::size_t> positions;        // on the host: augmented batches are made from it
    Tensor labels;                             // label_dtype(model), on the model's device
    std::optional<ImageSet::Order> set_order;  // on the set's device, for images held there
    int epoch = 0;                             // picks the augmentation
  };
  // positions: each below size(); labels: one per position on the host, in label_dtype(model)
  // (model/training_step.h): F32 for the binary model, I64 class indices for K >= 2.
  EpochOrder epoch_order(std::span<const std::size_t> positions, const Tensor& labels,
                         int epoch) const;

  // Queues the step on the images epoch.positions[first, first + n) with their labels.
  StepResult step(const EpochOrder& epoch, std::size_t first, std::size_t n, bool attention);

  // Whether steps are replayed from graphs.
  bool graphs() const { return graphs_; }
  // How many graphs were recorded, how many steps replayed one, and how many graphs are held.
  int recordings() const { return recordings_; }
  int replays() const { return replays_; }
  std::size_t graphs_held() const { return recorded_.size(); }
  // The bytes of device memory the graphs held keep.
  std::size_t graph_bytes() const;

 private:
  StepResult held_step(const ImageSet& set, const EpochOrder& epoch, std::size_t first,
                       std::size_t n, bool attention);
  StepResult augmented_step(const AugmentedImages& images, const EpochOrder& epoch,
                            std::size_t first, std::size_t n, bool attention);

  using Setting = std::pair<std::size_t, bool>;  // batch size, attention
  BrainDetectionModel& model_;
  Adam& optimizer_;
  std::variant<const ImageSet*, AugmentedImages> images_;
  bool graphs_;
  std::set<Setting> stepped_;  // the settings that have taken a step op by op
  std::map<Setting, std::unique_ptr<TrainingStepGraph>> recorded_;
  int recordings_ = 0, replays_ = 0;
};

}  // namespace braincam
