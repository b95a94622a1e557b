#include "model/shortcut_verdicts.h"

#include <cmath>
#include <cstdio>
#include <utility>

namespace braincam {
namespace {

std::string format(const char* f, double v) {
  char b[64];
  std::snprintf(b, sizeof b, f, v);
  return b;
}
std::string percent(double share) { return format("%.1f%%", 100 * share); }

// A verdict on `probe` by `rule`, not measured until its state is set.
Verdict unmeasured(std::string probe, std::string rule) {
  Verdict v;
  v.probe = std::move(probe);
  v.rule = std::move(rule);
  return v;
}

Verdict blank_verdict(const ShortcutAudit& a) {
  Verdict v = unmeasured("blank",
                         "any blank input (black, gray, noise) with p(tumor) above the threshold " +
                             format("%.4f", a.options.threshold));
  std::string called;
  for (const BlankProbe& b : a.blanks)
    if (b.probability > a.options.threshold)
      called +=
          (called.empty() ? "" : ", ") + b.name + " (p = " + format("%.4f", b.probability) + ")";
  v.state = called.empty() ? VerdictState::pass : VerdictState::shortcut;
  v.message = called.empty()
                  ? "No blank input is called tumor."
                  : "Blank inputs are called tumor: " + called +
                        ". The model answers tumor with no anatomy in the image, so a tumor call "
                        "on a scan is not by itself evidence of a tumor.";
  return v;
}

Verdict blurred_verdict(const ShortcutAudit& a) {
  Verdict v =
      unmeasured("blurred", "blurred healthy images called tumor: " + percent(kBlurredHealthyRule) +
                                " or more");
  const LabelScores& healthy = a.blurred.no_tumor;
  if (healthy.n == 0) {
    v.message = "No healthy images in the split: not measured.";
    return v;
  }
  const std::string share = percent(healthy.tumor_share);
  v.state =
      healthy.tumor_share >= kBlurredHealthyRule ? VerdictState::shortcut : VerdictState::pass;
  v.message = v.state == VerdictState::shortcut
                  ? share +
                        " of healthy images are called tumor once blurred: blur or coarse "
                        "brightness alone reads as tumor to the model, not a lesion's shape."
                  : share + " of healthy images are called tumor once blurred.";
  return v;
}

Verdict background_verdict(const ShortcutAudit& a) {
  Verdict v = unmeasured("background_only", "background-only ROC AUC " +
                                                format("%.2f", kBackgroundAucRule) + " or more");
  const double auc = a.background_only.roc_auc;
  if (std::isnan(auc)) {
    v.message = "The split holds one class only: not measured.";
    return v;
  }
  v.state = auc >= kBackgroundAucRule ? VerdictState::shortcut : VerdictState::pass;
  v.message = v.state == VerdictState::shortcut
                  ? "With the head blacked out the model still separates tumor from healthy "
                    "images (ROC AUC " +
                        format("%.3f", auc) +
                        "): the classes differ outside the brain (scanner, source, "
                        "preprocessing) and the model reads it. Its accuracy on this split says "
                        "little about tumors."
                  : "The background alone does not separate the classes (ROC AUC " +
                        format("%.3f", auc) + ").";
  return v;
}

Verdict brain_only_verdict(const ShortcutAudit& a) {
  Verdict v =
      unmeasured("brain_only", "full-image accuracy minus brain-only accuracy " +
                                   format("%.0f", 100 * kBrainOnlyDropRule) + " points or more");
  const double drop = a.full.accuracy - a.brain_only.accuracy;
  v.state = drop >= kBrainOnlyDropRule ? VerdictState::shortcut : VerdictState::pass;
  v.message =
      format("Blacking out the background changes accuracy by %+.1f points",
             100 * (a.brain_only.accuracy - a.full.accuracy)) +
      (v.state == VerdictState::shortcut ? ": the model leans on what lies around the head." : ".");
  return v;
}

Verdict lesion_fill_verdict(const ShortcutAudit& a) {
  const LesionFillScores& f = a.lesion_fill;
  Verdict v =
      unmeasured("lesion_fill", "tumor images still called tumor with the lesion filled in: " +
                                    percent(kLesionFillRule) + " or more");
  if (f.n == 0) {
    v.message =
        "No lesion masks for the split's tumor images: the causal test was not run (masks: "
        "masks/<class>/<stem>.png beside the dataset's class folders; the synthetic set has "
        "them).";
    return v;
  }
  v.state = f.still_tumor_share >= kLesionFillRule ? VerdictState::shortcut : VerdictState::pass;
  v.message = percent(f.still_tumor_share) +
              " of tumor images are still called tumor with the lesion filled in from its "
              "surroundings (mean p(tumor) " +
              format("%.3f", f.mean_before) + " -> " + format("%.3f", f.mean_after) + ")" +
              (v.state == VerdictState::shortcut
                   ? ": the model's tumor calls do not rest on the lesion."
                   : ": most of the model's tumor calls depend on the lesion.");
  return v;
}

}  // namespace

const char* verdict_state_name(VerdictState state) {
  switch (state) {
    case VerdictState::pass:
      return "pass";
    case VerdictState::shortcut:
      return "shortcut";
    case VerdictState::not_measured:
      break;
  }
  return "not measured";
}

std::vector<Verdict> shortcut_verdicts(const ShortcutAudit& a) {
  return {blank_verdict(a), blurred_verdict(a), background_verdict(a), brain_only_verdict(a),
          lesion_fill_verdict(a)};
}

nlohmann::json to_json(const std::vector<Verdict>& verdicts) {
  nlohmann::json j = nlohmann::json::array();
  for (const Verdict& v : verdicts)
    j.push_back({{"probe", v.probe},
                 {"rule", v.rule},
                 {"state", verdict_state_name(v.state)},
                 {"message", v.message}});
  return j;
}

}  // namespace braincam
