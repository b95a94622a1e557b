#pragma once
// A model small enough for quick tests and random images of its size, for the model tests that
// run whole passes over an ImageSet.
#include <cstdint>

#include "base/random.h"
#include "model/brain_detection_model.h"

namespace braincam::test {

// 32x32 images, 16 channels (2 hidden units in the attention's MLP).
inline constexpr ModelShape kSmallModel{.height = 32, .width = 32, .channels = 16, .reduction = 8};

// `count` images of kSmallModel's size (M x H x W x 3 of U8) of random pixels.
inline Tensor random_images(int count, std::uint64_t seed) {
  Tensor images({count, kSmallModel.height, kSmallModel.width, 3}, DType::U8);
  Rng rng(seed);
  std::uint8_t* p = images.data<std::uint8_t>();
  for (std::int64_t i = 0; i < images.numel(); ++i)
    p[i] = static_cast<std::uint8_t>(rng.below(256));
  return images;
}

}  // namespace braincam::test
