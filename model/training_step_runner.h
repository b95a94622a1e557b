#pragma once
// Runs training steps on batches of an ImageSet, as the trainer and `braincam bench --mode
// schedule` take them. On the emulator and the GPU each batch size and attention setting is
// recorded as a TrainingStepGraph on its second step and replayed from then on (the first step, op
// by op, gives Adam the moments of the parameters that setting updates); the graphs of the other
// attention setting are dropped when a step with this one comes. Without graphs, and on the CPU,
// every step runs op by op. Either way the results are training_step's, to the bit.
#include <map>
#include <memory>
#include <set>
#include <utility>

#include "engine/adam.h"
#include "model/brain_detection_model.h"
#include "model/image_set.h"
#include "model/training_step.h"
#include "model/training_step_graph.h"

namespace braincam {

class TrainingStepRunner {
 public:
  // The model, optimizer and set must outlive this object.
  TrainingStepRunner(BrainDetectionModel& model, Adam& optimizer, const ImageSet& set, bool graphs);

  // Queues the step on the images order[first, first + n) with labels[first, first + n) (F32 on
  // the set's device).
  StepResult step(const ImageSet::Order& order, const Tensor& labels, std::size_t first,
                  std::size_t n, bool attention);

  // Whether steps are replayed from graphs.
  bool graphs() const { return graphs_; }
  // How many graphs were recorded, how many steps replayed one, and how many graphs are held.
  int recordings() const { return recordings_; }
  int replays() const { return replays_; }
  std::size_t graphs_held() const { return recorded_.size(); }
  // The bytes of device memory the graphs held keep.
  std::size_t graph_bytes() const;

 private:
  using Setting = std::pair<std::size_t, bool>;  // batch size, attention
  BrainDetectionModel& model_;
  Adam& optimizer_;
  const ImageSet& set_;
  bool graphs_;
  std::set<Setting> stepped_;  // the settings that have taken a step op by op
  std::map<Setting, std::unique_ptr<TrainingStepGraph>> recorded_;
  int recordings_ = 0, replays_ = 0;
};

}  // namespace braincam
