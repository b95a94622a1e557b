// braincam: one binary, one subcommand per job. See README.md for the tour.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "tools/commands.h"

namespace {
// Freed host memory stays in the process for the next step. With glibc's defaults, blocks from
// 128 KiB (a threshold it raises as such blocks are freed) are mapped from the system apart and
// unmapped on free, and the heap's free top is trimmed: each training step's tensors and kernel
// scratch came back as fresh pages, zeroed by the system at first touch: about 8,000 page faults
// per fast CPU training step at batch 32 (three epochs of the trainer: 1.46 million, now 152,000).
// Blocks above 32 MiB, the cap of glibc's own adjusted threshold, are still mapped apart: the
// reference path's full-resolution activations (236 MB each), which a process need not keep.
void keep_freed_host_memory() {
#if defined(__GLIBC__)
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
#endif
}
// Results printed to a full disk or a closed pipe are lost without a word unless the stream is
// checked once everything is written: 1 with a message then, 0 otherwise.
int finish_stdout() {
  errno = 0;
  if (std::fflush(stdout) == 0 && !std::ferror(stdout)) return 0;
  std::fprintf(stderr, "braincam: error: cannot write the results to standard output%s%s\n",
               errno ? ": " : "", errno ? std::strerror(errno) : "");
  return 1;
}
}  // namespace

int main(int argc, char** argv) {
  keep_freed_host_memory();
  CLI::App app{"braincam: train and explain a brain-tumor detector on MRI slices"};
  app.require_subcommand(1);
  braincam::tools::add_step_command(app);
  braincam::tools::add_train_command(app);
  braincam::tools::add_crossval_command(app);
  braincam::tools::add_evaluate_command(app);
  braincam::tools::add_predict_command(app);
  braincam::tools::add_cam_command(app);
  braincam::tools::add_audit_command(app);
  braincam::tools::add_sanity_command(app);
  braincam::tools::add_report_command(app);
  braincam::tools::add_prepare_command(app);
  braincam::tools::add_augment_command(app);
  braincam::tools::add_sample_command(app);
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
  return finish_stdout();
}
