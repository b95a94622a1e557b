// Gathering a batch from stored uint8 images (kernels/cuda/gather_images.cu) against the CPU
// reference (kernels/cpu/gather_images.cpp), which is checked against its definition: bit for
// bit, since both divide by 255 in IEEE float. The index repeats and skips images.
#include "kernels/cpu/gather_images.h"

#include <catch2/catch.hpp>
#include <random>

#include "engine/ops.h"
#include "kernels/bounds/gather_images.h"
#include "kernels/cuda/gather_images.h"
#include "tests/kernels/kernel_test_support.h"

namespace braincam::test {
namespace {

static_assert(bounds::gather_images::kBound.bitwise());

constexpr int M = 4;
const std::vector<std::int32_t> kIndex = {3, 1, 3, 0};

struct ImageShape {
  int C, H, W;
  long pixels() const { return static_cast<long>(H) * W; }
};
constexpr ImageShape kShape{3, 5, 7};  // the device tests'

std::vector<std::uint8_t> stored_images(const ImageShape& s) {
  std::mt19937 rng(5 + s.C + s.H);
  std::uniform_int_distribution<int> byte(0, 255);
  std::vector<std::uint8_t> images(M * s.pixels() * s.C);
  for (auto& v : images) v = static_cast<std::uint8_t>(byte(rng));
  images[0] = 0;  // the two ends of the range
  images[1] = 255;
  return images;
}

std::vector<float> reference_batch(const std::vector<std::uint8_t>& images, const ImageShape& s) {
  std::vector<float> out(kIndex.size() * s.C * s.pixels(), kPoison);
  cpu::gather_images(out.data(), images.data(), kIndex.data(), static_cast<int>(kIndex.size()), s.C,
                     s.H, s.W);
  return out;
}

TEST_CASE("gather images: the CPU reference is pixel / 255 in NCHW order", "[gather_images]") {
  // 3 channels take a vectorized loop of their own, other counts a general one; the larger plane
  // runs the vector loop's body, not only its tail.
  for (const ImageShape s :
       {kShape, ImageShape{3, 16, 21}, ImageShape{1, 5, 7}, ImageShape{4, 16, 21}}) {
    DYNAMIC_SECTION(s.C << " channels, " << s.H << "x" << s.W) {
      const long plane = s.pixels();
      const std::vector<std::uint8_t> images = stored_images(s);
      const std::vector<float> out = reference_batch(images, s);
      for (std::size_t b = 0; b < kIndex.size(); ++b)
        for (int c = 0; c < s.C; ++c)
          for (long i = 0; i < plane; ++i) {
            const float want =
                static_cast<float>(images[(kIndex[b] * plane + i) * s.C + c]) / 255.0f;
            REQUIRE(out[(b * s.C + c) * plane + i] == want);
          }
    }
  }
}

template <class Set>
void check_gather() {
  const std::vector<std::uint8_t> images = stored_images(kShape);
  const Tensor IMAGES = on_device<Set>(images), INDEX = on_device<Set>(kIndex);
  Tensor OUT =
      on_device<Set>(std::vector<float>(kIndex.size() * kShape.C * kShape.pixels(), kPoison));
  cuda::gather_images<Set>(OUT.data<float>(), IMAGES.data<std::uint8_t>(),
                           INDEX.data<std::int32_t>(), static_cast<int>(kIndex.size()), kShape.C,
                           kShape.H, kShape.W, stream_of<Set>());
  require_identical(on_host<Set, float>(OUT), reference_batch(images, kShape), "batch");
}

TEST_CASE("gather images: the emulator matches the CPU reference", "[gather_images][emulator]") {
  check_gather<cuda::Emulated>();
}

TEST_CASE("gather images: the GPU matches the CPU reference", "[gather_images][gpu]") {
  on_gpu([]<class Set>() { check_gather<Set>(); });
}

TEST_CASE("gather images: the op takes U8 images and an I32 index on their device",
          "[gather_images]") {
  const auto [C, H, W] = kShape;
  const Tensor images = Tensor::zeros({2, H, W, C}, DType::U8);
  const Tensor index = Tensor::from_vector({2}, {1, 0}, DType::I32);
  CHECK(gather_images(images, index).shape() == Shape{2, C, H, W});
  CHECK_THROWS_AS(gather_images(images, index.to(DType::I64)), std::invalid_argument);
  CHECK_THROWS_AS(gather_images(images, index.to(Device::Emulator)), std::invalid_argument);
  CHECK_THROWS_AS(gather_images(images.to(DType::F32), index), std::invalid_argument);
}

}  // namespace
}  // namespace braincam::test
