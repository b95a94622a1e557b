#include "model/image_set.h"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "data/preprocess.h"

namespace braincam {

namespace {

Tensor cache_images(const data::DatasetCache& cache, std::span<const std::size_t> indices) {
  constexpr int side = data::kInputSize, channels = data::kInputChannels;
  constexpr std::size_t bytes = static_cast<std::size_t>(side) * side * channels;
  Tensor images({static_cast<std::int64_t>(indices.size()), side, side, channels}, DType::U8);
  for (std::size_t i = 0; i < indices.size(); ++i) {
    if (indices[i] >= cache.size())
      throw std::out_of_range("ImageSet: image " + std::to_string(indices[i]) + " of a cache of " +
                              std::to_string(cache.size()));
    std::copy_n(cache.pixels(indices[i]), bytes, images.data<std::uint8_t>() + i * bytes);
  }
  return images;
}

std::vector<int> cache_labels(const data::DatasetCache& cache, std::span<const std::size_t> indices) {
  std::vector<int> labels;
  for (std::size_t i : indices) labels.push_back(cache.label(i));
  return labels;
}

}  // namespace

ImageSet::ImageSet(const data::DatasetCache& cache, std::span<const std::size_t> indices, Device device)
    : ImageSet(cache_images(cache, indices), cache_labels(cache, indices), device) {}

ImageSet::ImageSet(const Tensor& images, std::vector<int> labels, Device device)
    : images_(images.to(device)), labels_(std::move(labels)) {
  if (images.dtype() != DType::U8 || images.ndim() != 4 || images.dim(3) != 3)
    throw std::invalid_argument("ImageSet: images must be M x H x W x 3 of U8, got " +
                                shape_str(images.shape()) + " of " + dtype_name(images.dtype()));
  if (static_cast<std::size_t>(images.dim(0)) != labels_.size())
    throw std::invalid_argument("ImageSet: " + std::to_string(images.dim(0)) + " images but " +
                                std::to_string(labels_.size()) + " labels");
}

void ImageSet::keep_patch_moments() {
  if (!patch_moments_ && size() > 0) patch_moments_ = patch_moment_cache(images_);
}

ImageSet::Batch ImageSet::batch(std::span<const std::size_t> positions) const {
  Batch b{.images = {}, .labels = Tensor({static_cast<std::int64_t>(positions.size())}, DType::F32),
          .index = {}, .moments = patch_moments_ ? &*patch_moments_ : nullptr};
  for (std::size_t i = 0; i < positions.size(); ++i) {
    if (positions[i] >= size())
      throw std::out_of_range("ImageSet: position " + std::to_string(positions[i]) + " of a set of " +
                              std::to_string(size()));
    b.index.push_back(static_cast<std::int32_t>(positions[i]));
    b.labels.data<float>()[i] = static_cast<float>(labels_[positions[i]]);
  }
  b.images = gather_images(images_, b.index);
  b.labels = b.labels.to(device());
  return b;
}

}  // namespace braincam
