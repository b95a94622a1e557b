#pragma once
// Flip test-time augmentation for `braincam evaluate` and `braincam predict`: the probability of an
// image is the mean of the model's probabilities on the image and on its left-right mirror.
//
// Probabilities are averaged, not logits: the mean is then the prediction of a two-member
// ensemble on the scale the decision threshold and the metrics read, and one saturated pass (a
// logit of 30 against one of -1) cannot outvote the other as it would in a mean of logits.
//
// The mirror is made on the host, on the uint8 images as the dataset cache stores them, before
// they go to the device: every backend then runs the mirrored images through the same upload,
// gather and forward as any other image, bit for bit what it would do had the file been
// mirrored, and no kernel of its own is needed.
#include <cstdint>
#include <string>
#include <vector>

#include "engine/tensor.h"
#include "model/brain_detection_model.h"
#include "model/class_metrics.h"

namespace braincam {

enum class TestTimeAugmentation {
  none,  // the image alone, as without test-time augmentation
  flip,  // the mean of the image's and its left-right mirror's probabilities
};

// "none" or "flip"; throws std::invalid_argument for another name.
TestTimeAugmentation parse_test_time_augmentation(const std::string& name);

// Reverses the order of the pixels in each of `rows` rows of `width` pixels of `channels` bytes,
// stored back to back: images of height x width x channels mirrored left-right.
void mirror_rows(std::uint8_t* pixels, std::size_t rows, int width, int channels);
// A copy of host images (M x H x W x C of U8, as cache_images gives them) mirrored left-right.
Tensor mirrored_left_right(const Tensor& images);

// (a[i] + b[i]) / 2 for each image. Throws std::invalid_argument for sizes that differ.
std::vector<double> mean_of_passes(const std::vector<double>& a, const std::vector<double>& b);

// The probabilities of "tumor" of host images (M x H x W x 3 of U8) in evaluation mode, with
// `tta`. With none, those of predict_probabilities on the images, bit for bit.
std::vector<double> predict_with_tta(BrainDetectionModel& model, const Tensor& images,
                                     bool attention, TestTimeAugmentation tta);
// The same for a K-class model: each image's class probabilities, with flip the mean of the two
// passes' class by class.
ClassProbabilities predict_classes_with_tta(BrainDetectionModel& model, const Tensor& images,
                                            bool attention, TestTimeAugmentation tta);

}  // namespace braincam
