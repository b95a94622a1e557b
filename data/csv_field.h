#pragma once
// Fields of CSV files (RFC 4180): quoted, with inner quotes doubled, where they need it.
#include <string>

namespace braincam::data {

// `field` in double quotes, each quote inside doubled.
std::string csv_quoted(const std::string& field);
// `field` as it is when it holds no comma, quote or line break; csv_quoted otherwise.
std::string csv_field(const std::string& field);

}  // namespace braincam::data
