#include "data/synth_image.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>

namespace braincam::data {
namespace {

constexpr int kWorkScale = 2;  // work grid: 0.5 mm pixels, fine enough for lesion edges

double smooth01(double t) { return t * t * (3 - 2 * t); }

// Value noise in [-1, 1] on a lattice of `cell` mm, from hashed lattice values.
double lattice(std::uint64_t seed, long long ix, long long iy) {
  std::uint64_t s = seed ^ (static_cast<std::uint64_t>(ix) * 0x9E3779B97F4A7C15ull) ^
                    (static_cast<std::uint64_t>(iy) * 0xC2B2AE3D27D4EB4Full);
  return static_cast<double>(splitmix64(s) >> 11) * 0x1.0p-52 - 1.0;
}
double value_noise(std::uint64_t seed, double x, double y, double cell) {
  x /= cell;
  y /= cell;
  const double fx = std::floor(x), fy = std::floor(y);
  const auto ix = static_cast<long long>(fx), iy = static_cast<long long>(fy);
  const double tx = smooth01(x - fx), ty = smooth01(y - fy);
  const double a = lattice(seed, ix, iy), b = lattice(seed, ix + 1, iy);
  const double c = lattice(seed, ix, iy + 1), d = lattice(seed, ix + 1, iy + 1);
  return (a + (b - a) * tx) * (1 - ty) + (c + (d - c) * tx) * ty;
}
double texture(std::uint64_t seed, double x, double y) {
  return std::clamp(0.7 * value_noise(seed, x, y, 3.0) + 0.45 * value_noise(seed + 1, x, y, 1.2),
                    -1.0, 1.0);
}

// Bilinear sample of a slice-sized field at (x, y) mm; 0 outside.
float sample(const std::vector<float>& f, int w, int h, double x, double y) {
  if (x < 0 || y < 0 || x > w - 1 || y > h - 1) return 0.f;
  const int x0 = std::min(static_cast<int>(x), w - 2), y0 = std::min(static_cast<int>(y), h - 2);
  const double fx = x - x0, fy = y - y0;
  const float* p = f.data() + static_cast<std::size_t>(y0) * w + x0;
  return static_cast<float>((p[0] * (1 - fx) + p[1] * fx) * (1 - fy) +
                            (p[w] * (1 - fx) + p[w + 1] * fx) * fy);
}

// The healthy slice at (x, y) mm: the contrast's tissue intensity with the bright structures.
float healthy_tissue(const AxialSlice& s, const SynthImageParams& p, double x, double y) {
  const float t1 = sample(s.t1, s.width, s.height, x, y);
  float v = tissue_intensity(p.contrast, t1, sample(s.near_brain, s.width, s.height, x, y));
  for (const BrightStructure& b : p.bright) {
    const double reach = bright_reach(b);
    if (std::abs(x - b.cx) > reach || std::abs(y - b.cy) > reach) continue;
    v += static_cast<float>(bright_weight(b, x, y)) * (static_cast<float>(b.intensity) - v);
  }
  return v;
}

// The bias field exp(b0 u + b1 w + b2 u² + b3 w² + b4 u w) on the work grid, u and w in [-1, 1].
double bias_at(const SynthImageParams& p, double u, double w) {
  return std::exp(p.bias[0] * u + p.bias[1] * w + p.bias[2] * u * u + p.bias[3] * w * w +
                  p.bias[4] * u * w);
}

// The gain that maps the histogram's 99th percentile to `white`.
float window_gain(const std::array<int, 256>& histogram, double white) {
  long long total = 0, seen = 0;
  for (int c : histogram) total += c;
  if (total == 0) return 1.f;  // an empty frame
  int p99 = 255;
  for (int b = 0; b < 256; ++b)
    if ((seen += histogram[b]) >= 0.99 * total) {
      p99 = std::max(b, 1);
      break;
    }
  return static_cast<float>(white / p99);
}

}  // namespace

const char* synth_frame_name(SynthFrame f) {
  switch (f) {
    case SynthFrame::brain:
      return "brain";
    case SynthFrame::edge_slice:
      return "edge_slice";
    case SynthFrame::empty:
      return "empty";
  }
  return "?";
}

SynthImageParams sample_synth_params(Rng& rng, const SynthDifficulty& d, const AxialSlice& slice,
                                     const SlicePlane& plane, SynthFrame frame, Contrast c,
                                     bool tumor) {
  SynthImageParams p;
  p.plane = plane;
  p.frame = frame;
  p.contrast = c;
  // Most Kaggle scans are 200-650 pixels on a side, a few up to 1,400.
  const double side = rng.chance(0.8) ? rng.log_uniform(160, 650) : rng.log_uniform(650, 1400);
  p.height = static_cast<int>(std::lround(side));
  p.width = std::clamp(static_cast<int>(std::lround(side * rng.uniform(0.8, 1.2))), 150, 1400);
  p.aspect = rng.uniform(0.9, 1.12);
  p.rotation_deg = rng.uniform(-12, 12);
  const double head_w = slice.head_x1 - slice.head_x0 + 1,
               head_h = slice.head_y1 - slice.head_y0 + 1;
  const double th = p.rotation_deg * std::numbers::pi / 180;
  const double ext_w =
      (std::abs(std::cos(th)) * head_w + std::abs(std::sin(th)) * head_h) * std::sqrt(p.aspect);
  const double ext_h =
      (std::abs(std::sin(th)) * head_w + std::abs(std::cos(th)) * head_h) / std::sqrt(p.aspect);
  const double fill = rng.uniform(0.7, 0.93);
  p.px_per_mm = fill * std::min(p.width / ext_w, p.height / ext_h);
  p.offset_x = rng.uniform(-0.4, 0.4) * (p.width - p.px_per_mm * ext_w);
  p.offset_y = rng.uniform(-0.4, 0.4) * (p.height - p.px_per_mm * ext_h);
  for (double& b : p.bias) b = rng.normal() * d.bias_strength / 2;
  p.white = rng.uniform(200, 245);
  p.gamma = rng.uniform(0.8, 1.25);
  const double noise_min = frame == SynthFrame::empty ? 0.0 : d.noise_min;
  p.noise_sigma = 255 * rng.uniform(noise_min, d.noise_max);
  p.jpeg_quality = static_cast<int>(
      d.jpeg_min + rng.below(static_cast<std::uint64_t>(d.jpeg_max - d.jpeg_min + 1)));
  p.texture_seed = rng.next();
  if (frame != SynthFrame::empty) p.bright = sample_bright_structures(rng, d, slice);
  if (tumor) {
    p.lesions.push_back(sample_lesion(rng, d, slice));
    if (rng.chance(d.second_lesion)) p.lesions.push_back(sample_lesion(rng, d, slice));
  }
  return p;
}

CanvasPlacement::CanvasPlacement(const AxialSlice& s, const SynthImageParams& p) {
  const double th = p.rotation_deg * std::numbers::pi / 180;
  cos_ = std::cos(th);
  sin_ = std::sin(th);
  kx_ = p.px_per_mm * std::sqrt(p.aspect);
  ky_ = p.px_per_mm / std::sqrt(p.aspect);
  hx_ = (s.head_x0 + s.head_x1) / 2.0;
  hy_ = (s.head_y0 + s.head_y1) / 2.0;
  ox_ = p.width / 2.0 + p.offset_x;
  oy_ = p.height / 2.0 + p.offset_y;
}

void CanvasPlacement::to_canvas(double x_mm, double y_mm, double& X, double& Y) const {
  const double dx = x_mm - hx_, dy = y_mm - hy_;
  X = ox_ + kx_ * (cos_ * dx - sin_ * dy);
  Y = oy_ + ky_ * (sin_ * dx + cos_ * dy);
}

void CanvasPlacement::to_slice(double X, double Y, double& x_mm, double& y_mm) const {
  const double a = (X - ox_) / kx_, b = (Y - oy_) / ky_;
  x_mm = hx_ + cos_ * a + sin_ * b;  // the rotation's inverse
  y_mm = hy_ - sin_ * a + cos_ * b;
}

namespace {

// The work image: the slice with its bright structures and lesions, under the bias field. The
// histogram is that of the healthy slice (no lesion, no mass effect) under the same field.
std::vector<float> render_work(const AxialSlice& s, const SynthImageParams& p,
                               std::vector<float>& lesion, std::array<int, 256>& histogram) {
  const int ww = s.width * kWorkScale, wh = s.height * kWorkScale;
  std::vector<float> work(static_cast<std::size_t>(ww) * wh, 0.f);
  lesion.assign(work.size(), 0.f);
  if (p.frame == SynthFrame::empty) return work;
  // Lesions only touch pixels within reach of their centre.
  std::vector<double> reach;
  for (const Lesion& l : p.lesions) {
    double amp = 1;
    for (double a : l.harmonic_amp) amp += a;
    // The mass effect fades to below 1 % of its strength by 3.5 radii.
    reach.push_back(std::max(l.radius * amp * l.edema / l.elongation, 3.5 * l.radius) + 1);
  }
  for (int j = 0; j < wh; ++j) {
    const double w = 2.0 * j / (wh - 1) - 1;
    for (int i = 0; i < ww; ++i) {
      const double x = (i + 0.5) / kWorkScale - 0.5, y = (j + 0.5) / kWorkScale - 0.5;
      const float bias = static_cast<float>(bias_at(p, 2.0 * i / (ww - 1) - 1, w));
      const float healthy = healthy_tissue(s, p, x, y);
      const std::size_t k = static_cast<std::size_t>(j) * ww + i;
      if (healthy * bias > 8.f) ++histogram[std::min(255, static_cast<int>(healthy * bias))];
      bool near = false;
      for (std::size_t n = 0; n < p.lesions.size(); ++n)
        near |=
            std::abs(x - p.lesions[n].cx) <= reach[n] && std::abs(y - p.lesions[n].cy) <= reach[n];
      if (!near) {
        work[k] = healthy * bias;
        continue;
      }
      double sx = x, sy = y;
      for (const Lesion& l : p.lesions) displace_by_lesion(l, sx, sy);
      float v = healthy_tissue(s, p, sx, sy);
      const float brain = sample(s.brain, s.width, s.height, sx, sy);
      for (const Lesion& l : p.lesions) {
        const double rho = lesion_rho(l, x, y);
        if (rho >= l.edema || brain <= 0.f) continue;
        const float t = static_cast<float>(texture(p.texture_seed, x, y));
        v += brain * (lesion_intensity(l, rho, v, t, p.contrast) - v);
        if (rho < 1.0 && brain > 0.5f) lesion[k] = 1.f;
      }
      work[k] = v * bias;
    }
  }
  return work;
}

}  // namespace

SynthImage render_synth_image(const AxialSlice& s, const SynthImageParams& p, Rng& noise) {
  // 1. The slice on the work grid, with contrast, bright structures, lesions and bias field.
  const int ww = s.width * kWorkScale, wh = s.height * kWorkScale;
  std::vector<float> lesion;
  std::array<int, 256> histogram{};
  std::vector<float> work = render_work(s, p, lesion, histogram);
  // 2. Window the healthy head's 99th percentile to `white`, then gamma. Lesions brighter than
  // that saturate instead of darkening the rest of the image.
  const float gain = window_gain(histogram, p.white);
  constexpr int kSteps = 1200;  // gamma table over [0, 1.2] of full scale
  std::vector<float> curve(kSteps + 2);
  for (int t = 0; t <= kSteps + 1; ++t)
    curve[t] = static_cast<float>(255 * std::pow(1.2 * t / kSteps, p.gamma));
  for (float& v : work) {
    const float x = std::clamp(v * gain / 255.f, 0.f, 1.2f) * (kSteps / 1.2f);
    const int t = static_cast<int>(x);
    v = curve[t] + (curve[t + 1] - curve[t]) * (x - t);
  }
  // 3. Onto the canvas.
  SynthImage out{Image(p.width, p.height, 1), Image(p.width, p.height, 1)};
  const CanvasPlacement placement(s, p);
  for (int Y = 0; Y < p.height; ++Y) {
    std::uint8_t* row = out.image.row(Y);
    std::uint8_t* mrow = out.mask.row(Y);
    for (int X = 0; X < p.width; ++X) {
      double x, y;
      placement.to_slice(X + 0.5, Y + 0.5, x, y);
      const double wx = (x + 0.5) * kWorkScale - 0.5, wy = (y + 0.5) * kWorkScale - 0.5;
      const double signal = sample(work, ww, wh, wx, wy);
      if (!p.lesions.empty() && sample(lesion, ww, wh, wx, wy) >= 0.5f) mrow[X] = 255;
      double n1, n2;
      noise.normal_pair(n1, n2);
      const double re = signal + p.noise_sigma * n1, im = p.noise_sigma * n2;
      row[X] = static_cast<std::uint8_t>(std::min(255.0, std::sqrt(re * re + im * im) + 0.5));
    }
  }
  return out;
}

nlohmann::json to_json(const SynthImageParams& p) {
  nlohmann::json lesions = nlohmann::json::array();
  for (const Lesion& l : p.lesions) lesions.push_back(to_json(l));
  nlohmann::json bright = nlohmann::json::array();
  for (const BrightStructure& b : p.bright) bright.push_back(to_json(b));
  return {{"slice_z", p.plane.z},
          {"slice_pitch_deg", p.plane.pitch_deg},
          {"slice_roll_deg", p.plane.roll_deg},
          {"frame", synth_frame_name(p.frame)},
          {"contrast", contrast_name(p.contrast)},
          {"canvas", {p.width, p.height}},
          {"px_per_mm", p.px_per_mm},
          {"aspect", p.aspect},
          {"rotation_deg", p.rotation_deg},
          {"offset_px", {p.offset_x, p.offset_y}},
          {"log_bias_x_y_xx_yy_xy", p.bias},
          {"white", p.white},
          {"gamma", p.gamma},
          {"noise_sigma", p.noise_sigma},
          {"jpeg_quality", p.jpeg_quality},
          {"texture_seed", p.texture_seed},
          {"bright_structures", bright},
          {"lesions", lesions}};
}

}  // namespace braincam::data
