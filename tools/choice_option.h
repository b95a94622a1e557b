#pragma once
// A command-line option whose value is one name of a table of (name, enum value) pairs, such as
// model/train_options.h's kLrScheduleNames.
#include <CLI/CLI.hpp>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "model/train_options.h"

namespace braincam::tools {

// Adds option `flag` whose value is one of `names`, parsed into `value` (which must outlive the
// parse); its default shown is `value`'s name.
template <class Enum, std::size_t N>
CLI::Option* add_choice(CLI::App& cmd, const char* flag, Enum& value,
                        const std::pair<const char*, Enum> (&names)[N], const std::string& help) {
  std::vector<std::string> choices;
  for (const auto& [name, v] : names) choices.push_back(name);
  return cmd
      .add_option_function<std::string>(
          flag,
          [&value, &names](const std::string& text) {
            for (const auto& [name, v] : names)
              if (text == name) value = v;
          },
          help)
      ->check(CLI::IsMember(choices))
      ->default_str(name_of(names, value));
}

}  // namespace braincam::tools
