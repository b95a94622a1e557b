#include "model/image_set.h"

#include <algorithm>
#include <numeric>
#include <stdexcept>
#include <string>

#include "data/dataset_cache.h"
#include "data/preprocess.h"

namespace braincam {

ImageSet::ImageSet(const Tensor& images, Device device) {
  if (images.dtype() != DType::U8 || images.ndim() != 4 || images.dim(3) != 3)
    throw std::invalid_argument("ImageSet: images must be M x H x W x 3 of U8, got " +
                                shape_str(images.shape()) + " of " + dtype_name(images.dtype()));
  images_ = images.to(device);
}

void ImageSet::keep_patch_moments() {
  if (!patch_moments_ && size() > 0) patch_moments_ = patch_moment_cache(images_);
}

ImageSet::Order ImageSet::order(std::span<const std::size_t> positions) const {
  Tensor index({static_cast<std::int64_t>(positions.size())}, DType::I32);
  for (std::size_t i = 0; i < positions.size(); ++i) {
    if (positions[i] >= size())
      throw std::out_of_range("ImageSet: position " + std::to_string(positions[i]) +
                              " of a set of " + std::to_string(size()));
    index.data<std::int32_t>()[i] = static_cast<std::int32_t>(positions[i]);
  }
  return Order(index.to(device()));
}

ImageSet::Batch ImageSet::batch(const Order& order, std::size_t first, std::size_t n) const {
  return batch_of(
      order.index_.rows(static_cast<std::int64_t>(first), static_cast<std::int64_t>(n)));
}

void ImageSet::for_each_batch(int batch, const std::function<void(const Batch&)>& visit) const {
  std::vector<std::size_t> positions(size());
  std::iota(positions.begin(), positions.end(), 0);
  const Order all = order(positions);
  for (std::size_t first = 0; first < size(); first += batch)
    visit(this->batch(all, first, std::min<std::size_t>(batch, size() - first)));
}

ImageSet::Batch ImageSet::batch(std::span<const std::size_t> positions) const {
  return batch_of(order(positions).index_);
}

ImageSet::Batch ImageSet::batch_of(const Tensor& index) const {
  return {gather_images(images_, index), index, patch_moments_ ? &*patch_moments_ : nullptr};
}

Tensor cache_images(const data::DatasetCache& cache, std::span<const std::size_t> indices) {
  constexpr int side = data::kInputSize, channels = data::kInputChannels;
  constexpr std::size_t bytes = static_cast<std::size_t>(side) * side * channels;
  Tensor images({static_cast<std::int64_t>(indices.size()), side, side, channels}, DType::U8);
  for (std::size_t i = 0; i < indices.size(); ++i) {
    if (indices[i] >= cache.size())
      throw std::out_of_range("cache_images: image " + std::to_string(indices[i]) +
                              " of a cache of " + std::to_string(cache.size()));
    std::copy_n(cache.pixels(indices[i]), bytes, images.data<std::uint8_t>() + i * bytes);
  }
  return images;
}

}  // namespace braincam
