#pragma once
// How well each explanation method localizes lesions and how faithful it is, averaged over the
// scored tumor images, as DIR/cam_scores.json and as a table for the terminal.
//   pointing       share of images whose map maximum lies inside the lesion (pointing game)
//   energy_inside  mean share of the map's sum inside the lesion
//   iou_top10      mean IoU of the map's top 10% of pixels with the lesion
//   deletion_auc, insertion_auc   mean areas under the deletion and insertion curves
// A score with no image behind it is null.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "model/explanations.h"
#include "tools/charts.h"

namespace braincam::tools {

class MethodScores {
 public:
  explicit MethodScores(CamMethod method) : method_(method) {}

  void add(const LocalizationScore& score);
  void add(const FaithfulnessCurves& curves);

  CamMethod method() const { return method_; }
  int localized() const { return localized_; }    // images with a lesion mask
  int faithfulness() const { return faithful_; }  // images with deletion/insertion curves
  // {pointing, energy_inside, iou_top10, deletion_auc, insertion_auc, n, n_faithfulness,
  //  deletion_curve, insertion_curve}
  nlohmann::json to_json() const;
  // The mean curves (empty when no image was scored).
  MethodCurves mean_curves() const;

 private:
  CamMethod method_;
  int localized_ = 0, pointing_hits_ = 0;
  double energy_inside_ = 0, iou_top10_ = 0;
  int faithful_ = 0;
  std::vector<double> deletion_, insertion_;
  double deletion_auc_ = 0, insertion_auc_ = 0;
};

// {"methods": {name: MethodScores::to_json(), ...}}
nlohmann::json cam_scores_json(const std::vector<MethodScores>& scores);
std::string cam_scores_table(const std::vector<MethodScores>& scores);

}  // namespace braincam::tools
