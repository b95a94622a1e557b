#pragma once
// The charts of a run, drawn with gnuplot (gnuplot.h):
//   training curves (the seed's figures 2 and 3) from the rows of RUN/metrics.csv;
//   the evaluation charts from a metrics JSON (model/metrics.h to_json): confusion matrix, ROC
//   curve, and the seed's error analysis (how the correctly and the wrongly classified images
//   split into "yes" and "no");
//   deletion and insertion curves of each explanation method.
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "model/metrics_csv.h"

namespace braincam::tools {

// DIR/loss.png and DIR/accuracy.png: train and validation per epoch, with the epoch where
// attention switched on marked.
void plot_training_curves(const std::vector<EpochRecord>& epochs, const std::filesystem::path& dir);

// DIR/confusion.png, DIR/roc.png and DIR/errors.png. Throws naming `source` when `metrics`
// lacks a key the charts need.
void plot_evaluation_charts(const nlohmann::json& metrics, const std::string& source,
                            const std::filesystem::path& dir);

// Mean deletion and insertion curves of one method, sampled at k/steps of the pixels.
struct MethodCurves {
  std::string method;
  std::vector<double> deletion, insertion;
  double deletion_auc = 0, insertion_auc = 0;
};
// One PNG with the deletion curves (left) and the insertion curves (right) of every method.
void plot_faithfulness_curves(const std::vector<MethodCurves>& methods,
                              const std::filesystem::path& png);

}  // namespace braincam::tools
