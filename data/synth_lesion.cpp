#include "data/synth_lesion.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace braincam::data {
namespace {

double smoothstep(double a, double b, double x) {
  const double t = std::clamp((x - a) / (b - a), 0.0, 1.0);
  return t * t * (3 - 2 * t);
}

bool in_brain(const AxialSlice& s, double x, double y) {
  const int c = static_cast<int>(std::lround(x)), r = static_cast<int>(std::lround(y));
  return c >= 0 && r >= 0 && c < s.width && r < s.height &&
         s.brain[static_cast<std::size_t>(r) * s.width + c] > 0;
}

// Whether a lesion of `radius` at (x, y) keeps 0.7 of its radius inside the brain.
bool fits(const AxialSlice& s, double x, double y, double radius) {
  if (!in_brain(s, x, y)) return false;
  for (int k = 0; k < 16; ++k) {
    const double a = 2 * std::numbers::pi * k / 16;
    if (!in_brain(s, x + 0.7 * radius * std::cos(a), y + 0.7 * radius * std::sin(a))) return false;
  }
  return true;
}

}  // namespace

Lesion sample_lesion(Rng& rng, const SynthDifficulty& d, const AxialSlice& s) {
  Lesion l;
  l.radius = rng.log_uniform(d.radius_min_mm, d.radius_max_mm);
  l.elongation = rng.uniform(0.6, 1.0);
  l.orientation = rng.uniform(0, std::numbers::pi);
  const double irregularity = rng.uniform(0.1, 0.35);
  for (int k = 0; k < 4; ++k) {
    l.harmonic_amp[k] = rng.uniform(0, irregularity / (k + 2));
    l.harmonic_phase[k] = rng.uniform(0, 2 * std::numbers::pi);
  }
  l.core = rng.chance(d.necrosis) ? rng.uniform(0.3, 0.6) : 0.0;
  l.rim = rng.uniform(0.12, 0.3);
  l.edema = rng.uniform(d.edema_min, d.edema_max);
  l.mass_effect = rng.uniform(0.05, 0.25);
  l.contrast = std::min(1.0, d.lesion_contrast * rng.uniform(0.85, 1.15));
  l.enhancement = d.lesion_enhancement * rng.uniform(0.8, 1.2);
  // A centre inside the brain; shrink the lesion when no place is found for it.
  for (int attempt = 0;; ++attempt) {
    const double x = rng.uniform(s.head_x0, s.head_x1), y = rng.uniform(s.head_y0, s.head_y1);
    if (fits(s, x, y, l.radius) || (attempt > 400 && in_brain(s, x, y))) {
      l.cx = x;
      l.cy = y;
      return l;
    }
    if (attempt % 100 == 99) l.radius = std::max(3.0, l.radius * 0.8);
  }
}

double lesion_rho(const Lesion& l, double x, double y) {
  const double dx = x - l.cx, dy = y - l.cy;
  const double c = std::cos(l.orientation), s = std::sin(l.orientation);
  const double u = dx * c + dy * s, v = (-dx * s + dy * c) / l.elongation;
  const double d = std::hypot(u, v);
  if (d == 0) return 0;
  const double theta = std::atan2(v, u);
  double r = 1;
  for (int k = 0; k < 4; ++k)
    r += l.harmonic_amp[k] * std::cos((k + 2) * theta + l.harmonic_phase[k]);
  return d / (l.radius * r);
}

void displace_by_lesion(const Lesion& l, double& x, double& y) {
  const double dx = x - l.cx, dy = y - l.cy;
  const double reach = 1.6 * l.radius;
  // d -> d (1 - m exp(-(d/reach)^2)) is monotone for m < 1: the anatomy is squeezed, not folded.
  const double f = 1 - l.mass_effect * std::exp(-(dx * dx + dy * dy) / (reach * reach));
  x = l.cx + dx * f;
  y = l.cy + dy * f;
}

float lesion_intensity(const Lesion& l, double rho, float tissue, float texture, bool t2) {
  if (rho >= l.edema) return tissue;
  // Target intensities on the 0..255 scale of the Colin27 T1 (white matter ~108, grey ~80,
  // CSF ~30) and of its T2-like remapping (white ~85, grey ~130, CSF ~225).
  // `enhancement` lifts the solid part and the rim: contrast uptake on T1, hyperintensity on T2.
  const double solid = (t2 ? 190 + 25 * texture : 78 + 20 * texture) + l.enhancement;
  const double rim = (t2 ? 150 + 20 * texture : 158 + 25 * texture) + l.enhancement;
  const double necrosis = t2 ? 215 + 10 * texture : 35 + 8 * texture;
  const double edema = t2 ? 168 + 10 * texture : 68 + 6 * texture;
  double tumor = solid;
  tumor += (rim - tumor) * smoothstep(1 - l.rim - 0.06, 1 - l.rim + 0.06, rho);
  if (l.core > 0) tumor += (necrosis - tumor) * (1 - smoothstep(l.core - 0.08, l.core + 0.08, rho));
  const double edema_weight = 0.85 * (1 - smoothstep(0.9, l.edema, rho));
  const double tumor_weight = 1 - smoothstep(0.94, 1.04, rho);
  double v = tissue + l.contrast * edema_weight * (edema - tissue);
  v += l.contrast * tumor_weight * (tumor - v);
  return static_cast<float>(v);
}

nlohmann::json to_json(const Lesion& l) {
  nlohmann::json harmonics = nlohmann::json::array();
  for (int k = 0; k < 4; ++k)
    harmonics.push_back(
        {{"k", k + 2}, {"amplitude", l.harmonic_amp[k]}, {"phase", l.harmonic_phase[k]}});
  return {{"center_mm", {l.cx, l.cy}},
          {"radius_mm", l.radius},
          {"elongation", l.elongation},
          {"orientation_rad", l.orientation},
          {"harmonics", harmonics},
          {"necrotic_core", l.core},
          {"rim", l.rim},
          {"edema_reach", l.edema},
          {"mass_effect", l.mass_effect},
          {"contrast", l.contrast},
          {"enhancement", l.enhancement}};
}

}  // namespace braincam::data
