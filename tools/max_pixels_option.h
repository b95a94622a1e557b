#pragma once
// --max-pixels, shared by the commands that decode image files (prepare, augment, predict, cam):
// the cap on width x height that guards against decompression bombs (data/image_codec.h).
#include <CLI/CLI.hpp>

#include "data/image_codec.h"

namespace braincam::tools {

void add_max_pixels_option(CLI::App& cmd, data::DecodeLimits& limits);

}  // namespace braincam::tools
