#pragma once
// The pictures of an explanation: for one image a strip of three tiles
//   model input | heatmap (jet colormap: blue low, red high) | heatmap blended over the input
// and sheets of such strips with a title and a caption per strip (label, prediction,
// probability), drawn with gnuplot. A panel of one image is a sheet with one strip; a contact
// sheet has several.
#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "data/image.h"

namespace braincam::tools {

// Share of the heatmap in the blended tile (the rest is the input).
inline constexpr double kOverlayWeight = 0.4;

// The jet colormap at v in [0, 1] (values outside are clamped).
std::array<std::uint8_t, 3> jet_color(double v);

// input: W x H x 3; map: H x W values in [0, 1], row-major, aligned with the input.
// Returns the 3W x H x 3 strip of the three tiles.
data::Image compose_cam_strip(const data::Image& input, const double* map);

struct SheetRow {
  data::Image strip;
  std::string caption;
};
struct CamSheet {
  std::string title;
  std::vector<SheetRow> rows;  // strips of one size
  std::filesystem::path png;
};

// Draws every sheet (one gnuplot run for all of them).
void render_cam_sheets(const std::vector<CamSheet>& sheets);

}  // namespace braincam::tools
