#pragma once
// The seed's `crop_brain_contour`, step for step as its OpenCV calls compute them:
//   gray = cvtColor(image, BGR2GRAY); gray = GaussianBlur(gray, (5,5), 0);
//   thresh = threshold(gray, 45, 255, BINARY); erode(thresh, None, 2); dilate(thresh, None, 2);
//   c = max(findContours(thresh, RETR_EXTERNAL, CHAIN_APPROX_SIMPLE), key=contourArea);
//   image[extTop.y:extBot.y, extLeft.x:extRight.x]
// Integer arithmetic reproduces OpenCV's fixed-point results for 8-bit images.
#include <cstdint>
#include <vector>

#include "data/image.h"

namespace braincam::data {

// A crop box in the seed's slice convention: rows y0..y1-1 and columns x0..x1-1.
struct CropBox {
  int x0 = 0, y0 = 0, x1 = 0, y1 = 0;
  int width() const { return x1 - x0; }
  int height() const { return y1 - y0; }
  bool operator==(const CropBox&) const = default;
};

struct BrainCrop {
  CropBox box;
  // False where no contour gave a usable box (nothing above the threshold, or a one-pixel-wide
  // contour whose seed slice would be empty): box then covers the whole image.
  bool found = false;
};

inline constexpr int kBrainThreshold = 45;

// Luma with OpenCV's BGR2GRAY fixed-point weights (0.299 R + 0.587 G + 0.114 B); `image` is RGB.
std::vector<std::uint8_t> to_gray(const Image& image);
// The thresholded, eroded and dilated mask (0 or 255) whose largest contour gives the box.
std::vector<std::uint8_t> brain_mask(const Image& image);
BrainCrop find_brain_box(const Image& image);
Image crop(const Image& image, const CropBox& box);

}  // namespace braincam::data
