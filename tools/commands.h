#pragma once
// Each subcommand of `braincam` lives in its own file tools/cmd_<name>.cpp and registers itself
// on the application through one of these functions (called from tools/main.cpp).
#include <CLI/CLI.hpp>

namespace braincam::tools {

void add_step_command(CLI::App& app);

}  // namespace braincam::tools
