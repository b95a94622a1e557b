#pragma once
// The --device option shared by the commands: cpu, cuda, emulator, or auto (the GPU when one is
// usable, else the CPU).
#include <string>

#include "engine/dtype.h"

namespace braincam::tools {

inline constexpr const char* kDeviceHelp =
    "auto|cpu|cuda|emulator (auto: the GPU when there is one)";

// Throws with the reason when cuda is asked for and no GPU is usable.
Device resolve_device(const std::string& name);

}  // namespace braincam::tools
