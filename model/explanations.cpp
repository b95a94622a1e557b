#include "model/explanations.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

#include "data/probe_images.h"
#include "engine/ops.h"

namespace braincam {

const std::vector<CamMethod>& all_cam_methods() {
  static const std::vector<CamMethod> methods{CamMethod::Cam, CamMethod::GradCam,
                                              CamMethod::GradCamPlusPlus, CamMethod::HiResCam,
                                              CamMethod::LayerCam};
  return methods;
}

const char* cam_method_name(CamMethod method) {
  switch (method) {
    case CamMethod::Cam:
      return "cam";
    case CamMethod::GradCam:
      return "gradcam";
    case CamMethod::GradCamPlusPlus:
      return "gradcam++";
    case CamMethod::HiResCam:
      return "hirescam";
    case CamMethod::LayerCam:
      return "layercam";
  }
  return "?";
}

CamMethod parse_cam_method(const std::string& name) {
  for (CamMethod m : all_cam_methods())
    if (name == cam_method_name(m)) return m;
  throw std::invalid_argument("unknown CAM method '" + name +
                              "' (expected cam, gradcam, gradcam++, hirescam or layercam)");
}

namespace {

// The gradient methods combine A (N x C x h x w) and g = d(target)/dA into one map per image.
Tensor gradient_map(CamMethod method, const Tensor& A, const Tensor& g) {
  const int N = A.dim(0), C = A.dim(1), HW = A.dim(2) * A.dim(3);
  const double* a = A.data<double>();
  const double* d = g.data<double>();
  Tensor maps = Tensor::zeros({N, A.dim(2), A.dim(3)}, DType::F64);
  double* m = maps.data<double>();
  for (int n = 0; n < N; ++n)
    for (int c = 0; c < C; ++c) {
      const double* ac = a + (static_cast<long>(n) * C + c) * HW;
      const double* gc = d + (static_cast<long>(n) * C + c) * HW;
      double* mn = m + static_cast<long>(n) * HW;
      switch (method) {
        case CamMethod::GradCam: {
          const double alpha = std::accumulate(gc, gc + HW, 0.0) / HW;
          for (int p = 0; p < HW; ++p) mn[p] += alpha * ac[p];
          break;
        }
        case CamMethod::GradCamPlusPlus: {
          const double a_sum = std::accumulate(ac, ac + HW, 0.0);
          double weight = 0;
          for (int p = 0; p < HW; ++p) {
            const double g2 = gc[p] * gc[p], denom = 2 * g2 + g2 * gc[p] * a_sum;
            const double alpha = (gc[p] == 0 || denom == 0) ? 0.0 : g2 / denom;
            weight += alpha * std::max(gc[p], 0.0);
          }
          for (int p = 0; p < HW; ++p) mn[p] += weight * ac[p];
          break;
        }
        case CamMethod::HiResCam:
          for (int p = 0; p < HW; ++p) mn[p] += gc[p] * ac[p];
          break;
        case CamMethod::LayerCam:
          for (int p = 0; p < HW; ++p) mn[p] += std::max(gc[p], 0.0) * ac[p];
          break;
        case CamMethod::Cam:
          throw std::logic_error("CAM is not a gradient method");
      }
    }
  for (long i = 0; i < maps.numel(); ++i) m[i] = std::max(m[i], 0.0);  // the final ReLU
  return maps;
}

}  // namespace

Explanation cam_explanation(const Tensor& maps, const Tensor& logits, bool explain_tumor) {
  Tensor host_maps = maps.to(Device::CPU).to(DType::F64);
  const double sign = explain_tumor ? 1.0 : -1.0;
  for (long i = 0; i < host_maps.numel(); ++i) host_maps.data<double>()[i] *= sign;
  return {host_maps, logits.reshape({maps.dim(0)}).to(Device::CPU).to(DType::F64)};
}

Explanation explain(BrainDetectionModel& model, const Tensor& images, CamMethod method,
                    bool attention, bool explain_tumor) {
  const int N = images.dim(0);
  const double sign = explain_tumor ? 1.0 : -1.0;
  if (method == CamMethod::Cam) {
    NoGradScope no_grad;
    const ForwardResult r = model.forward(Var(images), {.attention = attention});
    return cam_explanation(cam_reduce(r.P.value(), model.fc_weight()), r.logits.value(),
                           explain_tumor);
  }
  // The images are independent in evaluation mode, so one backward with seed +-1 per image gives
  // every image's own gradient of its target score.
  const ForwardResult r = model.forward(Var(images), {.attention = attention, .leaf_A = true});
  const Tensor& z = r.logits.value();
  backward(r.logits, Tensor::full(z.shape(), sign, z.dtype(), z.device()));
  const Tensor A = r.A.value().to(Device::CPU).to(DType::F64);
  const Tensor g = r.A.grad().to(Device::CPU).to(DType::F64);
  for (const auto& p : model.parameters()) p.var.zero_grad();  // fc got gradients too: not ours
  return {gradient_map(method, A, g), z.reshape({N}).to(Device::CPU).to(DType::F64)};
}

Tensor upsample_bilinear(const Tensor& maps, int H, int W) {
  const int N = maps.dim(0), h = maps.dim(1), w = maps.dim(2);
  const Tensor src = maps.to(Device::CPU).to(DType::F64);
  Tensor out({N, H, W}, DType::F64);
  // Source coordinate of output pixel i: (i + 0.5) * in/out - 0.5, clamped at the borders.
  auto source = [](int i, int in, int out_size, int& i0, int& i1, double& t) {
    const double x = std::max((i + 0.5) * in / out_size - 0.5, 0.0);
    i0 = std::min(static_cast<int>(x), in - 1);
    i1 = std::min(i0 + 1, in - 1);
    t = x - i0;
  };
  for (int n = 0; n < N; ++n) {
    const double* s = src.data<double>() + static_cast<long>(n) * h * w;
    double* o = out.data<double>() + static_cast<long>(n) * H * W;
    for (int y = 0; y < H; ++y) {
      int y0, y1;
      double ty;
      source(y, h, H, y0, y1, ty);
      for (int x = 0; x < W; ++x) {
        int x0, x1;
        double tx;
        source(x, w, W, x0, x1, tx);
        const double top = s[y0 * w + x0] * (1 - tx) + s[y0 * w + x1] * tx;
        const double bottom = s[y1 * w + x0] * (1 - tx) + s[y1 * w + x1] * tx;
        o[y * W + x] = top * (1 - ty) + bottom * ty;
      }
    }
  }
  return out;
}

Tensor normalize_minmax(const Tensor& maps) {
  Tensor out = maps.to(Device::CPU).to(DType::F64).clone();
  const long per_map = out.numel() / out.dim(0);
  for (int n = 0; n < out.dim(0); ++n) {
    double* m = out.data<double>() + n * per_map;
    const auto [lo, hi] = std::minmax_element(m, m + per_map);
    const double low = *lo, range = *hi - *lo;
    for (long i = 0; i < per_map; ++i) m[i] = range > 0 ? (m[i] - low) / range : 0.0;
  }
  return out;
}

LocalizationScore score_localization(const double* map, const float* mask, int H, int W) {
  const long n = static_cast<long>(H) * W;
  LocalizationScore s{};
  s.pointing_hit = mask[std::max_element(map, map + n) - map] > 0.5f;
  double total = 0, inside = 0;
  for (long i = 0; i < n; ++i) {
    total += map[i];
    if (mask[i] > 0.5f) inside += map[i];
  }
  s.energy_inside = total > 0 ? inside / total : 0.0;
  // The top 10% of pixels by value (ties broken by position, so exactly n/10 pixels).
  std::vector<long> order(n);
  std::iota(order.begin(), order.end(), 0);
  const long top = n / 10;
  std::nth_element(order.begin(), order.begin() + top, order.end(),
                   [&](long a, long b) { return map[a] != map[b] ? map[a] > map[b] : a < b; });
  long intersection = 0, lesion = 0;
  for (long i = 0; i < n; ++i) lesion += mask[i] > 0.5f;
  for (long k = 0; k < top; ++k) intersection += mask[order[k]] > 0.5f;
  const long uni = top + lesion - intersection;
  s.iou_top10 = uni > 0 ? static_cast<double>(intersection) / uni : 0.0;
  return s;
}

Tensor faithfulness_baseline(const Tensor& image, const FaithfulnessOptions& options) {
  const Tensor host = image.to(Device::CPU).to(DType::F32);
  if (options.baseline == FaithfulnessBaseline::black)
    return Tensor::zeros(host.shape(), DType::F32);
  const int H = host.dim(2), W = host.dim(3);
  const std::size_t pixels = static_cast<std::size_t>(H) * W;
  Tensor out(host.shape(), DType::F32);
  for (int c = 0; c < 3; ++c) {
    const float* plane = host.data<float>() + c * pixels;
    const std::vector<double> blurred = data::gaussian_blur(
        std::vector<double>(plane, plane + pixels), W, H, 1, options.blur_sigma);
    std::copy(blurred.begin(), blurred.end(), out.data<float>() + c * pixels);
  }
  return out;
}

FaithfulnessCurves faithfulness_curves(BrainDetectionModel& model, const Tensor& image,
                                       const double* saliency, bool attention, bool explain_tumor,
                                       const FaithfulnessOptions& options) {
  const int H = image.dim(2), W = image.dim(3), steps = options.steps;
  const long pixels = static_cast<long>(H) * W;
  std::vector<long> order(pixels);  // most salient first; ties by position
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](long a, long b) { return saliency[a] > saliency[b]; });

  const Tensor host = image.to(Device::CPU).to(DType::F32);
  const Tensor base = faithfulness_baseline(host, options);
  // Row k of each batch has the first k/steps of the pixels (all three channels) taken from the
  // baseline (deletion) or from the image into the baseline (insertion).
  Tensor deletion({steps + 1, 3, H, W}, DType::F32), insertion({steps + 1, 3, H, W}, DType::F32);
  for (int k = 0; k <= steps; ++k) {
    float* del = deletion.data<float>() + static_cast<long>(k) * 3 * pixels;
    float* ins = insertion.data<float>() + static_cast<long>(k) * 3 * pixels;
    std::copy_n(host.data<float>(), 3 * pixels, del);
    std::copy_n(base.data<float>(), 3 * pixels, ins);
    const long changed = pixels * k / steps;
    for (long i = 0; i < changed; ++i)
      for (int c = 0; c < 3; ++c) {
        del[c * pixels + order[i]] = base.data<float>()[c * pixels + order[i]];
        ins[c * pixels + order[i]] = host.data<float>()[c * pixels + order[i]];
      }
  }
  auto probabilities = [&](const Tensor& batch) {
    NoGradScope no_grad;
    const Tensor z =
        model.forward(Var(batch.to(model.dtype()).to(model.device())), {.attention = attention})
            .logits.value();
    std::vector<double> p;
    for (double v : z.to_vector()) {
      const double tumor = tumor_probability(v);
      p.push_back(explain_tumor ? tumor : 1.0 - tumor);
    }
    return p;
  };
  // The area under a curve sampled at k/steps, k = 0..steps (trapezoids).
  auto area = [&](const std::vector<double>& p) {
    double sum = 0;
    for (int k = 0; k < steps; ++k) sum += (p[k] + p[k + 1]) / 2;
    return sum / steps;
  };
  FaithfulnessCurves c;
  c.deletion = probabilities(deletion);
  c.insertion = probabilities(insertion);
  c.deletion_auc = area(c.deletion);
  c.insertion_auc = area(c.insertion);
  return c;
}

}  // namespace braincam
