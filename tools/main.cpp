// braincam: one binary, one subcommand per job. See README.md for the tour.
#include <cstdio>
#include <exception>

#include "tools/commands.h"

int main(int argc, char** argv) {
  CLI::App app{"braincam: train and explain a brain-tumor detector on MRI slices"};
  app.require_subcommand(1);
  braincam::tools::add_step_command(app);
  braincam::tools::add_train_command(app);
  braincam::tools::add_evaluate_command(app);
  braincam::tools::add_predict_command(app);
  braincam::tools::add_cam_command(app);
  braincam::tools::add_report_command(app);
  braincam::tools::add_prepare_command(app);
  braincam::tools::add_augment_command(app);
  braincam::tools::add_synth_command(app);
  braincam::tools::add_bench_command(app);
  braincam::tools::add_gradcheck_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "braincam: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
