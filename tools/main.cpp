// braincam: one binary, one subcommand per job. See README.md for the tour.
#include <cstdio>
#include <exception>

#include "tools/commands.h"

int main(int argc, char** argv) {
  CLI::App app{"braincam: train and explain a brain-tumor detector on MRI slices"};
  app.require_subcommand(1);
  braincam::tools::add_step_command(app);
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
