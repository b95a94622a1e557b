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

// T2-like remapping of the T1 intensities of brain and CSF: fluid bright, grey above white.
float t2_from_t1(float t1, float near_brain) {
  static constexpr std::array<float, 9> x = {0, 15, 40, 60, 80, 100, 112, 130, 255};
  static constexpr std::array<float, 9> y = {40, 200, 230, 175, 130, 92, 84, 80, 100};
  float brain = y.back();
  for (std::size_t i = 1; i < x.size(); ++i)
    if (t1 <= x[i]) {
      brain = y[i - 1] + (y[i] - y[i - 1]) * (t1 - x[i - 1]) / (x[i] - x[i - 1]);
      break;
    }
  return near_brain * brain + (1 - near_brain) * 0.8f * t1;  // scalp fat less bright, bone dark
}

}  // namespace

SynthImageParams sample_synth_params(Rng& rng, const SynthDifficulty& d, const AxialSlice& slice,
                                     int z, bool tumor, bool t2) {
  SynthImageParams p;
  p.slice = z;
  p.t2 = t2;
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
  p.noise_sigma = 255 * rng.uniform(d.noise_min, d.noise_max);
  p.jpeg_quality = static_cast<int>(
      d.jpeg_min + rng.below(static_cast<std::uint64_t>(d.jpeg_max - d.jpeg_min + 1)));
  p.texture_seed = rng.next();
  if (tumor) {
    p.lesions.push_back(sample_lesion(rng, d, slice));
    if (rng.chance(d.second_lesion)) p.lesions.push_back(sample_lesion(rng, d, slice));
  }
  return p;
}

SynthImage render_synth_image(const AxialSlice& s, const SynthImageParams& p, Rng& noise) {
  // 1. The slice on the work grid, with mass effect, contrast, lesions and bias field.
  const int ww = s.width * kWorkScale, wh = s.height * kWorkScale;
  std::vector<float> work(static_cast<std::size_t>(ww) * wh), lesion(work.size(), 0.f);
  std::array<int, 256> histogram{};
  // The bias field exp(b0 u + b1 w + b2 u² + b3 w² + b4 u w) as a column factor, a row factor and
  // a cross term that grows geometrically along the row.
  std::vector<double> column_bias(ww);
  for (int i = 0; i < ww; ++i) {
    const double u = 2.0 * i / (ww - 1) - 1;
    column_bias[i] = std::exp(p.bias[0] * u + p.bias[2] * u * u);
  }
  // Lesions only touch pixels within reach of their centre.
  std::vector<double> reach;
  for (const Lesion& l : p.lesions) {
    double amp = 1;
    for (double a : l.harmonic_amp) amp += a;
    reach.push_back(l.radius * amp * l.edema / l.elongation + 1);
  }
  for (int j = 0; j < wh; ++j) {
    const double w = 2.0 * j / (wh - 1) - 1;
    const double row_bias = std::exp(p.bias[1] * w + p.bias[3] * w * w);
    double cross = std::exp(-p.bias[4] * w);  // at u = -1
    const double cross_step = std::exp(p.bias[4] * w * 2.0 / (ww - 1));
    for (int i = 0; i < ww; ++i, cross *= cross_step) {
      const double x = (i + 0.5) / kWorkScale - 0.5, y = (j + 0.5) / kWorkScale - 0.5;
      double sx = x, sy = y;
      for (const Lesion& l : p.lesions) displace_by_lesion(l, sx, sy);
      const float t1 = sample(s.t1, s.width, s.height, sx, sy);
      const float brain = sample(s.brain, s.width, s.height, sx, sy);
      float v = p.t2 ? t2_from_t1(t1, sample(s.near_brain, s.width, s.height, sx, sy)) : t1;
      const std::size_t k = static_cast<std::size_t>(j) * ww + i;
      for (std::size_t n = 0; n < p.lesions.size(); ++n) {
        const Lesion& l = p.lesions[n];
        if (std::abs(x - l.cx) > reach[n] || std::abs(y - l.cy) > reach[n]) continue;
        const double rho = lesion_rho(l, x, y);
        if (rho >= l.edema || brain <= 0.f) continue;
        const float t = static_cast<float>(texture(p.texture_seed, x, y));
        v += brain * (lesion_intensity(l, rho, v, t, p.t2) - v);
        if (rho < 1.0 && brain > 0.5f) lesion[k] = 1.f;
      }
      v *= static_cast<float>(column_bias[i] * row_bias * cross);
      work[k] = v;
      if (v > 8.f) ++histogram[std::min(255, static_cast<int>(v))];
    }
  }
  // 2. Window the head's 99th percentile to `white`, then gamma.
  long long total = 0, seen = 0;
  for (int c : histogram) total += c;
  int p99 = 255;
  for (int b = 0; b < 256; ++b)
    if ((seen += histogram[b]) >= 0.99 * total) {
      p99 = std::max(b, 1);
      break;
    }
  const float gain = static_cast<float>(p.white / p99);
  constexpr int kSteps = 1200;  // gamma table over [0, 1.2] of full scale
  std::vector<float> curve(kSteps + 2);
  for (int t = 0; t <= kSteps + 1; ++t)
    curve[t] = static_cast<float>(255 * std::pow(1.2 * t / kSteps, p.gamma));
  for (float& v : work) {
    const float x = std::clamp(v * gain / 255.f, 0.f, 1.2f) * (kSteps / 1.2f);
    const int t = static_cast<int>(x);
    v = curve[t] + (curve[t + 1] - curve[t]) * (x - t);
  }
  // 3. Onto the canvas: canvas = centre + offset + stretch · rotation · (mm - head centre).
  SynthImage out{Image(p.width, p.height, 1), Image(p.width, p.height, 1)};
  const double th = p.rotation_deg * std::numbers::pi / 180, c = std::cos(th), sn = std::sin(th);
  const double kx = p.px_per_mm * std::sqrt(p.aspect), ky = p.px_per_mm / std::sqrt(p.aspect);
  const double hx = (s.head_x0 + s.head_x1) / 2.0, hy = (s.head_y0 + s.head_y1) / 2.0;
  const double ox = p.width / 2.0 + p.offset_x, oy = p.height / 2.0 + p.offset_y;
  for (int Y = 0; Y < p.height; ++Y) {
    std::uint8_t* row = out.image.row(Y);
    std::uint8_t* mrow = out.mask.row(Y);
    for (int X = 0; X < p.width; ++X) {
      const double a = (X + 0.5 - ox) / kx, b = (Y + 0.5 - oy) / ky;
      const double x = hx + c * a + sn * b, y = hy - sn * a + c * b;  // rotation inverse
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
  return {{"slice", p.slice},
          {"contrast", p.t2 ? "T2" : "T1"},
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
          {"lesions", lesions}};
}

}  // namespace braincam::data
