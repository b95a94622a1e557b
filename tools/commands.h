#pragma once
// Each subcommand of `braincam` lives in its own file tools/cmd_<name>.cpp and registers itself
// on the application through one of these functions (called from tools/main.cpp).
#include <CLI/CLI.hpp>

namespace braincam::tools {

void add_step_command(CLI::App& app);
void add_train_command(CLI::App& app);
void add_crossval_command(CLI::App& app);
void add_evaluate_command(CLI::App& app);
void add_predict_command(CLI::App& app);
void add_cam_command(CLI::App& app);
void add_audit_command(CLI::App& app);
void add_sanity_command(CLI::App& app);
void add_report_command(CLI::App& app);
void add_prepare_command(CLI::App& app);
void add_augment_command(CLI::App& app);
void add_sample_command(CLI::App& app);
void add_synth_command(CLI::App& app);
void add_bench_command(CLI::App& app);
void add_gradcheck_command(CLI::App& app);

}  // namespace braincam::tools
