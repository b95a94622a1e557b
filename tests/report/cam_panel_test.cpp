// CAM panels: the strip's tiles are the input, the jet heatmap and their blend, and sheets of
// strips render to PNGs with the tiles where they belong.
#include "tools/cam_panel.h"

#include <catch2/catch.hpp>
#include <cmath>

#include "tests/report/png_check.h"

using namespace braincam;

namespace {

data::Image gradient_image(int w, int h) {
  data::Image image(w, h, 3);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      for (int c = 0; c < 3; ++c)
        image.at(x, y, c) = static_cast<std::uint8_t>((x * 7 + y * 3 + c * 50) % 256);
  return image;
}

}  // namespace

TEST_CASE("cam panel: jet runs from dark blue through green to dark red") {
  CHECK(tools::jet_color(0.0) == std::array<std::uint8_t, 3>{0, 0, 128});
  CHECK(tools::jet_color(0.5) == std::array<std::uint8_t, 3>{128, 255, 128});
  CHECK(tools::jet_color(1.0) == std::array<std::uint8_t, 3>{128, 0, 0});
  CHECK(tools::jet_color(-3.0) == tools::jet_color(0.0));  // clamped
}

TEST_CASE("cam panel: the strip is input | heatmap | heatmap blended over the input") {
  const int w = 24, h = 16;
  const data::Image input = gradient_image(w, h);
  std::vector<double> map(w * h);
  for (int i = 0; i < w * h; ++i) map[i] = static_cast<double>(i) / (w * h - 1);
  const data::Image strip = tools::compose_cam_strip(input, map.data());
  REQUIRE(strip.width == 3 * w);
  REQUIRE(strip.height == h);
  REQUIRE(strip.channels == 3);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      const auto heat = tools::jet_color(map[y * w + x]);
      for (int c = 0; c < 3; ++c) {
        REQUIRE(strip.at(x, y, c) == input.at(x, y, c));
        REQUIRE(strip.at(w + x, y, c) == heat[c]);
        const double blend =
            (1 - tools::kOverlayWeight) * input.at(x, y, c) + tools::kOverlayWeight * heat[c];
        REQUIRE(std::abs(strip.at(2 * w + x, y, c) - blend) <= 0.5);
      }
    }
}

TEST_CASE("cam panel: a sheet renders each strip's tiles in their places") {
  test::TempDir dir("sheet");
  // Uniform tiles, so that the check does not depend on gnuplot's exact pixel placement.
  const data::Image gray(240, 240, 3, 100);
  const std::vector<double> hot(240 * 240, 1.0), cold(240 * 240, 0.0);
  tools::CamSheet sheet{"two rows",
                        {{tools::compose_cam_strip(gray, hot.data()), "first: hot"},
                         {tools::compose_cam_strip(gray, cold.data()), "second: cold"}},
                        dir.path / "sheet.png"};
  tools::render_cam_sheets({sheet});
  const data::Image png = test::read_png(dir.path / "sheet.png");
  // Layout of render_cam_sheets: 10 px margins, 34 px title, 20 px tile names, then per row a
  // 22 px caption, the 240 px strip and an 8 px gap.
  REQUIRE(png.width == 740);
  REQUIRE(png.height == 34 + 20 + 2 * (22 + 240 + 8) + 10);
  auto near = [&](int x, int y, std::array<int, 3> rgb) {
    for (int c = 0; c < 3; ++c)
      if (std::abs(png.at(x, y, c) - rgb[c]) > 3) return false;
    return true;
  };
  const auto red = tools::jet_color(1.0), blue = tools::jet_color(0.0);
  for (int r = 0; r < 2; ++r) {
    const int y = 34 + 20 + r * (22 + 240 + 8) + 22 + 120;
    const auto heat = r == 0 ? red : blue;
    CHECK(near(10 + 120, y, {100, 100, 100}));
    CHECK(near(10 + 360, y, {heat[0], heat[1], heat[2]}));
    std::array<int, 3> blend;
    for (int c = 0; c < 3; ++c) blend[c] = static_cast<int>(std::lround(0.6 * 100 + 0.4 * heat[c]));
    CHECK(near(10 + 600, y, blend));
  }
}

TEST_CASE("cam panel: strips of different sizes in one sheet are refused") {
  test::TempDir dir("sheet-bad");
  const std::vector<double> map(240 * 240, 0.5);
  const data::Image a(240, 240, 3), b(120, 120, 3);
  tools::CamSheet sheet{"mixed",
                        {{tools::compose_cam_strip(a, map.data()), "a"},
                         {tools::compose_cam_strip(b, map.data()), "b"}},
                        dir.path / "sheet.png"};
  CHECK_THROWS_WITH(tools::render_cam_sheets({sheet}), Catch::Contains("one size"));
  CHECK_FALSE(std::filesystem::exists(dir.path / "sheet.png"));
}
