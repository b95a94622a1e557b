// Decoding every supported format variant, and refusing bad files with a reason.
#include "data/image_codec.h"

#include <zlib.h>

#include <catch2/catch.hpp>
#include <fstream>

#include "data/data_error.h"
#include "data_test_helpers.h"

using namespace braincam::data;

namespace {

Image pattern(int w, int h, int channels) {
  Image im(w, h, channels);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      for (int c = 0; c < channels; ++c)
        im.at(x, y, c) = std::uint8_t((x * 16 + y * 3 + c * 50) & 255);
  return im;
}

void put_be32(std::vector<std::uint8_t>& v, std::uint32_t x) {
  for (int i = 3; i >= 0; --i) v.push_back(std::uint8_t(x >> (8 * i)));
}
void png_chunk(std::vector<std::uint8_t>& png, const char* type,
               const std::vector<std::uint8_t>& data) {
  put_be32(png, std::uint32_t(data.size()));
  std::vector<std::uint8_t> body(type, type + 4);
  body.insert(body.end(), data.begin(), data.end());
  png.insert(png.end(), body.begin(), body.end());
  put_be32(png, std::uint32_t(crc32(0, body.data(), uInt(body.size()))));
}

// A 16-bit gray PNG written by hand (stb_image_write only writes 8-bit).
std::vector<std::uint8_t> png16(int w, int h, const std::vector<std::uint16_t>& samples) {
  std::vector<std::uint8_t> png = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};
  std::vector<std::uint8_t> ihdr;
  put_be32(ihdr, w);
  put_be32(ihdr, h);
  ihdr.insert(ihdr.end(), {16, 0, 0, 0, 0});  // 16-bit, gray, deflate, no filter, no interlace
  png_chunk(png, "IHDR", ihdr);
  std::vector<std::uint8_t> raw;
  for (int y = 0; y < h; ++y) {
    raw.push_back(0);
    for (int x = 0; x < w; ++x) {
      raw.push_back(std::uint8_t(samples[y * w + x] >> 8));
      raw.push_back(std::uint8_t(samples[y * w + x]));
    }
  }
  uLongf size = compressBound(uLong(raw.size()));
  std::vector<std::uint8_t> z(size);
  compress(z.data(), &size, raw.data(), uLong(raw.size()));
  z.resize(size);
  png_chunk(png, "IDAT", z);
  png_chunk(png, "IEND", {});
  return png;
}

// A gray GIF with an uncompressed LZW stream: 8-bit codes... kept at 9 bits by sending a clear
// code before the code table would grow.
std::vector<std::uint8_t> gif_gray(int w, int h, const std::vector<std::uint8_t>& pixels) {
  std::vector<std::uint8_t> g = {'G',
                                 'I',
                                 'F',
                                 '8',
                                 '9',
                                 'a',
                                 std::uint8_t(w),
                                 std::uint8_t(w >> 8),
                                 std::uint8_t(h),
                                 std::uint8_t(h >> 8),
                                 0xF7,
                                 0,
                                 0};
  for (int i = 0; i < 256; ++i)
    g.insert(g.end(), {std::uint8_t(i), std::uint8_t(i), std::uint8_t(i)});
  g.insert(g.end(), {0x2C, 0, 0, 0, 0, std::uint8_t(w), std::uint8_t(w >> 8), std::uint8_t(h),
                     std::uint8_t(h >> 8), 0, 8});
  std::vector<std::uint8_t> codes;
  std::uint32_t acc = 0;
  int bits = 0;
  auto emit = [&](int code) {
    acc |= std::uint32_t(code) << bits;
    bits += 9;
    while (bits >= 8) {
      codes.push_back(std::uint8_t(acc));
      acc >>= 8;
      bits -= 8;
    }
  };
  emit(256);
  for (std::size_t i = 0; i < pixels.size(); ++i) {
    if (i % 250 == 249) emit(256);
    emit(pixels[i]);
  }
  emit(257);
  if (bits) codes.push_back(std::uint8_t(acc));
  for (std::size_t i = 0; i < codes.size(); i += 255) {
    const std::size_t n = std::min<std::size_t>(255, codes.size() - i);
    g.push_back(std::uint8_t(n));
    g.insert(g.end(), codes.begin() + i, codes.begin() + i + n);
  }
  g.insert(g.end(), {0, 0x3B});
  return g;
}

}  // namespace

TEST_CASE("PNG in gray, gray+alpha, RGB and RGBA decodes to RGB like imread", "[data][codec]") {
  for (int channels = 1; channels <= 4; ++channels) {
    const Image src = pattern(13, 7, channels);
    const DecodedImage d = decode_image(encode_png(src), "x.png");
    CHECK(d.source_channels == channels);
    REQUIRE(d.rgb.width == 13);
    REQUIRE(d.rgb.height == 7);
    REQUIRE(d.rgb.channels == 3);
    for (int y = 0; y < 7; ++y)
      for (int x = 0; x < 13; ++x)
        for (int c = 0; c < 3; ++c) {
          const int from = channels >= 3 ? c : 0;  // gray is replicated, alpha dropped
          REQUIRE(d.rgb.at(x, y, c) == src.at(x, y, from));
        }
  }
}

TEST_CASE("16-bit PNG keeps the high byte", "[data][codec]") {
  std::vector<std::uint16_t> s = {0x0000, 0x1234, 0xABCD, 0xFFFF, 0x8000, 0x00FF};
  const DecodedImage d = decode_image(png16(3, 2, s), "deep.png");
  CHECK(d.sixteen_bit);
  for (int i = 0; i < 6; ++i) CHECK(d.rgb.pixels[3 * i] == (s[i] >> 8));
}

TEST_CASE("BMP and GIF decode exactly, JPEG approximately", "[data][codec]") {
  const Image rgb = pattern(16, 9, 3);
  const DecodedImage bmp = decode_image(encode_bmp(rgb), "x.bmp");
  CHECK(bmp.rgb.pixels == rgb.pixels);

  const Image gray = pattern(300, 5, 1);  // long enough for several clear codes
  const DecodedImage gif = decode_image(gif_gray(300, 5, gray.pixels), "x.gif");
  REQUIRE(gif.rgb.width == 300);
  for (std::size_t i = 0; i < gray.pixels.size(); ++i)
    REQUIRE(gif.rgb.pixels[3 * i] == gray.pixels[i]);

  Image flat(32, 32, 3, 120);
  const DecodedImage jpg = decode_image(encode_jpeg(flat, 95), "x.jpg");
  REQUIRE(jpg.rgb.width == 32);
  for (std::uint8_t v : jpg.rgb.pixels) REQUIRE(std::abs(int(v) - 120) <= 2);
}

TEST_CASE("bad files are refused with a reason", "[data][codec]") {
  CHECK_THROWS_WITH(decode_image(std::vector<std::uint8_t>{}, "empty.jpg"),
                    Catch::Contains("empty.jpg: empty file"));
  const std::string text = "this is not an image";
  CHECK_THROWS_WITH(
      decode_image({reinterpret_cast<const std::uint8_t*>(text.data()), text.size()}, "notes.jpg"),
      Catch::Contains("notes.jpg: not a readable image"));
  std::vector<std::uint8_t> jpg = encode_jpeg(pattern(64, 64, 3), 90);
  jpg.resize(jpg.size() / 2);
  CHECK_THROWS_WITH(decode_image(jpg, "cut.jpg"), Catch::Contains("truncated JPEG"));
  // A Huffman table declaring more than 256 codes: stb_image 2.27 would write out of bounds.
  std::vector<std::uint8_t> bad_table = encode_jpeg(pattern(16, 16, 3), 90);
  for (std::size_t i = 0; i + 5 < bad_table.size(); ++i)
    if (bad_table[i] == 0xFF && bad_table[i + 1] == 0xC4) {
      bad_table[i + 5 + 14] = 200;  // counts of 15- and 16-bit codes
      bad_table[i + 5 + 15] = 200;
      break;
    }
  CHECK_THROWS_WITH(decode_image(bad_table, "dht.jpg"), Catch::Contains("bad Huffman table"));
  // The same counts past the end of a Huffman segment that declares 3 bytes: stb_image still
  // reads all 16 counts of the table (a file the fuzzer found).
  std::vector<std::uint8_t> short_segment = encode_jpeg(pattern(16, 16, 3), 90);
  for (std::size_t i = 0; i + 5 < short_segment.size(); ++i)
    if (short_segment[i] == 0xFF && short_segment[i + 1] == 0xC4) {
      short_segment[i + 2] = 0;
      short_segment[i + 3] = 5;
      short_segment[i + 5 + 14] = 200;
      short_segment[i + 5 + 15] = 200;
      break;
    }
  CHECK_THROWS_WITH(decode_image(short_segment, "dht-short.jpg"),
                    Catch::Contains("bad Huffman table"));
  // The first bad table behind a fill byte before the start-of-image marker, which stb_image
  // skips (a file the fuzzer found); and a good JPEG so prefixed still decodes.
  for (int fill : {1, 3}) {
    std::vector<std::uint8_t> fill_bytes = bad_table;
    fill_bytes.insert(fill_bytes.begin(), fill, 0xFF);
    CHECK_THROWS_WITH(decode_image(fill_bytes, "fill.jpg"), Catch::Contains("bad Huffman table"));
    std::vector<std::uint8_t> good = encode_jpeg(pattern(16, 16, 3), 90);
    good.insert(good.begin(), fill, 0xFF);
    CHECK(decode_image(good, "fill-good.jpg").rgb.width == 16);
  }
  // Fill bytes between the start marker and the next one.
  std::vector<std::uint8_t> inner_fill = bad_table;
  inner_fill.insert(inner_fill.begin() + 2, 2, 0xFF);
  CHECK_THROWS_WITH(decode_image(inner_fill, "inner-fill.jpg"),
                    Catch::Contains("bad Huffman table"));
  std::vector<std::uint8_t> png = encode_png(pattern(64, 64, 3));
  png.resize(png.size() / 2);
  CHECK_THROWS_AS(decode_image(png, "cut.png"), DataError);
}

TEST_CASE("images of more pixels than the limit are refused before decoding", "[codec][data]") {
  // A PNG header declaring 12000 x 9000 pixels (108 MP) over no image data: only the header is
  // read, so the refusal costs nothing.
  std::vector<std::uint8_t> bomb = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};
  std::vector<std::uint8_t> ihdr;
  put_be32(ihdr, 12000);
  put_be32(ihdr, 9000);
  ihdr.insert(ihdr.end(), {8, 0, 0, 0, 0});  // 8-bit gray
  png_chunk(bomb, "IHDR", ihdr);
  png_chunk(bomb, "IDAT", {});
  png_chunk(bomb, "IEND", {});
  CHECK_THROWS_WITH(decode_image(bomb, "bomb.png"),
                    Catch::Contains("bomb.png") && Catch::Contains("12000x9000") &&
                        Catch::Contains("over the limit of 100000000"));

  const std::vector<std::uint8_t> png = encode_png(pattern(64, 64, 3));
  CHECK_THROWS_WITH(decode_image(png, "small.png", {.max_pixels = 64 * 64 - 1}),
                    Catch::Contains("over the limit of 4095"));
  CHECK(decode_image(png, "small.png", {.max_pixels = 64 * 64}).rgb.width == 64);
}
