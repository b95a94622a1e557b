#include "model/epoch.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "engine/readback.h"
#include "model/epoch_order.h"

namespace braincam {

namespace {

// A queued step: its loss and logits are read once the next step is queued.
struct QueuedStep {
  std::size_t batch, first, n;
  Readback results;
};

// The epoch's labels in its order, in the step's label dtype: F32 0/1 for the binary model, I64
// class indices for K >= 2.
Tensor ordered_labels(std::span<const float> labels, const std::vector<std::size_t>& order,
                      int classes) {
  const auto n = static_cast<std::int64_t>(order.size());
  if (classes >= 2) {
    Tensor t({n}, DType::I64);
    for (std::size_t i = 0; i < order.size(); ++i)
      t.data<std::int64_t>()[i] = static_cast<std::int64_t>(labels[order[i]]);
    return t;
  }
  Tensor t({n}, DType::F32);
  for (std::size_t i = 0; i < order.size(); ++i) t.data<float>()[i] = labels[order[i]];
  return t;
}

// Whether logits row `i` (of K = classes) picks the label: z > 0 for the binary model, the top
// class (first maximal) for K >= 2.
bool predicted_right(const std::vector<double>& z, std::size_t i, int classes, float label) {
  if (classes < 2) return (z[i] > 0) == (label > 0.5f);
  const auto row = z.begin() + static_cast<std::ptrdiff_t>(i * classes);
  return std::max_element(row, row + classes) - row == static_cast<std::ptrdiff_t>(label);
}

}  // namespace

NonFiniteLoss::NonFiniteLoss(double loss, int epoch, std::size_t batch)
    : std::runtime_error("training stopped: the loss is " + std::to_string(loss) + " in epoch " +
                         std::to_string(epoch) + ", batch " + std::to_string(batch)) {}

EpochRun run_epoch(TrainingStepRunner& steps, std::span<const float> labels,
                   const EpochSettings& settings, EpochTally& tally,
                   const EpochCallbacks& callbacks) {
  const std::vector<std::size_t> order =
      epoch_positions(labels, settings.balance, settings.seed, settings.epoch);
  // The epoch's order and labels go to the device once; each batch is a slice of them.
  const Tensor epoch_labels = ordered_labels(labels, order, settings.classes);
  const TrainingStepRunner::EpochOrder epoch_order =
      steps.epoch_order(order, epoch_labels, settings.epoch);
  const std::size_t batches = (order.size() + settings.batch - 1) / settings.batch;

  EpochRun run;
  // Adds a queued step's results to the tallies and reports it.
  auto settle = [&](const QueuedStep& q) {
    const std::vector<Tensor> results = q.results.read();
    const double loss = results[0].item();
    if (!std::isfinite(loss)) throw NonFiniteLoss(loss, settings.epoch, q.batch + 1);
    const std::vector<double> z = results[1].to_vector();
    for (std::size_t i = 0; i < q.n; ++i)
      tally.correct += predicted_right(z, i, settings.classes, labels[order[q.first + i]]);
    tally.loss_sum += loss * static_cast<double>(q.n);
    tally.seen += static_cast<std::int64_t>(q.n);
    tally.batches_done = q.batch + 1;
    run.images_run += q.n;
    if (callbacks.on_batch)
      callbacks.on_batch({q.batch + 1, batches, loss, q.first + q.n, order.size(), run.images_run});
  };

  std::optional<QueuedStep> queued;
  for (std::size_t b = tally.batches_done; b < batches; ++b) {
    const std::size_t first = b * settings.batch,
                      n = std::min<std::size_t>(settings.batch, order.size() - first);
    const StepResult r = steps.step(epoch_order, first, n, settings.attention);
    QueuedStep step{b, first, n, Readback({r.loss, r.logits})};
    if (queued) settle(*queued);
    queued = std::move(step);
    if (callbacks.stop_requested && callbacks.stop_requested() && b + 1 < batches) {
      settle(*queued);
      return run;
    }
  }
  if (queued) settle(*queued);
  run.finished = true;
  return run;
}

}  // namespace braincam
