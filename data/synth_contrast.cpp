#include "data/synth_contrast.h"

#include <array>

namespace braincam::data {
namespace {

// Piecewise-linear remapping of the T1 intensity of brain and CSF.
float remap(const std::array<float, 9>& y, float t1) {
  static constexpr std::array<float, 9> x = {0, 15, 40, 60, 80, 100, 112, 130, 255};
  for (std::size_t i = 1; i < x.size(); ++i)
    if (t1 <= x[i]) return y[i - 1] + (y[i] - y[i - 1]) * (t1 - x[i - 1]) / (x[i] - x[i - 1]);
  return y.back();
}

}  // namespace

const char* contrast_name(Contrast c) {
  switch (c) {
    case Contrast::t1:
      return "T1";
    case Contrast::t2:
      return "T2";
    case Contrast::flair:
      return "FLAIR";
  }
  return "?";
}

float tissue_intensity(Contrast c, float t1, float near_brain) {
  if (c == Contrast::t1) return t1;
  // T2: CSF (15-40) ~200-230, grey (80) 130, white (108) ~86. FLAIR: CSF ~25-35, grey 120,
  // white ~97; the brightest fluid-free tissue stays below edema (~170).
  static constexpr std::array<float, 9> t2 = {40, 200, 230, 175, 130, 92, 84, 80, 100};
  static constexpr std::array<float, 9> flair = {10, 25, 35, 85, 120, 102, 95, 92, 100};
  const float brain = remap(c == Contrast::t2 ? t2 : flair, t1);
  const float outside = c == Contrast::t2 ? 0.8f : 0.7f;  // scalp fat less bright, bone dark
  return near_brain * brain + (1 - near_brain) * outside * t1;
}

}  // namespace braincam::data
