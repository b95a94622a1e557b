#pragma once
// RUN/report.html: one self-contained page (images embedded as data URIs, CSS inline, nothing
// fetched from elsewhere) with the dataset EDA, the training curves, the evaluation metrics and
// charts, the attention ablation, the explanations and their scores, the settings used, and a
// cross-validation, a shortcut audit and saliency sanity checks when there are.
// Every section reads its own input; a missing or unreadable input turns that section into a
// note saying so, and the rest of the report is still written.
#include <filesystem>
#include <string>

namespace braincam::tools {

struct ReportInputs {
  std::filesystem::path run;      // RUN: metrics.csv, best.safetensors; charts are written here
  std::filesystem::path cache;    // CACHE: eda.json
  std::filesystem::path eval;     // the metrics JSON of `braincam evaluate --json`
  std::filesystem::path cam;      // the folder of `braincam cam` (cam_scores.json, sheets)
  std::filesystem::path compare;  // {"with_attention": metrics, "without_attention": metrics, ...}
  std::string note;               // free text for the settings section (e.g. the demo's schedule)
  // The JSON of `braincam crossval`; empty: the report has no cross-validation section. (Given a
  // default so that initializers that end with `note` still set everything.)
  std::filesystem::path crossval = {};
  // The audit.json of `braincam audit`; empty: the report has no shortcut-audit section.
  std::filesystem::path audit = {};
  // The sanity.json of `braincam sanity`; empty: the report has no sanity-check section.
  std::filesystem::path sanity = {};
};

// Writes RUN/report.html (under a temporary name, then renamed) and returns its path. Problems
// with single inputs are printed to stderr and noted in the page; only a RUN folder that cannot
// be written is an error.
std::filesystem::path write_report(const ReportInputs& inputs);

}  // namespace braincam::tools
