#include "tools/cam_panel.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "tools/gnuplot.h"

namespace braincam::tools {

namespace {

constexpr int kMargin = 10;        // around the sheet, pixels
constexpr int kTitleHeight = 34;   // the sheet's title
constexpr int kHeaderHeight = 20;  // the tile names above the first strip
constexpr int kCaptionHeight = 22;
constexpr int kRowGap = 8;

std::uint8_t to_byte(double v) {
  return static_cast<std::uint8_t>(std::lround(std::clamp(v, 0.0, 1.0) * 255));
}

std::string screen(double pixels, double size) { return std::to_string(pixels / size); }

}  // namespace

std::array<std::uint8_t, 3> jet_color(double v) {
  v = std::clamp(v, 0.0, 1.0);
  return {to_byte(1.5 - std::abs(4 * v - 3)), to_byte(1.5 - std::abs(4 * v - 2)),
          to_byte(1.5 - std::abs(4 * v - 1))};
}

data::Image compose_cam_strip(const data::Image& input, const double* map) {
  if (input.channels != 3) throw std::invalid_argument("compose_cam_strip: the input must be RGB");
  const int W = input.width, H = input.height;
  data::Image strip(3 * W, H, 3);
  for (int y = 0; y < H; ++y)
    for (int x = 0; x < W; ++x) {
      const auto heat = jet_color(map[static_cast<std::size_t>(y) * W + x]);
      for (int c = 0; c < 3; ++c) {
        const std::uint8_t in = input.at(x, y, c);
        strip.at(x, y, c) = in;
        strip.at(W + x, y, c) = heat[c];
        strip.at(2 * W + x, y, c) = static_cast<std::uint8_t>(
            std::lround((1 - kOverlayWeight) * in + kOverlayWeight * heat[c]));
      }
    }
  return strip;
}

void render_cam_sheets(const std::vector<CamSheet>& sheets) {
  GnuplotJob job;
  std::string s;
  int file = 0;
  for (const CamSheet& sheet : sheets) {
    if (sheet.rows.empty())
      throw std::invalid_argument(sheet.png.string() + ": a sheet needs at least one strip");
    const int w = sheet.rows.front().strip.width, h = sheet.rows.front().strip.height;
    const int rows = static_cast<int>(sheet.rows.size());
    const double W = w + 2 * kMargin;
    const double H = kTitleHeight + kHeaderHeight + rows * (kCaptionHeight + h + kRowGap) + kMargin;
    s += job.png_output(sheet.png, static_cast<int>(W), static_cast<int>(H));
    s += "reset\nset multiplot\nunset border\nunset tics\nunset key\n";
    s += "set xrange [-0.5:" + std::to_string(w - 0.5) +
         "]\nset yrange [-0.5:" + std::to_string(h - 0.5) + "]\n";
    s += "set label " + gnuplot_quote(sheet.title) + " at screen 0.5," +
         screen(H - kTitleHeight / 2.0, H) + " center font ',13'\n";
    const char* tiles[] = {"model input", "heatmap (blue low, red high)", "heatmap over the input"};
    for (int t = 0; t < 3; ++t)
      s += "set label " + gnuplot_quote(tiles[t]) + " at screen " +
           screen(kMargin + w * (2 * t + 1) / 6.0, W) + "," +
           screen(H - kTitleHeight - kHeaderHeight / 2.0, H) + " center textcolor rgb '#555555'\n";
    for (int r = 0; r < rows; ++r) {
      const SheetRow& row = sheet.rows[r];
      if (row.strip.width != w || row.strip.height != h || row.strip.channels != 3)
        throw std::invalid_argument(sheet.png.string() +
                                    ": the strips of a sheet must be RGB and of one size");
      const double top = kTitleHeight + kHeaderHeight + r * (kCaptionHeight + h + kRowGap);
      const std::string data =
          job.data_file("strip" + std::to_string(file++) + ".rgb", row.strip.pixels);
      s += "set label " + gnuplot_quote(row.caption) + " at screen " + screen(kMargin, W) + "," +
           screen(H - top - kCaptionHeight / 2.0, H) + " left\n";
      s += "set lmargin at screen " + screen(kMargin, W) + "\nset rmargin at screen " +
           screen(kMargin + w, W) + "\n";
      s += "set tmargin at screen " + screen(H - top - kCaptionHeight, H) +
           "\nset bmargin at screen " + screen(H - top - kCaptionHeight - h, H) + "\n";
      s += "plot " + data + " binary array=(" + std::to_string(w) + "," + std::to_string(h) +
           ") format='%uchar%uchar%uchar' flipy with rgbimage\n";
      s += "unset label\n";  // each label is drawn once, with the plot after it is set
    }
    s += "unset multiplot\n";
  }
  job.run(s);
}

}  // namespace braincam::tools
