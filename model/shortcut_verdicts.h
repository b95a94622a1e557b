#pragma once
// The rules that turn the shortcut audit's numbers (model/shortcut_audit.h) into plain warnings,
// each with the rule it applied and what it means for trusting the model.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "model/shortcut_audit.h"

namespace braincam {

// Background-only ROC AUC at or above this: the background alone tells the classes apart.
inline constexpr double kBackgroundAucRule = 0.75;
// Full-image accuracy minus brain-only accuracy at or above this: the model leans on the
// background.
inline constexpr double kBrainOnlyDropRule = 0.10;
// Share of blurred healthy images called tumor at or above this: blur alone reads as tumor.
inline constexpr double kBlurredHealthyRule = 0.5;
// Share of tumor images still called tumor with the lesion filled in, at or above this.
inline constexpr double kLesionFillRule = 0.5;

enum class VerdictState { pass, shortcut, not_measured };
const char* verdict_state_name(VerdictState state);  // pass, shortcut, not measured

struct Verdict {
  std::string probe;  // blank, blurred, background_only, brain_only, lesion_fill
  std::string rule;   // the rule, in words
  VerdictState state = VerdictState::not_measured;
  std::string message;  // the finding and what it means
};

// One verdict per probe, in the audit's order.
std::vector<Verdict> shortcut_verdicts(const ShortcutAudit& audit);

// [{probe, rule, state, message}, ...]
nlohmann::json to_json(const std::vector<Verdict>& verdicts);

}  // namespace braincam
