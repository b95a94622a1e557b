#pragma once
// Decoding and encoding image files with stb_image / stb_image_write.
// Decoding accepts JPEG, PNG (8- and 16-bit), BMP and GIF (first frame) with 1 to 4 channels and
// always returns RGB: gray is replicated and alpha dropped, as OpenCV's imread(IMREAD_COLOR)
// does; 16-bit samples keep their high byte, also as imread does.
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "data/image.h"

namespace braincam::data {

// Decompression bombs: a small file can declare a huge image (a 249 KB PNG of 16000 x 16000
// pixels decodes to 768 MB). Its size is read from the header before anything is decoded.
inline constexpr std::int64_t kDefaultMaxPixels = 100'000'000;

struct DecodeLimits {
  std::int64_t max_pixels = kDefaultMaxPixels;  // width x height
};

struct DecodedImage {
  Image rgb;                // width × height × 3
  int source_channels = 0;  // 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA
  bool sixteen_bit = false;
};

// Throws DataError("<name>: <reason>") for anything that is not a complete, decodable image
// (unknown format, truncated data, absurd dimensions, more pixels than `limits` allow).
DecodedImage decode_image(std::span<const std::uint8_t> bytes, const std::string& name,
                          const DecodeLimits& limits = {});
DecodedImage read_image_file(const std::filesystem::path& file, const DecodeLimits& limits = {});

// Encoders for 1- to 4-channel images.
std::vector<std::uint8_t> encode_png(const Image& image);
std::vector<std::uint8_t> encode_jpeg(const Image& image, int quality);
std::vector<std::uint8_t> encode_bmp(const Image& image);

// Encodes by the file's extension (.png, .jpg/.jpeg, .bmp) and writes atomically.
void write_image_file(const std::filesystem::path& file, const Image& image, int jpeg_quality = 90);

}  // namespace braincam::data
