#pragma once
// RUN/metrics.csv: one row per epoch of a training run, written by the trainer and read back by
// a resumed run, the charts and the report.
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

namespace braincam {

struct EpochRecord {
  int epoch = 0;
  bool attention = false;
  double train_loss = 0, train_accuracy = 0, val_loss = 0, val_accuracy = 0;
  double seconds = 0, images_per_s = 0;
  // The epoch's learning rate; NaN in the rows of a file written before the column existed (an
  // empty cell).
  double lr = std::numeric_limits<double>::quiet_NaN();
  // On the last row of a run that early stopping ended: why it stopped (no commas); else empty.
  std::string stop;
};

inline constexpr const char* kMetricsHeader =
    "epoch,attention,train_loss,train_accuracy,val_loss,val_accuracy,seconds,images_per_s,lr,"
    "stop";
// The header of files written before the lr and stop columns, which are still read.
inline constexpr const char* kMetricsHeaderWithoutLr =
    "epoch,attention,train_loss,train_accuracy,val_loss,val_accuracy,seconds,images_per_s";

std::string format_metrics_csv(const std::vector<EpochRecord>& records);

// Reads either header. Throws std::runtime_error naming the file and line for another header or
// a malformed row.
std::vector<EpochRecord> read_metrics_csv(const std::filesystem::path& file);

}  // namespace braincam
