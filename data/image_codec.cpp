#include "data/image_codec.h"

#include <algorithm>
#include <cctype>

#include "base/atomic_file.h"
#include "base/file_io.h"
#include "data/data_error.h"

// The implementations are compiled static into this file only, so they cannot clash with another
// copy of stb elsewhere in a program.
#define STB_IMAGE_STATIC
#define STB_IMAGE_IMPLEMENTATION
#define STBI_NO_PSD
#define STBI_NO_TGA
#define STBI_NO_HDR
#define STBI_NO_PIC
#define STBI_NO_PNM
#include <stb_image.h>
#define STB_IMAGE_WRITE_STATIC
#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb_image_write.h>

namespace braincam::data {
namespace {

// Larger than any MRI slice; guards against decompression bombs in hostile headers.
constexpr int kMaxSide = 16384;

// Where a JPEG's markers start after its start-of-image marker, or 0 for other files. stb_image
// takes the start marker after any run of 0xFF fill bytes, as every marker (the fuzzer found a
// file that reached stb's Huffman overflow through a leading fill byte).
std::size_t jpeg_body(std::span<const std::uint8_t> b) {
  if (b.empty() || b[0] != 0xFF) return 0;
  std::size_t i = 1;
  while (i < b.size() && b[i] == 0xFF) ++i;
  return i < b.size() && b[i] == 0xD8 ? i + 1 : 0;
}
bool is_jpeg(std::span<const std::uint8_t> b) { return jpeg_body(b) != 0; }

// stb_image decodes a cut-off JPEG without complaint (the missing part comes out gray), so a
// complete file is recognised by an end-of-image marker after its last start-of-scan marker
// (entropy-coded data never contains 0xFF 0xD9; an embedded thumbnail ends before that scan).
bool has_jpeg_end_marker(std::span<const std::uint8_t> b) {
  std::size_t last_scan = 0;
  for (std::size_t i = 0; i + 1 < b.size(); ++i)
    if (b[i] == 0xFF && b[i + 1] == 0xDA) last_scan = i;
  for (std::size_t i = last_scan; i + 1 < b.size(); ++i)
    if (b[i] == 0xFF && b[i + 1] == 0xD9) return true;
  return false;
}

// stb_image 2.27 writes past its Huffman size table when a JPEG table declares more than 256
// codes (found by tests/fuzz/decode_crop_fuzzer, three times: then in a table whose counts run
// past the end of its segment, and behind a leading fill byte); such files are refused before
// stb reads them.
bool jpeg_huffman_tables_ok(std::span<const std::uint8_t> b) {
  std::size_t i = jpeg_body(b);
  while (i + 4 <= b.size()) {
    if (b[i] != 0xFF || b[i + 1] == 0xFF) {
      ++i;
      continue;
    }  // entropy-coded data, fill bytes
    const std::uint8_t marker = b[i + 1];
    if (marker == 0x00 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD9)) {
      i += 2;
      continue;
    }
    const std::size_t length = static_cast<std::size_t>(b[i + 2]) << 8 | b[i + 3];
    if (marker == 0xC4) {
      // Like stb: tables are read while the segment has bytes left, each table's 16 counts even
      // past the segment's end, and bytes past the end of the file read as 0.
      for (std::size_t p = i + 4; p < i + 2 + length;) {
        int codes = 0;
        for (std::size_t k = 1; k <= 16; ++k) codes += p + k < b.size() ? b[p + k] : 0;
        if (codes > 256) return false;
        p += 17 + static_cast<std::size_t>(codes);
      }
    }
    i += 2 + length;
  }
  return true;
}

void append_bytes(void* context, void* data, int size) {
  auto* out = static_cast<std::vector<std::uint8_t>*>(context);
  const auto* p = static_cast<const std::uint8_t*>(data);
  out->insert(out->end(), p, p + size);
}

void check_encodable(const Image& image) {
  if (image.width <= 0 || image.height <= 0 || image.channels < 1 || image.channels > 4)
    throw DataError("cannot encode an empty image or one with " + std::to_string(image.channels) +
                    " channels");
}

}  // namespace

DecodedImage decode_image(std::span<const std::uint8_t> bytes, const std::string& name,
                          const DecodeLimits& limits) {
  if (bytes.empty()) throw DataError(name, "empty file");
  if (bytes.size() > static_cast<std::size_t>(INT32_MAX)) throw DataError(name, "file too large");
  const auto* data = bytes.data();
  const int size = static_cast<int>(bytes.size());
  // The JPEG checks come first: stb_image builds Huffman tables already while reading the header.
  if (is_jpeg(bytes) && !has_jpeg_end_marker(bytes))
    throw DataError(name, "truncated JPEG (no end-of-image marker)");
  if (is_jpeg(bytes) && !jpeg_huffman_tables_ok(bytes))
    throw DataError(name, "corrupt JPEG (bad Huffman table)");
  int w = 0, h = 0, channels = 0;
  if (!stbi_info_from_memory(data, size, &w, &h, &channels))
    throw DataError(name, std::string("not a readable image (") + stbi_failure_reason() + ")");
  if (w <= 0 || h <= 0 || w > kMaxSide || h > kMaxSide)
    throw DataError(name, "unreasonable image size " + std::to_string(w) + "x" + std::to_string(h));
  if (static_cast<std::int64_t>(w) * h > limits.max_pixels)
    throw DataError(name, std::to_string(w) + "x" + std::to_string(h) + " is " +
                              std::to_string(static_cast<std::int64_t>(w) * h) +
                              " pixels, over the limit of " + std::to_string(limits.max_pixels) +
                              " (--max-pixels raises it)");
  DecodedImage out;
  out.source_channels = channels;
  out.sixteen_bit = stbi_is_16_bit_from_memory(data, size) != 0;
  stbi_uc* pixels = stbi_load_from_memory(data, size, &w, &h, &channels, 3);
  if (!pixels) throw DataError(name, std::string("cannot decode (") + stbi_failure_reason() + ")");
  out.rgb.width = w;
  out.rgb.height = h;
  out.rgb.channels = 3;
  out.rgb.pixels.assign(pixels, pixels + static_cast<std::size_t>(w) * h * 3);
  stbi_image_free(pixels);
  return out;
}

DecodedImage read_image_file(const std::filesystem::path& file, const DecodeLimits& limits) {
  const std::vector<std::uint8_t> bytes = read_file(file);
  return decode_image(bytes, file.string(), limits);
}

std::vector<std::uint8_t> encode_png(const Image& image) {
  check_encodable(image);
  std::vector<std::uint8_t> out;
  if (!stbi_write_png_to_func(append_bytes, &out, image.width, image.height, image.channels,
                              image.pixels.data(), image.width * image.channels))
    throw DataError("PNG encoding failed");
  return out;
}

std::vector<std::uint8_t> encode_jpeg(const Image& image, int quality) {
  check_encodable(image);
  std::vector<std::uint8_t> out;
  if (!stbi_write_jpg_to_func(append_bytes, &out, image.width, image.height, image.channels,
                              image.pixels.data(), std::clamp(quality, 1, 100)))
    throw DataError("JPEG encoding failed");
  return out;
}

std::vector<std::uint8_t> encode_bmp(const Image& image) {
  check_encodable(image);
  std::vector<std::uint8_t> out;
  if (!stbi_write_bmp_to_func(append_bytes, &out, image.width, image.height, image.channels,
                              image.pixels.data()))
    throw DataError("BMP encoding failed");
  return out;
}

void write_image_file(const std::filesystem::path& file, const Image& image, int jpeg_quality) {
  std::string ext = file.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  if (ext == ".png") return write_file_atomically(file, encode_png(image));
  if (ext == ".jpg" || ext == ".jpeg")
    return write_file_atomically(file, encode_jpeg(image, jpeg_quality));
  if (ext == ".bmp") return write_file_atomically(file, encode_bmp(image));
  throw DataError(file, "unknown image extension (use .png, .jpg or .bmp)");
}

}  // namespace braincam::data
