// The MRI transforms of `train --augment`: names, what each transform does to the pixels, and
// that each one's draw does not depend on the others.
#include "data/online_augment.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <stdexcept>
#include <vector>

using namespace braincam;
using namespace braincam::data;

namespace {

constexpr int kSide = 48;

// A gray test image: a bright disc on a left-to-right ramp, the same value in each channel.
Image gray_test_image() {
  Image image(kSide, kSide, 3);
  for (int y = 0; y < kSide; ++y)
    for (int x = 0; x < kSide; ++x) {
      const bool disc = (x - 30) * (x - 30) + (y - 20) * (y - 20) < 36;
      const auto v = static_cast<std::uint8_t>(disc ? 220 : 40 + 2 * x);
      for (int c = 0; c < 3; ++c) image.row(y)[x * 3 + c] = v;
    }
  return image;
}

std::vector<float> augmented(const Image& image, const std::string& transforms,
                             const MriAugmentParams& p, std::uint64_t noise_seed = 1) {
  std::vector<float> out(3 * kSide * kSide);
  Rng noise(noise_seed);
  apply_mri_augment(image, parse_online_augment(transforms), p, noise, out.data());
  return out;
}

float input_value(const Image& image, int x, int y) { return image.row(y)[x * 3] / 255.0f; }
float output_value(const std::vector<float>& chw, int x, int y, int c = 0) {
  return chw[c * kSide * kSide + y * kSide + x];
}

}  // namespace

TEST_CASE("augmentation names parse to one canonical spelling", "[data][online-augment]") {
  CHECK_FALSE(parse_online_augment("none").enabled());
  CHECK(parse_online_augment("seed").kind == OnlineAugment::Kind::seed);
  CHECK(to_string(parse_online_augment("gamma,flip")) == "flip,gamma");
  CHECK(to_string(parse_online_augment("flip,rotate,shift,bias,contrast,intensity,gamma,noise")) ==
        "mri");
  const OnlineAugment all = parse_online_augment("mri");
  for (const auto& [name, t] : kMriTransformNames) CHECK(all.has(t));
  CHECK_THROWS_WITH(parse_online_augment("flip,blur"), Catch::Contains("'blur'"));
  CHECK_THROWS_WITH(parse_online_augment("flip,flip"), Catch::Contains("twice"));
  CHECK_THROWS_AS(parse_online_augment(""), std::invalid_argument);
}

TEST_CASE("each MRI transform does what its name says", "[data][online-augment]") {
  const Image image = gray_test_image();
  MriAugmentParams p;
  p.flip = true;
  p.contrast = 1.2;
  p.intensity = 1.1;
  p.gamma = 0.8;
  p.noise_sigma = 0.02;
  p.bias[0] = 0.1;

  SECTION("flip mirrors left and right") {
    const auto out = augmented(image, "flip", p);
    for (int y = 0; y < kSide; y += 7)
      for (int x = 0; x < kSide; x += 5)
        CHECK(output_value(out, kSide - 1 - x, y) == input_value(image, x, y));
  }
  SECTION("intensity scales, gamma raises to a power, both clipped to [0, 1]") {
    const auto scaled = augmented(image, "intensity", p);
    const auto curved = augmented(image, "gamma", p);
    for (int x = 0; x < kSide; x += 3) {
      const float v = input_value(image, x, 40);
      CHECK(output_value(scaled, x, 40) == Approx(std::min(v * 1.1f, 1.0f)).epsilon(1e-6));
      CHECK(output_value(curved, x, 40) == Approx(std::pow(v, 0.8f)).epsilon(1e-6));
    }
  }
  SECTION("contrast stretches about the image mean, keeping the mean") {
    const auto out = augmented(image, "contrast", p);
    double in_sum = 0, out_sum = 0;
    for (int y = 0; y < kSide; ++y)
      for (int x = 0; x < kSide; ++x) {
        in_sum += input_value(image, x, y);
        out_sum += output_value(out, x, y);
      }
    CHECK(out_sum == Approx(in_sum).epsilon(1e-4));  // nothing here reaches the clip
    const double mean = in_sum / (kSide * kSide);
    CHECK(output_value(out, 30, 20) - mean ==
          Approx(1.2 * (input_value(image, 30, 20) - mean)).epsilon(1e-5));
  }
  SECTION("the bias field is smooth and brightens the side its slope points to") {
    const auto out = augmented(image, "bias", p);
    // exp(0.1 u) with u from -1 at the left edge to 1 at the right.
    CHECK(output_value(out, kSide - 1, 40) / input_value(image, kSide - 1, 40) ==
          Approx(std::exp(0.1)).epsilon(1e-5));
    CHECK(output_value(out, 0, 40) / input_value(image, 0, 40) ==
          Approx(std::exp(-0.1)).epsilon(1e-5));
  }
  SECTION("noise is zero-centred where the signal is strong and keeps a gray image gray") {
    const auto out = augmented(image, "noise", p);
    double diff = 0, sq = 0;
    int n = 0;
    for (int y = 0; y < kSide; ++y)
      for (int x = 0; x < kSide; ++x) {
        const double d = output_value(out, x, y) - input_value(image, x, y);
        if (input_value(image, x, y) < 0.5) {  // far from both clips
          diff += d;
          sq += d * d;
          ++n;
        }
        CHECK(output_value(out, x, y, 1) == output_value(out, x, y, 0));
        CHECK(output_value(out, x, y, 2) == output_value(out, x, y, 0));
      }
    CHECK(std::abs(diff / n) < 0.003);
    CHECK(std::sqrt(sq / n) == Approx(0.02).epsilon(0.15));
  }
  SECTION("no transform on leaves the pixels as they are") {
    OnlineAugment nothing{OnlineAugment::Kind::mri, 0};
    std::vector<float> out(3 * kSide * kSide);
    Rng noise(1);
    apply_mri_augment(image, nothing, p, noise, out.data());
    for (int x = 0; x < kSide; ++x) CHECK(output_value(out, x, 11, 2) == input_value(image, x, 11));
  }
}

TEST_CASE("switching a transform on leaves the others' draws unchanged", "[data][online-augment]") {
  Rng a(7, 3, 11), b(7, 3, 11);
  const MriAugmentParams pa = sample_mri_augment(a, 240, 240);
  const MriAugmentParams pb = sample_mri_augment(b, 240, 240);
  CHECK(pa.rotation_deg == pb.rotation_deg);
  CHECK(pa.gamma == pb.gamma);
  // The ranges: ±10°, ±5% shifts, contrast 0.8-1.25, intensity 0.85-1.15, gamma 0.7-1.4.
  Rng r(1);
  for (int i = 0; i < 200; ++i) {
    const MriAugmentParams p = sample_mri_augment(r, 240, 240);
    CHECK(std::abs(p.rotation_deg) <= 10);
    CHECK(std::abs(p.shift_x) <= 12);
    CHECK((p.contrast >= 0.8 && p.contrast <= 1.25));
    CHECK((p.intensity >= 0.85 && p.intensity <= 1.15));
    CHECK((p.gamma >= 0.7 && p.gamma <= 1.4));
    CHECK((p.noise_sigma >= 0 && p.noise_sigma <= 0.03));
  }
  // The geometry of "flip,gamma" is the geometry of "flip".
  const Image image = gray_test_image();
  MriAugmentParams p;
  p.flip = true;
  p.gamma = 1.0;
  CHECK(augmented(image, "flip,gamma", p) == augmented(image, "flip", p));
}
