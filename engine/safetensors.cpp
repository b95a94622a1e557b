#include "engine/safetensors.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <nlohmann/json.hpp>
#include <vector>

#include "base/atomic_file.h"

namespace braincam {

namespace {

using json = nlohmann::json;

// Headers beyond this are refused before anything is allocated for them (the reference
// implementation uses the same bound).
constexpr std::uint64_t kMaxHeaderBytes = 100'000'000;

DType parse_dtype(const std::string& s, const std::string& where) {
  if (s == "F32") return DType::F32;
  if (s == "F64") return DType::F64;
  if (s == "I32") return DType::I32;
  if (s == "I64") return DType::I64;
  if (s == "U8") return DType::U8;
  throw SafetensorsError(where + ": unsupported dtype '" + s +
                         "' (braincam reads F32, F64, I32, I64, U8)");
}

struct Entry {
  std::string name;
  DType dtype;
  Shape shape;
  std::uint64_t begin, end;
};

Entry parse_entry(const std::string& name, const json& j, const std::string& where) {
  if (!j.is_object()) throw SafetensorsError(where + ": entry is not an object");
  for (const char* key : {"dtype", "shape", "data_offsets"})
    if (!j.contains(key)) throw SafetensorsError(where + ": missing \"" + key + "\"");
  if (!j["dtype"].is_string()) throw SafetensorsError(where + ": dtype is not a string");
  Entry e{name, parse_dtype(j["dtype"].get<std::string>(), where), {}, 0, 0};

  const json& shape = j["shape"];
  if (!shape.is_array()) throw SafetensorsError(where + ": shape is not an array");
  std::uint64_t count = 1;
  for (const json& d : shape) {
    if (!d.is_number_unsigned())
      throw SafetensorsError(where + ": shape holds a non-negative-integer value");
    const std::uint64_t v = d.get<std::uint64_t>();
    if (v > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()) ||
        (v != 0 && count > std::numeric_limits<std::uint64_t>::max() / 8 / v))
      throw SafetensorsError(where + ": shape is too large");
    count *= v;
    e.shape.push_back(static_cast<std::int64_t>(v));
  }

  const json& offsets = j["data_offsets"];
  if (!offsets.is_array() || offsets.size() != 2 || !offsets[0].is_number_unsigned() ||
      !offsets[1].is_number_unsigned())
    throw SafetensorsError(where + ": data_offsets must be two non-negative integers");
  e.begin = offsets[0].get<std::uint64_t>();
  e.end = offsets[1].get<std::uint64_t>();
  if (e.begin > e.end) throw SafetensorsError(where + ": data_offsets begin after they end");
  if (e.end - e.begin != count * element_size(e.dtype))
    throw SafetensorsError(where + ": " + std::to_string(e.end - e.begin) + " bytes for shape " +
                           shape_str(e.shape) + " of " + dtype_name(e.dtype) + " (expected " +
                           std::to_string(count * element_size(e.dtype)) + ")");
  return e;
}

}  // namespace

Safetensors parse_safetensors(const std::uint8_t* bytes, std::size_t size,
                              const std::string& source) {
  if (size < 8)
    throw SafetensorsError(source + ": file too short for a safetensors header (" +
                           std::to_string(size) + " bytes)");
  std::uint64_t header_len = 0;
  for (int i = 7; i >= 0; --i) header_len = header_len << 8 | bytes[i];
  if (header_len > kMaxHeaderBytes || header_len > size - 8)
    throw SafetensorsError(source + ": header length " + std::to_string(header_len) +
                           " does not fit in the file (" + std::to_string(size) + " bytes)");

  json header;
  try {
    header = json::parse(bytes + 8, bytes + 8 + header_len);
  } catch (const json::exception& e) {
    throw SafetensorsError(source + ": header is not valid JSON (" + e.what() + ")");
  }
  if (!header.is_object()) throw SafetensorsError(source + ": header is not a JSON object");

  Safetensors out;
  std::vector<Entry> entries;
  for (const auto& [name, value] : header.items()) {
    if (name == "__metadata__") {
      if (!value.is_object()) throw SafetensorsError(source + ": __metadata__ is not an object");
      for (const auto& [k, v] : value.items()) {
        if (!v.is_string())
          throw SafetensorsError(source + ": metadata '" + k + "' is not a string");
        out.metadata[k] = v.get<std::string>();
      }
      continue;
    }
    entries.push_back(parse_entry(name, value, source + ": tensor '" + name + "'"));
  }

  // The data section must be covered exactly: no overlaps, no holes, nothing past its end.
  const std::uint64_t data_size = size - 8 - header_len;
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
  });
  std::uint64_t covered = 0;
  for (const Entry& e : entries) {
    if (e.end > data_size)
      throw SafetensorsError(source + ": tensor '" + e.name + "' ends at byte " +
                             std::to_string(e.end) + " past the data section (" +
                             std::to_string(data_size) + " bytes)");
    if (e.begin < covered)
      throw SafetensorsError(source + ": tensor '" + e.name + "' overlaps another tensor");
    if (e.begin > covered)
      throw SafetensorsError(source + ": unused bytes before tensor '" + e.name + "'");
    covered = e.end;
  }
  if (covered != data_size)
    throw SafetensorsError(source + ": " + std::to_string(data_size - covered) +
                           " unused bytes after the last tensor");

  const std::uint8_t* data = bytes + 8 + header_len;
  for (const Entry& e : entries) {
    Tensor t(e.shape, e.dtype, Device::CPU);
    if (e.end > e.begin) std::memcpy(t.raw(), data + e.begin, e.end - e.begin);
    out.tensors.emplace(e.name, std::move(t));
  }
  return out;
}

Safetensors read_safetensors(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw SafetensorsError(path + ": cannot open file");
  // A folder opens as a stream on Linux, and reading it throws a message that names nothing.
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    throw SafetensorsError(path + ": not a regular file (a folder?)");
  std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                                  std::istreambuf_iterator<char>());
  if (in.bad()) throw SafetensorsError(path + ": read error");
  return parse_safetensors(bytes.data(), bytes.size(), path);
}

void write_safetensors(const std::string& path, const StateDict& tensors,
                       const std::map<std::string, std::string>& metadata) {
  json header = json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  std::uint64_t offset = 0;
  for (const auto& [name, t] : tensors) {
    header[name] = {{"dtype", dtype_name(t.dtype())},
                    {"shape", t.shape()},
                    {"data_offsets", {offset, offset + t.bytes()}}};
    offset += t.bytes();
  }
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8,
              ' ');  // keeps the data 8-byte aligned, as the reference writer does
  write_file_atomically(path, [&](std::ostream& out) {
    std::uint8_t len[8];
    for (int i = 0; i < 8; ++i) len[i] = static_cast<std::uint8_t>(text.size() >> (8 * i));
    out.write(reinterpret_cast<const char*>(len), 8);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    for (const auto& [name, t] : tensors) {
      const Tensor host = t.to(Device::CPU);
      out.write(static_cast<const char*>(host.raw()), static_cast<std::streamsize>(host.bytes()));
    }
  });
}

}  // namespace braincam
