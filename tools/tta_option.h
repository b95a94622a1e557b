#pragma once
// --tta of evaluate and predict: the test-time augmentation (model/test_time_augmentation.h).
#include <CLI/CLI.hpp>
#include <string>

namespace braincam::tools {

void add_tta_option(CLI::App& cmd, std::string& value);

}  // namespace braincam::tools
