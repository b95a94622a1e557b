#pragma once
// The one exception type of data/: its message names the file and the problem.
#include "base/file_error.h"

namespace braincam::data {

using DataError = FileError;

}  // namespace braincam::data
