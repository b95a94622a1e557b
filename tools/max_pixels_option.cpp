#include "tools/max_pixels_option.h"

#include "tools/number_checks.h"

namespace braincam::tools {

void add_max_pixels_option(CLI::App& cmd, data::DecodeLimits& limits) {
  cmd.add_option("--max-pixels", limits.max_pixels,
                 "refuse images of more pixels (width x height) than this, before decoding")
      ->capture_default_str()
      ->check(kPositive);
}

}  // namespace braincam::tools
