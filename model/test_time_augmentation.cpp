#include "model/test_time_augmentation.h"

#include <algorithm>
#include <stdexcept>

#include "model/image_set.h"
#include "model/predict.h"

namespace braincam {

TestTimeAugmentation parse_test_time_augmentation(const std::string& name) {
  if (name == "none") return TestTimeAugmentation::none;
  if (name == "flip") return TestTimeAugmentation::flip;
  throw std::invalid_argument("unknown test-time augmentation '" + name + "' (none or flip)");
}

void mirror_rows(std::uint8_t* pixels, std::size_t rows, int width, int channels) {
  const std::size_t pixel = static_cast<std::size_t>(channels);
  for (std::size_t r = 0; r < rows; ++r) {
    std::uint8_t* row = pixels + r * static_cast<std::size_t>(width) * pixel;
    for (int left = 0, right = width - 1; left < right; ++left, --right)
      std::swap_ranges(row + left * pixel, row + (left + 1) * pixel, row + right * pixel);
  }
}

Tensor mirrored_left_right(const Tensor& images) {
  if (images.ndim() != 4 || images.dtype() != DType::U8 || images.device() != Device::CPU)
    throw std::invalid_argument(
        "mirrored_left_right: images must be M x H x W x C of U8 on the CPU");
  Tensor mirrored = images.clone();
  mirror_rows(mirrored.data<std::uint8_t>(),
              static_cast<std::size_t>(images.dim(0) * images.dim(1)),
              static_cast<int>(images.dim(2)), static_cast<int>(images.dim(3)));
  return mirrored;
}

std::vector<double> mean_of_passes(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() != b.size()) throw std::invalid_argument("mean_of_passes: sizes differ");
  std::vector<double> mean(a.size());
  for (std::size_t i = 0; i < a.size(); ++i) mean[i] = (a[i] + b[i]) / 2;
  return mean;
}

std::vector<double> predict_with_tta(BrainDetectionModel& model, const Tensor& images,
                                     bool attention, TestTimeAugmentation tta) {
  // One set at a time on the device: the second pass's images replace the first's.
  const auto pass = [&](const Tensor& host) {
    return predict_probabilities(model, ImageSet(host, model.device()), attention);
  };
  std::vector<double> probabilities = pass(images);
  if (tta == TestTimeAugmentation::none) return probabilities;
  return mean_of_passes(probabilities, pass(mirrored_left_right(images)));
}

ClassProbabilities predict_classes_with_tta(BrainDetectionModel& model, const Tensor& images,
                                            bool attention, TestTimeAugmentation tta) {
  const auto pass = [&](const Tensor& host) {
    return predict_class_probabilities(model, ImageSet(host, model.device()), attention);
  };
  ClassProbabilities probabilities = pass(images);
  if (tta == TestTimeAugmentation::none) return probabilities;
  const ClassProbabilities mirrored = pass(mirrored_left_right(images));
  for (std::size_t i = 0; i < probabilities.size(); ++i)
    probabilities[i] = mean_of_passes(probabilities[i], mirrored[i]);
  return probabilities;
}

}  // namespace braincam
