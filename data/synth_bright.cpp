#include "data/synth_bright.h"

#include <algorithm>
#include <cmath>

namespace braincam::data {
namespace {

double smoothstep(double a, double b, double x) {
  const double t = std::clamp((x - a) / (b - a), 0.0, 1.0);
  return t * t * (3 - 2 * t);
}

int poisson(Rng& rng, double mean, int most) {
  const double limit = std::exp(-mean);
  int k = 0;
  for (double p = rng.uniform(); p > limit && k < most; p *= rng.uniform()) ++k;
  return k;
}

}  // namespace

std::vector<BrightStructure> sample_bright_structures(Rng& rng, const SynthDifficulty& d,
                                                      const AxialSlice& s) {
  std::vector<BrightStructure> out;
  const int count = poisson(rng, d.bright_mean, 6);
  for (int i = 0; i < count; ++i) {
    BrightStructure b;
    b.kind = rng.chance(0.7) ? BrightKind::spot : BrightKind::ring;
    b.radius = rng.log_uniform(d.bright_radius_min_mm, d.bright_radius_max_mm);
    if (b.kind == BrightKind::ring) b.radius = std::max(b.radius, 3.0);
    b.wall = rng.uniform(0.8, 2.0);
    b.intensity = b.kind == BrightKind::spot ? rng.uniform(170, 255) : rng.uniform(150, 240);
    for (int attempt = 0; attempt < 200; ++attempt) {
      const double x = rng.uniform(s.head_x0, s.head_x1), y = rng.uniform(s.head_y0, s.head_y1);
      if (inside_brain(s, x, y)) {
        b.cx = x;
        b.cy = y;
        out.push_back(b);
        break;
      }
    }
  }
  return out;
}

double bright_weight(const BrightStructure& b, double x, double y) {
  const double d = std::hypot(x - b.cx, y - b.cy);
  if (b.kind == BrightKind::spot) return 1 - smoothstep(0.75 * b.radius, b.radius, d);
  const double half = b.wall / 2;
  return 1 - smoothstep(half - 0.35, half + 0.35, std::abs(d - b.radius));
}

double bright_reach(const BrightStructure& b) {
  return b.kind == BrightKind::spot ? b.radius : b.radius + b.wall / 2 + 0.35;
}

nlohmann::json to_json(const BrightStructure& b) {
  return {{"kind", b.kind == BrightKind::spot ? "spot" : "ring"},
          {"center_mm", {b.cx, b.cy}},
          {"radius_mm", b.radius},
          {"wall_mm", b.wall},
          {"intensity", b.intensity}};
}

}  // namespace braincam::data
