#pragma once
// A set of images held where the model runs, as the dataset cache stores them (uint8, HWC).
// Batches are gathered and turned into floats there (gather_images): the images go to the device
// once, a quarter of the size of floats, and an epoch's order once (Order), where sending every
// batch would move 22 MB of floats across the bus.
//
// The set can also keep the fused first layer's patch moments of every image (PatchMomentCache):
// they depend on the images alone, so computed once they spare every later training batch that
// work. Only for images used as stored: augmented batches come from the dataset cache instead.
#include <cstdint>
#include <functional>
#include <optional>
#include <span>

#include "engine/ops.h"

namespace braincam {

namespace data {
class DatasetCache;  // data/dataset_cache.h
}

class TrainingStepGraph;  // model/training_step_graph.h

class ImageSet {
 public:
  // images: M x H x W x 3 of U8 (a dataset cache's: cache_images below), moved to
  // `device`. On the CPU the set shares `images`' memory: they must not change while it is in
  // use (its batches and its patch moments would no longer agree).
  ImageSet(const Tensor& images, Device device);
  // Batches point into the set: it stays where it was made.
  ImageSet(const ImageSet&) = delete;
  ImageSet& operator=(const ImageSet&) = delete;

  std::size_t size() const { return static_cast<std::size_t>(images_.dim(0)); }
  Device device() const { return images_.device(); }

  // Computes and keeps the patch moments of every image (45.6 KB each at 3 channels).
  void keep_patch_moments();
  bool has_patch_moments() const { return patch_moments_.has_value(); }

  // An order of the set's images (positions, each below size()), checked and held on the
  // device in one copy: the batches cut from it need no copy from the host.
  class Order {
    friend class ImageSet;
    friend class TrainingStepGraph;
    explicit Order(Tensor index) : index_(std::move(index)) {}
    Tensor index_;  // I32 on the set's device
  };
  // Throws std::out_of_range for a position at or past size().
  Order order(std::span<const std::size_t> positions) const;

  struct Batch {
    Tensor images;                    // N x 3 x H x W F32, pixel / 255, on the set's device
    Tensor index;                     // N I32 on the set's device: the positions in the set
    const PatchMomentCache* moments;  // the set's patch moments, or null

    // The images' cached patch moments for the model, or nothing when the set keeps none. Refers
    // to this batch and its set: not for a temporary batch.
    std::optional<CachedPatchMoments> patch_moments() const& {
      if (!moments) return std::nullopt;
      return CachedPatchMoments{*moments, index};
    }
    std::optional<CachedPatchMoments> patch_moments() && = delete;
  };
  // The images order[first, first + n).
  Batch batch(const Order& order, std::size_t first, std::size_t n) const;
  // The images at `positions`, in that order (one copy of the positions to the device).
  Batch batch(std::span<const std::size_t> positions) const;
  // Calls `visit` with the whole set in its own order, in batches of `batch` (the last partial).
  void for_each_batch(int batch, const std::function<void(const Batch&)>& visit) const;

 private:
  friend class TrainingStepGraph;             // gathers through an index it refills from an Order
  Batch batch_of(const Tensor& index) const;  // index: I32 on the device, checked

  Tensor images_;  // M x H x W x 3, U8
  std::optional<PatchMomentCache> patch_moments_;
};

// The images `indices` of `cache`, in that order, as stored (M x H x W x 3 of U8 on the host),
// for an ImageSet. Throws std::out_of_range for an index past the cache's end.
Tensor cache_images(const data::DatasetCache& cache, std::span<const std::size_t> indices);

}  // namespace braincam
