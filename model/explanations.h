#pragma once
// Class activation maps, exactly as the spec's section 5, and how to score them.
//
// The target score is the logit z ("tumor"), or -z to explain "no tumor". CAM is computed on P
// (15x15); the gradient methods on A (60x60) with g = dz/dA. Maps are returned at their layer's
// resolution; `upsample_bilinear` brings them to the model input and `normalize_minmax` scales
// each to [0, 1] for display.
#include <string>
#include <utility>
#include <vector>

#include "model/brain_detection_model.h"

namespace braincam {

enum class CamMethod { Cam, GradCam, GradCamPlusPlus, HiResCam, LayerCam };

CamMethod parse_cam_method(const std::string& name);  // cam, gradcam, gradcam++, hirescam, layercam
const char* cam_method_name(CamMethod method);
const std::vector<CamMethod>& all_cam_methods();

struct Explanation {
  Tensor maps;    // N x h x w, float64 on the CPU, at the method's layer resolution
  Tensor logits;  // N, float64 on the CPU
};

// Runs the model in evaluation mode on `images` (N x 3 x H x W, on the model's device and dtype).
// `explain_tumor` false explains "no tumor" (-z).
Explanation explain(BrainDetectionModel& model, const Tensor& images, CamMethod method,
                    bool attention, bool explain_tumor = true);
// The CAM explanation from cam_reduce's maps (N x h x w) and the logits (N x 1), on any device:
// both to the host in double, the maps negated to explain "no tumor".
Explanation cam_explanation(const Tensor& maps, const Tensor& logits, bool explain_tumor);

// N x h x w -> N x H x W, bilinear with half-pixel centres (PyTorch's align_corners=False).
Tensor upsample_bilinear(const Tensor& maps, int H, int W);
// Each map scaled to [0, 1] (a constant map becomes all zeros).
Tensor normalize_minmax(const Tensor& maps);

// How well one map (H x W, any scale, non-negative) points at one lesion mask (H x W, 0/1).
struct LocalizationScore {
  bool pointing_hit;     // the map's maximum lies inside the lesion
  double energy_inside;  // share of the map's sum inside the lesion
  double iou_top10;      // IoU of the top 10% of pixels with the lesion
};
LocalizationScore score_localization(const double* map, const float* mask, int H, int W);

// Deletion and insertion curves (faithfulness): the target class's probability as the most
// salient pixels (by `saliency`, H x W) are replaced first by the baseline's, and as they are
// inserted first into the baseline, at k/steps of the pixels, k = 0..steps. The deletion curve so
// ends, and the insertion curve starts, at the baseline's own probability. A faithful map makes
// the deletion curve fall fast (small area) and the insertion curve rise fast (large area).
struct FaithfulnessCurves {
  std::vector<double> deletion, insertion;
  double deletion_auc = 0, insertion_auc = 0;
};
// The image that removed pixels take their values from. A blurred copy keeps the image's coarse
// brightness, so the curves measure the removal of detail; black is far from any scan the model
// saw (a model may call a black image a tumor: `braincam audit`).
enum class FaithfulnessBaseline { blur, black };
// Their names on the command line and in cam_scores.json.
inline constexpr std::pair<const char*, FaithfulnessBaseline> kFaithfulnessBaselineNames[] = {
    {"blur", FaithfulnessBaseline::blur}, {"black", FaithfulnessBaseline::black}};
struct FaithfulnessOptions {
  FaithfulnessBaseline baseline = FaithfulnessBaseline::blur;
  double blur_sigma = 8.0;  // pixels of the model input (the shortcut audit's blur)
  int steps = 20;
};
// image: 1 x 3 x H x W.
FaithfulnessCurves faithfulness_curves(BrainDetectionModel& model, const Tensor& image,
                                       const double* saliency, bool attention, bool explain_tumor,
                                       const FaithfulnessOptions& options = {});
// The baseline of `image` (1 x 3 x H x W) under `options`, F32 on the host.
Tensor faithfulness_baseline(const Tensor& image, const FaithfulnessOptions& options);

}  // namespace braincam
