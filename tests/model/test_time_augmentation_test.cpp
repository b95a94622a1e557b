// Flip test-time augmentation (model/test_time_augmentation.h): the mirror, and the mean of the
// model's probabilities on the images and their mirrors, on the CPU and the emulator.
#include "model/test_time_augmentation.h"

#include <catch2/catch.hpp>
#include <cstring>

#include "model/image_set.h"
#include "model/predict.h"
#include "tests/kernels/kernel_test_support.h"
#include "tests/model/small_model_images.h"

namespace braincam::test {
namespace {

constexpr ModelShape kShape = kSmallModel;

std::vector<double> plain_pass(BrainDetectionModel& model, const Tensor& images) {
  return predict_probabilities(model, ImageSet(images, model.device()), true);
}

TEST_CASE("tta: the mirror reverses each row's pixels and keeps their channels") {
  // Two rows of three RGB pixels.
  std::vector<std::uint8_t> pixels{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18};
  mirror_rows(pixels.data(), 2, 3, 3);
  CHECK(pixels ==
        std::vector<std::uint8_t>{7, 8, 9, 4, 5, 6, 1, 2, 3, 16, 17, 18, 13, 14, 15, 10, 11, 12});
  const Tensor images = random_images(2, 3);
  const Tensor twice = mirrored_left_right(mirrored_left_right(images));
  CHECK(std::memcmp(twice.raw(), images.raw(), images.bytes()) == 0);
  CHECK_THROWS_AS(mirrored_left_right(Tensor({2, 3}, DType::U8)), std::invalid_argument);
  CHECK(parse_test_time_augmentation("flip") == TestTimeAugmentation::flip);
  CHECK_THROWS_AS(parse_test_time_augmentation("mirror"), std::invalid_argument);
}

// With `device`'s model: flip is the mean of the two passes to the bit, none the plain pass, and
// on left-right symmetric images flip changes nothing.
void check_flip(Device device) {
  BrainDetectionModel model(kShape, DType::F32, device);
  model.initialize(11);
  const Tensor images = random_images(3, 5);
  const std::vector<double> plain = plain_pass(model, images);
  const std::vector<double> mirrored = plain_pass(model, mirrored_left_right(images));
  CHECK(plain != mirrored);  // random images: the mirror is another input
  CHECK(predict_with_tta(model, images, true, TestTimeAugmentation::none) == plain);
  const std::vector<double> flip =
      predict_with_tta(model, images, true, TestTimeAugmentation::flip);
  REQUIRE(flip.size() == 3);
  for (std::size_t i = 0; i < flip.size(); ++i) CHECK(flip[i] == (plain[i] + mirrored[i]) / 2);

  // Each image averaged with its mirror: left-right symmetric.
  Tensor symmetric = images.clone();
  const Tensor mirror = mirrored_left_right(images);
  for (std::int64_t i = 0; i < symmetric.numel(); ++i)
    symmetric.data<std::uint8_t>()[i] = static_cast<std::uint8_t>(
        (images.data<std::uint8_t>()[i] + mirror.data<std::uint8_t>()[i]) / 2);
  CHECK(predict_with_tta(model, symmetric, true, TestTimeAugmentation::flip) ==
        plain_pass(model, symmetric));
}

}  // namespace

TEST_CASE("tta: flip on the CPU and the emulator: the mean of the two passes") {
  check_flip(Device::CPU);
  check_flip(Device::Emulator);
}

TEST_CASE("tta: flip on the GPU: the mean of the two passes", "[gpu]") {
  on_gpu([]<class Set>() { check_flip(device_of<Set>()); });
}

}  // namespace braincam::test
