#pragma once
// Writes a file so that readers see either the old file or the complete new one: the bytes go to
// a temporary file beside it, which is flushed and then renamed over the target. A failure leaves
// the old file untouched.
#include <functional>
#include <ostream>
#include <string>

namespace braincam {

void write_file_atomically(const std::string& path, const std::function<void(std::ostream&)>& write);

}  // namespace braincam
