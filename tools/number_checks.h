#pragma once
// Checks of numeric option values, shared by the commands. CLI11's PositiveNumber lets NaN and
// infinity through (NaN compares false with its bounds) and words its refusals as a range up to
// the largest double, printed with all its 309 digits. These refuse anything that is not a finite
// number and say what is wanted; CLI11 puts the flag in front ("--lr: must be above 0, got -1").
#include <CLI/CLI.hpp>

namespace braincam::tools {

// A finite number above 0 (counts and sizes of integer options, rates of real ones).
extern const CLI::Validator kPositive;
// A finite number at least 0.
extern const CLI::Validator kNonNegative;
// A finite number above 0 and at most `max`.
CLI::Validator positive_at_most(double max);
// A finite number above 0 and below `max`.
CLI::Validator positive_below(double max);
// A finite number at least 0 and at most `max`.
CLI::Validator non_negative_at_most(double max);

}  // namespace braincam::tools
