// The seed's crop and the preprocessing around it (the OpenCV comparison is crop_oracle.py).
#include "data/brain_crop.h"

#include <catch2/catch.hpp>

#include "data/preprocess.h"
#include "data/resize_bicubic.h"
#include "data_test_helpers.h"

using namespace braincam::data;
using braincam::data::test::head_image;

TEST_CASE("the crop box bounds the head", "[data][crop]") {
  const Image im = head_image(200, 160, 90, 85, 60, 50);
  const BrainCrop c = find_brain_box(im);
  REQUIRE(c.found);
  // Blur, erosion and dilation move the edge by at most a pixel on a smooth ellipse.
  CHECK(std::abs(c.box.x0 - 30) <= 1);
  CHECK(std::abs(c.box.x1 - 150) <= 1);
  CHECK(std::abs(c.box.y0 - 35) <= 1);
  CHECK(std::abs(c.box.y1 - 135) <= 1);
}

TEST_CASE("the largest contour wins and specks are eroded away", "[data][crop]") {
  Image im = head_image(240, 200, 160, 100, 50, 60);
  Image small = head_image(240, 200, 40, 40, 20, 20);
  for (std::size_t i = 0; i < im.pixels.size(); ++i)
    im.pixels[i] = std::max(im.pixels[i], small.pixels[i]);
  for (int c = 0; c < 3; ++c) im.at(5, 190, c) = 255;  // a one-pixel speck
  const BrainCrop crop = find_brain_box(im);
  REQUIRE(crop.found);
  CHECK(crop.box.x0 > 100);
  CHECK(crop.box.y1 < 170);
}

TEST_CASE("an image with nothing above the threshold is kept whole", "[data][crop]") {
  const Image dark(50, 40, 3, 30);
  const BrainCrop c = find_brain_box(dark);
  CHECK_FALSE(c.found);
  CHECK(c.box == CropBox{0, 0, 50, 40});
  const Preprocessed p = preprocess_image(dark);
  CHECK(p.input.width == kInputSize);
  CHECK(p.input.pixels == std::vector<std::uint8_t>(kInputSize * kInputSize * 3, 30));
}

TEST_CASE("grayscale uses OpenCV's fixed-point weights", "[data][crop]") {
  Image px(3, 1, 3);
  const std::uint8_t rgb[3][3] = {{255, 0, 0}, {0, 255, 0}, {0, 0, 255}};
  for (int i = 0; i < 3; ++i)
    for (int c = 0; c < 3; ++c) px.at(i, 0, c) = rgb[i][c];
  CHECK(to_gray(px) ==
        std::vector<std::uint8_t>{76, 150, 29});  // cv2.cvtColor(..., BGR2GRAY) of the BGR pixels
}

TEST_CASE("bicubic resize keeps constants and corners", "[data][crop]") {
  const Image flat(37, 91, 3, 77);
  const Image r = resize_bicubic(flat, 240, 240);
  CHECK(r.pixels == std::vector<std::uint8_t>(240 * 240 * 3, 77));
  Image ramp(64, 64, 1);
  for (int y = 0; y < 64; ++y)
    for (int x = 0; x < 64; ++x) ramp.at(x, y) = std::uint8_t(x * 4);
  const Image half = resize_bicubic(ramp, 32, 32);
  CHECK(half.at(0, 0) < half.at(16, 0));
  CHECK(half.at(16, 0) < half.at(31, 0));
}

TEST_CASE("the model input is CHW floats in [0,1]", "[data][crop]") {
  Image im(2, 1, 3);
  im.pixels = {0, 51, 255, 255, 102, 0};
  const std::vector<float> chw = to_chw_float(im);
  CHECK(chw == std::vector<float>{0.f, 1.f, 0.2f, 0.4f, 1.f, 0.f});
}
