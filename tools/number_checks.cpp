#include "tools/number_checks.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace braincam::tools {

namespace {

// An empty string when `text` is a finite number with `accept(value)`, else the reason.
template <class Accept>
std::string check_number(const std::string& text, Accept accept, const char* wanted) {
  char* end = nullptr;
  errno = 0;
  const double value = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size()) return "not a number: '" + text + "'";
  if (!std::isfinite(value) || errno == ERANGE)
    return "must be a finite number " + std::string(wanted) + ", got '" + text + "'";
  if (!accept(value)) return "must be " + std::string(wanted) + ", got '" + text + "'";
  return "";
}

}  // namespace

const CLI::Validator kPositive(
    [](std::string& text) {
      return check_number(
          text, [](double v) { return v > 0; }, "above 0");
    },
    "POSITIVE");

const CLI::Validator kNonNegative(
    [](std::string& text) {
      return check_number(
          text, [](double v) { return v >= 0; }, "at least 0");
    },
    "NONNEGATIVE");

CLI::Validator positive_at_most(double max) {
  char wanted[64];
  std::snprintf(wanted, sizeof wanted, "above 0 and at most %g", max);
  return CLI::Validator(
      [max, wanted = std::string(wanted)](std::string& text) {
        return check_number(
            text, [max](double v) { return v > 0 && v <= max; }, wanted.c_str());
      },
      "POSITIVE");
}

}  // namespace braincam::tools
