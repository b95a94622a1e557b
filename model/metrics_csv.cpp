#include "model/metrics_csv.h"

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace braincam {

std::string format_metrics_csv(const std::vector<EpochRecord>& records) {
  std::ostringstream out;
  out << kMetricsHeader << '\n';
  out.precision(9);
  for (const EpochRecord& r : records)
    out << r.epoch << ',' << (r.attention ? "on" : "off") << ',' << r.train_loss << ','
        << r.train_accuracy << ',' << r.val_loss << ',' << r.val_accuracy << ',' << r.seconds << ','
        << r.images_per_s << '\n';
  return out.str();
}

std::vector<EpochRecord> read_metrics_csv(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) throw std::runtime_error(file.string() + ": cannot open");
  std::string line;
  std::getline(in, line);
  if (line != kMetricsHeader)
    throw std::runtime_error(file.string() + ": line 1: expected the header '" + kMetricsHeader +
                             "', got '" + line + "'");
  std::vector<EpochRecord> records;
  for (int number = 2; std::getline(in, line); ++number) {
    if (line.empty()) continue;
    std::istringstream row(line);
    EpochRecord r;
    std::string attention;
    char c1, c2, c3, c4, c5, c6, c7;
    if (!(row >> r.epoch >> c1) || !std::getline(row, attention, ',') ||
        !(row >> r.train_loss >> c2 >> r.train_accuracy >> c3 >> r.val_loss >> c4 >>
          r.val_accuracy >> c5 >> r.seconds >> c6 >> r.images_per_s) ||
        (c1 != ',' || c2 != ',' || c3 != ',' || c4 != ',' || c5 != ',' || c6 != ',') ||
        (attention != "on" && attention != "off") || (row >> c7))
      throw std::runtime_error(file.string() + ": line " + std::to_string(number) +
                               ": malformed row '" + line + "'");
    r.attention = attention == "on";
    records.push_back(r);
  }
  return records;
}

}  // namespace braincam
