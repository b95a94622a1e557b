// The inputs of the shortcut audit: blank, noise and blurred images, the head and background
// masks, and the lesion fill.
#include <catch2/catch.hpp>
#include <numeric>

#include "data/brain_region.h"
#include "data/lesion_fill.h"
#include "data/preprocess.h"
#include "data/probe_images.h"
#include "data_test_helpers.h"

using namespace braincam::data;
using braincam::data::test::head_image;

namespace {

double mean(const Image& im) {
  return std::accumulate(im.pixels.begin(), im.pixels.end(), 0.0) / im.pixels.size();
}

// The mean of channel 0 over the pixels where `where(x, y)` holds.
template <class Where>
double mean_where(const Image& im, Where where) {
  double sum = 0;
  int n = 0;
  for (int y = 0; y < im.height; ++y)
    for (int x = 0; x < im.width; ++x)
      if (where(x, y)) sum += im.at(x, y), ++n;
  return sum / n;
}

bool in_disc(int x, int y, int cx, int cy, int r) {
  return (x - cx) * (x - cx) + (y - cy) * (y - cy) <= r * r;
}

}  // namespace

TEST_CASE("blank inputs are one value, noise is gray and seeded", "[data][audit]") {
  const Image black = blank_image(0), gray = blank_image(kProbeGray);
  CHECK(black.width == kInputSize);
  CHECK(black.channels == kInputChannels);
  CHECK(std::all_of(black.pixels.begin(), black.pixels.end(), [](auto v) { return v == 0; }));
  CHECK(std::all_of(gray.pixels.begin(), gray.pixels.end(), [](auto v) { return v == 128; }));
  const Image noise = noise_image(7);
  CHECK(noise.pixels == noise_image(7).pixels);
  CHECK(noise.pixels != noise_image(8).pixels);
  for (std::size_t i = 0; i < noise.pixels.size(); i += 3)
    REQUIRE((noise.pixels[i] == noise.pixels[i + 1] && noise.pixels[i] == noise.pixels[i + 2]));
  CHECK(mean(noise) == Approx(127.5).margin(1.5));
}

TEST_CASE("the Gaussian blur keeps the mean and smooths", "[data][audit]") {
  const Image head = head_image(kInputSize, kInputSize, 120, 110, 90, 80);
  const Image blurred = gaussian_blur(head, 8);
  CHECK(mean(blurred) == Approx(mean(head)).margin(0.5));
  // The head's sharp edge (5 -> 180) becomes a ramp.
  CHECK(head.at(29, 110) == 5);
  CHECK(blurred.at(29, 110) > 40);
  CHECK(blurred.at(29, 110) < 140);
  const Image flat(50, 40, 3, 77);
  CHECK(gaussian_blur(flat, 8).pixels == flat.pixels);
}

TEST_CASE("the head and background masks partition the image", "[data][audit]") {
  Image head = head_image(kInputSize, kInputSize, 120, 120, 90, 80);
  for (int y = 110; y < 130; ++y)  // a dark ventricle inside the head: part of it
    for (int x = 110; x < 130; ++x)
      for (int c = 0; c < 3; ++c) head.at(x, y, c) = 10;
  const std::vector<std::uint8_t> region = brain_region(head);
  CHECK(region[120 * kInputSize + 120] == 1);  // the ventricle
  CHECK(region[120 * kInputSize + 60] == 1);   // the head
  CHECK(region[5 * kInputSize + 5] == 0);      // a corner
  const Image brain = keep_region(head, region, RegionKept::brain);
  const Image background = keep_region(head, region, RegionKept::background);
  for (std::size_t i = 0; i < head.pixels.size(); ++i) {
    const bool in = region[i / 3] != 0;
    REQUIRE(brain.pixels[i] == (in ? head.pixels[i] : 0));
    REQUIRE(background.pixels[i] == (in ? 0 : head.pixels[i]));
    REQUIRE(brain.pixels[i] + background.pixels[i] == head.pixels[i]);
  }
}

TEST_CASE("the lesion fill removes a bright disc and leaves the rest", "[data][audit]") {
  // A ramp (the fill of a ramp is the ramp) with a bright disc on it, and a mask over the disc.
  Image im(kInputSize, kInputSize, 3);
  Image mask(kInputSize, kInputSize, 1);
  for (int y = 0; y < kInputSize; ++y)
    for (int x = 0; x < kInputSize; ++x) {
      const auto ramp = static_cast<std::uint8_t>(40 + x / 3);
      const bool disc = in_disc(x, y, 130, 100, 25);
      for (int c = 0; c < 3; ++c) im.at(x, y, c) = disc ? 250 : ramp;
      mask.at(x, y) = disc ? 255 : 0;
    }
  const Image grown = grow_mask(mask, 3);
  CHECK(grown.at(130 + 27, 100) == 255);
  CHECK(grown.at(130 + 29, 100) == 0);
  const Image filled = fill_from_surroundings(im, grown);
  const auto inside = [&](int x, int y) { return grown.at(x, y) != 0; };
  for (int y = 0; y < kInputSize; ++y)
    for (int x = 0; x < kInputSize; ++x)
      if (!inside(x, y))
        for (int c = 0; c < 3; ++c) REQUIRE(filled.at(x, y, c) == im.at(x, y, c));
  CHECK(mean_where(im, inside) > 200);
  // Its mean moves to that of its surroundings (a ring just outside the mask), pixel by pixel to
  // the ramp.
  const double around =
      mean_where(im, [&](int x, int y) { return !inside(x, y) && in_disc(x, y, 130, 100, 33); });
  CHECK(mean_where(filled, inside) == Approx(around).margin(1.0));
  for (int y = 0; y < kInputSize; ++y)
    for (int x = 0; x < kInputSize; ++x)
      if (inside(x, y)) REQUIRE(std::abs(filled.at(x, y) - (40 + x / 3)) <= 1);
}
