#pragma once
// One synthetic MRI image: an axial Colin27 slice with healthy bright structures and, for a tumor
// image, lesions, in T1-, T2- or FLAIR-like contrast, under a smooth bias field, windowed and
// gamma-corrected, placed on a canvas of random size and aspect with random rotation, scale and
// translation, with Rician noise. Everything but the lesions is drawn alike for both classes,
// and the window is set on the image without its lesions, so that the lesion is the only
// systematic difference between a tumor image and a healthy one.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <vector>

#include "base/random.h"
#include "data/image.h"
#include "data/synth_anatomy.h"
#include "data/synth_bright.h"
#include "data/synth_contrast.h"
#include "data/synth_difficulty.h"
#include "data/synth_lesion.h"

namespace braincam::data {

// What the frame shows. Healthy images only may show little or no brain: a tumor needs a brain,
// and "a blank image is no tumor".
enum class SynthFrame {
  brain,       // a slice through the brain
  edge_slice,  // a slice below or above the brain: neck, skull base, the skull's cap, or nothing
  empty,       // no head at all: only noise, down to an all-black frame
};

// "brain", "edge_slice" or "empty", as synth.json writes it.
const char* synth_frame_name(SynthFrame f);

struct SynthImageParams {
  SlicePlane plane;  // the slice through the head volume
  SynthFrame frame = SynthFrame::brain;
  Contrast contrast = Contrast::t1;
  int width = 0, height = 0;  // canvas, pixels
  double px_per_mm = 1;       // scale
  double aspect = 1;          // horizontal / vertical stretch of the head
  double rotation_deg = 0;
  double offset_x = 0, offset_y = 0;  // head centre offset from the canvas centre, pixels
  double bias[5] = {};                // log bias field: x, y, x², y², xy on [-1, 1]²
  double white = 230;                 // the healthy head's 99th percentile maps here
  double gamma = 1;
  double noise_sigma = 0;  // Rician, on the 0..255 scale
  int jpeg_quality = 90;
  std::uint64_t texture_seed = 0;
  std::vector<BrightStructure> bright;  // healthy bright structures, in both classes
  std::vector<Lesion> lesions;          // empty for a healthy image
};

// Samples everything for one image of `frame` on `slice` (cut along `plane`) in contrast `c`:
// first what both classes share (pose, scan, bright structures), then, for `tumor`, one lesion,
// or two with the difficulty's probability. An empty frame's noise goes down to zero.
SynthImageParams sample_synth_params(Rng& rng, const SynthDifficulty& d, const AxialSlice& slice,
                                     const SlicePlane& plane, SynthFrame frame, Contrast c,
                                     bool tumor);

// Where the slice lies on the canvas: canvas = centre + offset + stretch · rotation · (mm - head
// centre). Canvas coordinates are continuous, pixel (X, Y) spanning [X, X + 1) × [Y, Y + 1).
class CanvasPlacement {
 public:
  CanvasPlacement(const AxialSlice& slice, const SynthImageParams& p);
  void to_canvas(double x_mm, double y_mm, double& X, double& Y) const;
  void to_slice(double X, double Y, double& x_mm, double& y_mm) const;

 private:
  double cos_ = 1, sin_ = 0, kx_ = 1, ky_ = 1, hx_ = 0, hy_ = 0, ox_ = 0, oy_ = 0;
};

struct SynthImage {
  Image image;  // gray, width × height
  Image mask;   // gray, 255 inside a lesion (all 0 for a healthy image)
};

// Renders the image; `noise` draws the Rician noise.
SynthImage render_synth_image(const AxialSlice& slice, const SynthImageParams& p, Rng& noise);

nlohmann::json to_json(const SynthImageParams& p);

}  // namespace braincam::data
