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

// Whether a lesion of `radius` at (x, y) keeps 0.7 of its radius inside the brain.
bool fits(const AxialSlice& s, double x, double y, double radius) {
  if (!inside_brain(s, x, y)) return false;
  for (int k = 0; k < 16; ++k) {
    const double a = 2 * std::numbers::pi * k / 16;
    if (!inside_brain(s, x + 0.7 * radius * std::cos(a), y + 0.7 * radius * std::sin(a)))
      return false;
  }
  return true;
}

LesionKind sample_kind(Rng& rng, const SynthDifficulty& d) {
  double total = 0;
  for (double w : d.lesion_kinds) total += w;
  double u = rng.uniform(0, total);
  for (int k = 0; k < 3; ++k) {
    if (u < d.lesion_kinds[k]) return static_cast<LesionKind>(k);
    u -= d.lesion_kinds[k];
  }
  return LesionKind::hypointense;
}

// Target intensities of a lesion's parts, on the 0..255 scale of the Colin27 T1 (white matter
// ~108, grey ~80, CSF ~30) and of its T2-like (white ~86, grey 130, CSF ~225) and FLAIR-like
// (white ~97, grey 120, CSF ~30) remappings.
struct Targets {
  double solid, rim, necrosis, edema;
};

Targets targets(const Lesion& l, Contrast c, double texture) {
  const double t = texture, e = l.enhancement;
  const double edema = c == Contrast::t1 ? 68 + 6 * t : (c == Contrast::t2 ? 168 : 170) + 10 * t;
  switch (l.kind) {
    case LesionKind::enhancing:
    case LesionKind::ring_enhancing: {
      // Contrast uptake on T1; hyperintensity on T2 and FLAIR.
      const double solid =
          c == Contrast::t1 ? 78 + 20 * t : (c == Contrast::t2 ? 190 : 175) + 22 * t;
      const double rim =
          c == Contrast::t1 ? 158 + 25 * t : (c == Contrast::t2 ? 150 : 165) + 20 * t;
      // Necrotic fluid: dark on T1, bright on T2, only partly suppressed on FLAIR.
      const double necrosis =
          c == Contrast::t1 ? 35 + 8 * t : (c == Contrast::t2 ? 215 + 10 * t : 70 + 10 * t);
      return {solid + e, rim + e, necrosis, edema};
    }
    case LesionKind::non_enhancing: {
      const double solid =
          c == Contrast::t1 ? 52 + 8 * t : (c == Contrast::t2 ? 195 : 185) + 15 * t;
      return {solid, solid, solid, edema};
    }
    case LesionKind::hypointense: {
      const double solid = c == Contrast::t1 ? 40 + 8 * t : (c == Contrast::t2 ? 45 : 40) + 10 * t;
      return {solid, solid, solid, edema};
    }
  }
  return {};
}

}  // namespace

const char* lesion_kind_name(LesionKind k) {
  switch (k) {
    case LesionKind::enhancing:
      return "enhancing";
    case LesionKind::ring_enhancing:
      return "ring_enhancing";
    case LesionKind::non_enhancing:
      return "non_enhancing";
    case LesionKind::hypointense:
      return "hypointense";
  }
  return "?";
}

Lesion sample_lesion(Rng& rng, const SynthDifficulty& d, const AxialSlice& s) {
  Lesion l;
  l.kind = sample_kind(rng, d);
  l.radius = rng.log_uniform(d.radius_min_mm, d.radius_max_mm);
  l.elongation = rng.uniform(0.6, 1.0);
  l.orientation = rng.uniform(0, std::numbers::pi);
  const double irregularity = rng.uniform(0.1, 0.35);
  for (int k = 0; k < 4; ++k) {
    l.harmonic_amp[k] = rng.uniform(0, irregularity / (k + 2));
    l.harmonic_phase[k] = rng.uniform(0, 2 * std::numbers::pi);
  }
  const bool enhances = l.kind == LesionKind::enhancing || l.kind == LesionKind::ring_enhancing;
  l.core = l.kind == LesionKind::ring_enhancing ? rng.uniform(0.45, 0.75) : 0.0;
  l.rim = l.kind == LesionKind::enhancing        ? rng.uniform(0.12, 0.3)
          : l.kind == LesionKind::ring_enhancing ? rng.uniform(0.1, 0.2)
                                                 : 0.0;
  l.edema = rng.uniform(d.edema_min, d.edema_max);
  l.mass_effect = rng.uniform(0.05, 0.25);
  l.contrast = std::min(1.0, d.lesion_contrast * rng.uniform(0.85, 1.15));
  l.enhancement = enhances ? d.lesion_enhancement * rng.uniform(0.8, 1.2) : 0.0;
  // A centre inside the brain; shrink the lesion when no place is found for it.
  for (int attempt = 0;; ++attempt) {
    const double x = rng.uniform(s.head_x0, s.head_x1), y = rng.uniform(s.head_y0, s.head_y1);
    if (fits(s, x, y, l.radius) || (attempt > 400 && inside_brain(s, x, y))) {
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

float lesion_intensity(const Lesion& l, double rho, float tissue, float texture, Contrast c) {
  if (rho >= l.edema) return tissue;
  const Targets t = targets(l, c, texture);
  double tumor = t.solid;
  if (l.rim > 0) tumor += (t.rim - tumor) * smoothstep(1 - l.rim - 0.06, 1 - l.rim + 0.06, rho);
  if (l.core > 0)
    tumor += (t.necrosis - tumor) * (1 - smoothstep(l.core - 0.08, l.core + 0.08, rho));
  const double edema_weight = 0.85 * (1 - smoothstep(0.9, l.edema, rho));
  const double tumor_weight = 1 - smoothstep(0.94, 1.04, rho);
  double v = tissue + l.contrast * edema_weight * (t.edema - tissue);
  v += l.contrast * tumor_weight * (tumor - v);
  return static_cast<float>(v);
}

nlohmann::json to_json(const Lesion& l) {
  nlohmann::json harmonics = nlohmann::json::array();
  for (int k = 0; k < 4; ++k)
    harmonics.push_back(
        {{"k", k + 2}, {"amplitude", l.harmonic_amp[k]}, {"phase", l.harmonic_phase[k]}});
  return {{"kind", lesion_kind_name(l.kind)},
          {"center_mm", {l.cx, l.cy}},
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
