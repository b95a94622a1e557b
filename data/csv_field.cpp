#include "data/csv_field.h"

namespace braincam::data {

std::string csv_quoted(const std::string& field) {
  std::string q = "\"";
  for (char c : field) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

std::string csv_field(const std::string& field) {
  return field.find_first_of(",\"\r\n") == std::string::npos ? field : csv_quoted(field);
}

}  // namespace braincam::data
