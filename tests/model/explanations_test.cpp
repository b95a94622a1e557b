// The explanation maps of spec section 5, their upsampling, and the localization and
// faithfulness scores.
#include "model/explanations.h"

#include <catch2/catch.hpp>
#include <cmath>

#include "engine/ops.h"
#include "tests/engine/random_tensors.h"

using namespace braincam;

namespace {

constexpr ModelShape kShape{.height = 32, .width = 32, .channels = 16, .reduction = 8};

// A float64 model whose fc weights are all positive, so that g = dz/dA >= 0 and the ReLUs of the
// gradient methods clip nothing (A >= 0 always: it comes after ReLU, pooling and sigmoid gates).
BrainDetectionModel positive_fc_model() {
  BrainDetectionModel model(kShape, DType::F64);
  model.initialize(7);
  for (const auto& p : model.parameters())
    if (p.name == "fc.weight")
      for (long i = 0; i < p.var.value().numel(); ++i)
        p.var.value().data<double>()[i] = std::abs(p.var.value().data<double>()[i]) + 1e-3;
  return model;
}

Tensor images(int N, std::uint64_t seed) {
  test::Rng rng(seed);
  return test::uniform({N, 3, kShape.height, kShape.width}, 0, 1, rng);
}

double fc_bias(const BrainDetectionModel& model) {
  for (const auto& p : model.parameters())
    if (p.name == "fc.bias") return p.var.value().item();
  return NAN;
}

double map_sum(const Tensor& maps, int n) {
  const long per = maps.numel() / maps.dim(0);
  double s = 0;
  for (long i = 0; i < per; ++i) s += maps.item(n * per + i);
  return s;
}

}  // namespace

TEST_CASE("explanations: CAM sums to z - fc.bias, and to -(z - fc.bias) for 'no tumor'") {
  BrainDetectionModel model(kShape, DType::F64);
  model.initialize(3);
  const Tensor x = images(2, 1);
  for (const bool attention : {false, true}) {
    const Explanation tumor = explain(model, x, CamMethod::Cam, attention, true);
    const Explanation none = explain(model, x, CamMethod::Cam, attention, false);
    REQUIRE(tumor.maps.shape() == Shape{2, 2, 2});
    for (int n = 0; n < 2; ++n) {
      CHECK(map_sum(tumor.maps, n) + fc_bias(model) == Approx(tumor.logits.item(n)).epsilon(1e-12));
      CHECK(map_sum(none.maps, n) == Approx(-map_sum(tumor.maps, n)).epsilon(1e-12));
    }
  }
}

TEST_CASE("explanations: HiResCAM and LayerCAM sum to z - fc.bias when nothing is clipped") {
  // g is fc's weight at each pool2 window's maximum and 0 elsewhere, so sum(g * A) = z - bias.
  BrainDetectionModel model = positive_fc_model();
  const Tensor x = images(2, 2);
  for (CamMethod method : {CamMethod::HiResCam, CamMethod::LayerCam}) {
    const Explanation e = explain(model, x, method, true);
    REQUIRE(e.maps.shape() == Shape{2, 8, 8});
    for (int n = 0; n < 2; ++n)
      CHECK(map_sum(e.maps, n) + fc_bias(model) == Approx(e.logits.item(n)).epsilon(1e-10));
  }
  // Explaining "no tumor" makes every gradient negative: LayerCAM's ReLU(g) leaves nothing.
  const Explanation none = explain(model, x, CamMethod::LayerCam, true, false);
  for (long i = 0; i < none.maps.numel(); ++i) REQUIRE(none.maps.item(i) == 0.0);
}

TEST_CASE("explanations: Grad-CAM and Grad-CAM++ follow their formulas") {
  BrainDetectionModel model = positive_fc_model();
  const Tensor x = images(1, 4);
  Tensor A, P;
  {
    NoGradScope no_grad;
    const ForwardResult r = model.forward(Var(x), {.attention = true});
    A = r.A.value();
    P = r.P.value();
  }
  // g from first principles: fc's weight at the first maximum of each 4x4 window of A.
  const int C = kShape.channels, h = 8, w = 8;
  const Tensor W = model.fc_weight();
  std::vector<double> g(C * h * w, 0.0);
  for (int c = 0; c < C; ++c)
    for (int i = 0; i < 2; ++i)
      for (int j = 0; j < 2; ++j) {
        int best = (4 * i) * w + 4 * j;
        for (int di = 0; di < 4; ++di)
          for (int dj = 0; dj < 4; ++dj) {
            const int p = (4 * i + di) * w + 4 * j + dj;
            if (A.item(c * h * w + p) > A.item(c * h * w + best)) best = p;
          }
        g[c * h * w + best] = W.item(c * 4 + i * 2 + j);
      }
  std::vector<double> gradcam(h * w, 0.0), gradcampp(h * w, 0.0);
  for (int c = 0; c < C; ++c) {
    double mean_g = 0, a_sum = 0, weight = 0;
    for (int p = 0; p < h * w; ++p)
      mean_g += g[c * h * w + p] / (h * w), a_sum += A.item(c * h * w + p);
    for (int p = 0; p < h * w; ++p) {
      const double gp = g[c * h * w + p];
      if (gp != 0) weight += gp * gp / (2 * gp * gp + gp * gp * gp * a_sum) * gp;
    }
    for (int p = 0; p < h * w; ++p) {
      gradcam[p] += mean_g * A.item(c * h * w + p);
      gradcampp[p] += weight * A.item(c * h * w + p);
    }
  }
  const Explanation e1 = explain(model, x, CamMethod::GradCam, true);
  const Explanation e2 = explain(model, x, CamMethod::GradCamPlusPlus, true);
  for (int p = 0; p < h * w; ++p) {
    CHECK(e1.maps.item(p) == Approx(std::max(gradcam[p], 0.0)).epsilon(1e-12).margin(1e-15));
    CHECK(e2.maps.item(p) == Approx(std::max(gradcampp[p], 0.0)).epsilon(1e-12).margin(1e-15));
  }
  // Explanations leave no gradients behind on the model.
  for (const auto& p : model.parameters()) CHECK_FALSE(p.var.grad().defined());
}

TEST_CASE("explanations: bilinear upsampling uses half-pixel centres") {
  const Tensor m = Tensor::from_vector({1, 2, 2}, {1, 2, 3, 4}, DType::F64);
  const Tensor up = upsample_bilinear(m, 4, 4);
  // PyTorch's interpolate(mode="bilinear", align_corners=False) gives these rows.
  const std::vector<double> expected{1,   1.25, 1.75, 2,   1.5, 1.75, 2.25, 2.5,
                                     2.5, 2.75, 3.25, 3.5, 3,   3.25, 3.75, 4};
  CHECK(up.to_vector() == expected);
  const Tensor n = normalize_minmax(up);
  CHECK(n.item(0) == 0.0);
  CHECK(n.item(15) == 1.0);
}

TEST_CASE("explanations: localization scores of a map against a lesion mask") {
  const int H = 10, W = 10;
  std::vector<double> map(H * W, 0.0);
  std::vector<float> mask(H * W, 0.0f);
  for (int y = 2; y < 4; ++y)
    for (int x = 2; x < 7; ++x) mask[y * W + x] = 1.0f;                  // a 10-pixel lesion
  for (int i = 0; i < 10; ++i) map[22 + i % 5 + (i / 5) * W] = 1.0 + i;  // exactly on the lesion
  map[99] = 5.0;                                                         // and one stray pixel
  const LocalizationScore s = score_localization(map.data(), mask.data(), H, W);
  CHECK(s.pointing_hit);
  CHECK(s.energy_inside == Approx(55.0 / 60.0));
  // The top 10 pixels: 9 on the lesion (values 2..10) and the stray 5; lesion 10: IoU 9/11.
  CHECK(s.iou_top10 == Approx(9.0 / 11.0));
  map[99] = 100.0;
  CHECK_FALSE(score_localization(map.data(), mask.data(), H, W).pointing_hit);
}

namespace {

// A saliency map of the model input that repeats every `period` pixels: ties, and no pixel order.
std::vector<double> periodic_saliency(int period) {
  std::vector<double> saliency(kShape.height * kShape.width);
  for (std::size_t i = 0; i < saliency.size(); ++i) saliency[i] = static_cast<double>(i % period);
  return saliency;
}

// p(tumor) of one image (1 x 3 x H x W) with attention on.
double tumor_probability_of(BrainDetectionModel& model, const Tensor& image) {
  NoGradScope no_grad;
  return tumor_probability(
      model.forward(Var(image.to(model.dtype())), {.attention = true}).logits.value().item());
}

}  // namespace

TEST_CASE("explanations: deletion and insertion curves run between the image and a black one") {
  BrainDetectionModel model(kShape, DType::F64);
  model.initialize(9);
  const Tensor x = images(1, 5);
  const std::vector<double> saliency = periodic_saliency(37);
  const FaithfulnessCurves c = faithfulness_curves(
      model, x, saliency.data(), true, true, {.baseline = FaithfulnessBaseline::black, .steps = 8});
  REQUIRE(c.deletion.size() == 9);
  REQUIRE(c.insertion.size() == 9);
  const double p_image = tumor_probability_of(model, x),
               p_black = tumor_probability_of(model, Tensor::zeros(x.shape(), DType::F64));
  CHECK(c.deletion.front() == Approx(p_image).epsilon(1e-6));
  CHECK(c.deletion.back() == Approx(p_black).epsilon(1e-6));
  CHECK(c.insertion.front() == Approx(p_black).epsilon(1e-6));
  CHECK(c.insertion.back() == Approx(p_image).epsilon(1e-6));
  CHECK(c.deletion_auc > 0);
  CHECK(c.deletion_auc < 1);
}

TEST_CASE("explanations: by default the curves run between the image and its blurred copy") {
  BrainDetectionModel model(kShape, DType::F64);
  model.initialize(9);
  const Tensor x = images(1, 5);
  const std::vector<double> saliency = periodic_saliency(23);
  const FaithfulnessOptions blur{.baseline = FaithfulnessBaseline::blur, .blur_sigma = 2.0};
  const FaithfulnessCurves c = faithfulness_curves(model, x, saliency.data(), true, true, blur);
  const Tensor base = faithfulness_baseline(x, blur);
  auto probability = [&](const Tensor& image) { return tumor_probability_of(model, image); };
  const double p_base = probability(base);
  CHECK(c.insertion.front() == Approx(p_base).epsilon(1e-6));  // the baseline's own probability
  CHECK(c.deletion.back() == Approx(p_base).epsilon(1e-6));
  CHECK(c.deletion.front() == Approx(probability(x)).epsilon(1e-6));
  CHECK(p_base != Approx(probability(Tensor::zeros(x.shape(), DType::F64))));  // not black
  // A blur keeps a constant image constant and smooths the rest.
  const Tensor flat = faithfulness_baseline(Tensor::full(x.shape(), 0.25, DType::F32), blur);
  for (double v : flat.to_vector()) CHECK(v == Approx(0.25));
}
