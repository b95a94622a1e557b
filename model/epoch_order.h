#pragma once
// The order in which an epoch visits the training images (positions into the run's training
// set), a pure function of (seed, epoch) so that a resumed run draws it again:
//   Balance::none      every image once, shuffled with Rng(seed, shuffle stream, epoch);
//   Balance::sampling  as many draws as there are images, with replacement, from
//                      Rng(seed, balance stream, epoch): each draw picks either class with
//                      probability 1/2, then one of that class's images uniformly — PyTorch's
//                      WeightedRandomSampler with weight 1 / (2 * class count) per image, so
//                      minority images repeat and majority images are left out.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "model/train_options.h"

namespace braincam {

// labels: one per training image (0 or 1). Balance::sampling needs images of both classes.
std::vector<std::size_t> epoch_positions(std::span<const float> labels, Balance balance,
                                         std::uint64_t seed, int epoch);

}  // namespace braincam
