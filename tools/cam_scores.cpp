#include "tools/cam_scores.h"

#include <cstdio>
#include <stdexcept>

namespace braincam::tools {

namespace {

nlohmann::json mean(double sum, int n) {
  return n > 0 ? nlohmann::json(sum / n) : nlohmann::json(nullptr);
}

std::vector<double> mean(const std::vector<double>& sum, int n) {
  std::vector<double> m;
  for (double v : sum) m.push_back(v / n);
  return m;
}

std::string cell(const nlohmann::json& v) {
  char buf[32];
  if (v.is_null()) return "-";
  std::snprintf(buf, sizeof buf, "%.3f", v.get<double>());
  return buf;
}

}  // namespace

void MethodScores::add(const LocalizationScore& score) {
  ++localized_;
  pointing_hits_ += score.pointing_hit;
  energy_inside_ += score.energy_inside;
  iou_top10_ += score.iou_top10;
}

void MethodScores::add(const FaithfulnessCurves& curves) {
  if (faithful_ == 0) {
    deletion_.assign(curves.deletion.size(), 0.0);
    insertion_.assign(curves.insertion.size(), 0.0);
  }
  if (curves.deletion.size() != deletion_.size() || curves.insertion.size() != insertion_.size())
    throw std::invalid_argument("faithfulness curves of different lengths cannot be averaged");
  ++faithful_;
  for (std::size_t k = 0; k < deletion_.size(); ++k) deletion_[k] += curves.deletion[k];
  for (std::size_t k = 0; k < insertion_.size(); ++k) insertion_[k] += curves.insertion[k];
  deletion_auc_ += curves.deletion_auc;
  insertion_auc_ += curves.insertion_auc;
}

nlohmann::json MethodScores::to_json() const {
  return {{"pointing", mean(pointing_hits_, localized_)},
          {"energy_inside", mean(energy_inside_, localized_)},
          {"iou_top10", mean(iou_top10_, localized_)},
          {"deletion_auc", mean(deletion_auc_, faithful_)},
          {"insertion_auc", mean(insertion_auc_, faithful_)},
          {"n", localized_},
          {"n_faithfulness", faithful_},
          {"deletion_curve", faithful_ ? mean(deletion_, faithful_) : std::vector<double>{}},
          {"insertion_curve", faithful_ ? mean(insertion_, faithful_) : std::vector<double>{}}};
}

MethodCurves MethodScores::mean_curves() const {
  if (faithful_ == 0) return {cam_method_name(method_), {}, {}, 0, 0};
  return {cam_method_name(method_), mean(deletion_, faithful_), mean(insertion_, faithful_),
          deletion_auc_ / faithful_, insertion_auc_ / faithful_};
}

nlohmann::json cam_scores_json(const std::vector<MethodScores>& scores) {
  nlohmann::json methods = nlohmann::json::object();
  for (const MethodScores& s : scores) methods[cam_method_name(s.method())] = s.to_json();
  return {{"methods", methods}};
}

std::string cam_scores_table(const std::vector<MethodScores>& scores) {
  std::string t;
  char line[160];
  std::snprintf(line, sizeof line, "%-10s %8s %8s %9s %6s %9s %9s %6s\n", "method", "pointing",
                "energy_in", "iou_top10", "n", "deletion", "insertion", "n");
  t += line;
  for (const MethodScores& s : scores) {
    const nlohmann::json j = s.to_json();
    std::snprintf(line, sizeof line, "%-10s %8s %8s %9s %6d %9s %9s %6d\n",
                  cam_method_name(s.method()), cell(j["pointing"]).c_str(),
                  cell(j["energy_inside"]).c_str(), cell(j["iou_top10"]).c_str(), s.localized(),
                  cell(j["deletion_auc"]).c_str(), cell(j["insertion_auc"]).c_str(),
                  s.faithfulness());
    t += line;
  }
  return t;
}

}  // namespace braincam::tools
