#include "data/manifest.h"

#include <charconv>
#include <fstream>
#include <sstream>

#include "base/atomic_file.h"
#include "base/file_io.h"
#include "data/csv_field.h"
#include "data/data_error.h"

namespace braincam::data {
namespace {

// Splits one CSV record; `in` is positioned after it. False at end of input.
bool read_record(std::istream& in, std::vector<std::string>& fields) {
  fields.clear();
  if (in.peek() == std::char_traits<char>::eof()) return false;
  std::string field;
  bool quoted = false;
  char c;
  while (in.get(c)) {
    if (quoted) {
      if (c != '"')
        field += c;
      else if (in.peek() == '"') {
        in.get(c);
        field += '"';
      } else
        quoted = false;
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.push_back(std::move(field));
      field.clear();
    } else if (c == '\n') {
      break;
    } else if (c != '\r') {
      field += c;
    }
  }
  fields.push_back(std::move(field));
  return true;
}

int to_int(const std::string& s, const std::filesystem::path& file, std::size_t line,
           const char* what) {
  int v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size())
    throw DataError(
        file, "line " + std::to_string(line) + ": " + what + " '" + s + "' is not an integer");
  return v;
}

}  // namespace

std::string format_manifest(const std::vector<ManifestRow>& rows) {
  std::ostringstream out;
  out << kManifestHeader << '\n';
  for (const auto& r : rows)
    out << csv_field(r.path) << ',' << r.label << ',' << csv_field(r.class_name) << ','
        << split_name(r.split) << ',' << csv_field(r.group) << ',' << r.box.x0 << ',' << r.box.y0
        << ',' << r.box.x1 << ',' << r.box.y1 << ',' << r.width << ',' << r.height << '\n';
  return out.str();
}

void write_manifest(const std::filesystem::path& file, const std::vector<ManifestRow>& rows) {
  write_file_atomically(file, format_manifest(rows));
}

std::vector<ManifestRow> read_manifest(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw DataError(file, "cannot open the manifest");
  std::string header;
  std::getline(in, header);
  if (!header.empty() && header.back() == '\r') header.pop_back();
  if (header != kManifestHeader)
    throw DataError(file, "line 1: expected the header '" + std::string(kManifestHeader) + "'");
  std::vector<ManifestRow> rows;
  std::vector<std::string> f;
  for (std::size_t line = 2; read_record(in, f); ++line) {
    if (f.size() == 1 && f[0].empty()) continue;  // blank line
    if (f.size() != 11)
      throw DataError(file, "line " + std::to_string(line) + ": expected 11 fields, found " +
                                std::to_string(f.size()));
    ManifestRow r;
    r.path = f[0];
    r.label = to_int(f[1], file, line, "label");
    if (r.label != 0 && r.label != 1)
      throw DataError(file, "line " + std::to_string(line) + ": label must be 0 or 1");
    r.class_name = f[2];
    if (r.class_name.empty())
      throw DataError(file, "line " + std::to_string(line) + ": the class is empty");
    try {
      r.split = split_from_name(f[3]);
    } catch (const DataError& e) {
      throw DataError(file, "line " + std::to_string(line) + ": " + e.what());
    }
    r.group = f[4];
    r.box = {to_int(f[5], file, line, "x0"), to_int(f[6], file, line, "y0"),
             to_int(f[7], file, line, "x1"), to_int(f[8], file, line, "y1")};
    r.width = to_int(f[9], file, line, "width");
    r.height = to_int(f[10], file, line, "height");
    rows.push_back(std::move(r));
  }
  return rows;
}

}  // namespace braincam::data
