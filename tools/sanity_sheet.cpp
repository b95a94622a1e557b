#include "tools/sanity_sheet.h"

#include <algorithm>
#include <stdexcept>

#include "tools/cam_panel.h"

namespace braincam::tools {

namespace {
constexpr int kGap = 4;  // pixels of white between tiles
}  // namespace

data::Image sanity_sheet(const std::vector<data::Image>& inputs,
                         const std::vector<Tensor>& columns) {
  if (inputs.empty() || columns.empty())
    throw std::invalid_argument("sanity_sheet: no images or no models");
  const int W = inputs.front().width, H = inputs.front().height;
  const int rows = static_cast<int>(inputs.size()), cols = static_cast<int>(columns.size());
  data::Image sheet(cols * W + (cols - 1) * kGap, rows * H + (rows - 1) * kGap, 3, 255);
  const std::size_t area = static_cast<std::size_t>(W) * H;
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < cols; ++c) {
      if (columns[c].dim(0) != rows || columns[c].dim(1) != H || columns[c].dim(2) != W)
        throw std::invalid_argument("sanity_sheet: a column's maps do not match the images");
      // The overlay is the third tile of the panel's strip.
      const data::Image strip = compose_cam_strip(inputs[r], columns[c].data<double>() + r * area);
      for (int y = 0; y < H; ++y)
        std::copy_n(strip.row(y) + 2 * W * 3, W * 3,
                    sheet.row(r * (H + kGap) + y) + static_cast<std::size_t>(c) * (W + kGap) * 3);
    }
  return sheet;
}

}  // namespace braincam::tools
