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

// Numbers that `accept` takes, worded `wanted`.
template <class Accept>
CLI::Validator numbers(Accept accept, const std::string& wanted, const char* name) {
  return CLI::Validator(
      [accept, wanted](std::string& text) { return check_number(text, accept, wanted.c_str()); },
      name);
}

// `lower` and a bound `max`: "above 0 and at most 1".
std::string bounded(const char* lower, const char* bound, double max) {
  char wanted[80];
  std::snprintf(wanted, sizeof wanted, "%s and %s %g", lower, bound, max);
  return wanted;
}

// Numbers that `accept` takes and at most `max`; `lower` words what `accept` wants.
template <class Accept>
CLI::Validator at_most(double max, Accept accept, const char* lower, const char* name) {
  return numbers([max, accept](double v) { return accept(v) && v <= max; },
                 bounded(lower, "at most", max), name);
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
  return at_most(
      max, [](double v) { return v > 0; }, "above 0", "POSITIVE");
}

CLI::Validator positive_below(double max) {
  return numbers([max](double v) { return v > 0 && v < max; }, bounded("above 0", "below", max),
                 "POSITIVE");
}

CLI::Validator non_negative_at_most(double max) {
  return at_most(
      max, [](double v) { return v >= 0; }, "at least 0", "NONNEGATIVE");
}

}  // namespace braincam::tools
