#include "model/metrics_csv.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace braincam {

namespace {

std::vector<std::string> cells_of(const std::string& line) {
  std::vector<std::string> cells;
  std::istringstream row(line);
  for (std::string cell; std::getline(row, cell, ',');) cells.push_back(cell);
  if (!line.empty() && line.back() == ',') cells.emplace_back();  // an empty last cell
  return cells;
}

bool parse(const std::string& text, double& value) {
  char* end = nullptr;
  value = std::strtod(text.c_str(), &end);
  return !text.empty() && *end == '\0' && !std::isspace(static_cast<unsigned char>(text[0]));
}

bool parse(const std::string& text, int& value) {
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  return !text.empty() && error == std::errc{} && end == text.data() + text.size();
}

// One row of a file with `columns` columns (8: without lr and stop); false when malformed.
bool parse_row(const std::string& line, std::size_t columns, EpochRecord& r) {
  const std::vector<std::string> c = cells_of(line);
  if (c.size() != columns || (c[1] != "on" && c[1] != "off")) return false;
  r.attention = c[1] == "on";
  const bool numbers = parse(c[0], r.epoch) && parse(c[2], r.train_loss) &&
                       parse(c[3], r.train_accuracy) && parse(c[4], r.val_loss) &&
                       parse(c[5], r.val_accuracy) && parse(c[6], r.seconds) &&
                       parse(c[7], r.images_per_s);
  if (!numbers || columns == 8) return numbers;
  r.stop = c[9];
  return c[8].empty() || parse(c[8], r.lr);  // empty: a row of an older file, rewritten
}

}  // namespace

std::string format_metrics_csv(const std::vector<EpochRecord>& records) {
  std::ostringstream out;
  out << kMetricsHeader << '\n';
  out.precision(9);
  for (const EpochRecord& r : records) {
    out << r.epoch << ',' << (r.attention ? "on" : "off") << ',' << r.train_loss << ','
        << r.train_accuracy << ',' << r.val_loss << ',' << r.val_accuracy << ',' << r.seconds << ','
        << r.images_per_s << ',';
    if (!std::isnan(r.lr)) out << r.lr;
    out << ',' << r.stop << '\n';
  }
  return out.str();
}

std::vector<EpochRecord> read_metrics_csv(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) throw std::runtime_error(file.string() + ": cannot open");
  std::string line;
  std::getline(in, line);
  if (line != kMetricsHeader && line != kMetricsHeaderWithoutLr)
    throw std::runtime_error(file.string() + ": line 1: expected the header '" + kMetricsHeader +
                             "', got '" + line + "'");
  const std::size_t columns = cells_of(line).size();
  std::vector<EpochRecord> records;
  for (int number = 2; std::getline(in, line); ++number) {
    if (line.empty()) continue;
    EpochRecord r;
    if (!parse_row(line, columns, r))
      throw std::runtime_error(file.string() + ": line " + std::to_string(number) +
                               ": malformed row '" + line + "'");
    records.push_back(r);
  }
  return records;
}

}  // namespace braincam
