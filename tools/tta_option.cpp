#include "tools/tta_option.h"

namespace braincam::tools {

void add_tta_option(CLI::App& cmd, std::string& value) {
  value = "none";
  cmd.add_option("--tta", value,
                 "none|flip: test-time augmentation; flip: the mean of the probabilities of each "
                 "image and its left-right mirror")
      ->capture_default_str()
      ->check(CLI::IsMember({"none", "flip"}));
}

}  // namespace braincam::tools
