#include "model/epoch_order.h"

#include <numeric>
#include <stdexcept>

#include "base/random.h"

namespace braincam {

namespace {

// The streams of the run's generator, Rng(seed, stream, epoch), that order each epoch (the
// trainer draws its subset of the train split from stream 2).
constexpr std::uint64_t kShuffleStream = 1;
constexpr std::uint64_t kBalanceStream = 0xBA1A;

std::vector<std::size_t> shuffled_positions(std::size_t count, std::uint64_t seed, int epoch) {
  std::vector<std::size_t> order(count);
  std::iota(order.begin(), order.end(), 0);
  Rng rng(seed, kShuffleStream, static_cast<std::uint64_t>(epoch));
  shuffle(order, rng);
  return order;
}

std::vector<std::size_t> balanced_positions(std::span<const float> labels, std::uint64_t seed,
                                            int epoch) {
  std::vector<std::size_t> of_class[2];
  for (std::size_t i = 0; i < labels.size(); ++i) of_class[labels[i] > 0.5f].push_back(i);
  if (of_class[0].empty() || of_class[1].empty())
    throw std::runtime_error(
        "balanced sampling needs training images of both classes; this run's have one");
  Rng rng(seed, kBalanceStream, static_cast<std::uint64_t>(epoch));
  std::vector<std::size_t> order(labels.size());
  for (std::size_t& position : order) {
    const std::vector<std::size_t>& images = of_class[rng.below(2)];
    position = images[rng.below(images.size())];
  }
  return order;
}

}  // namespace

std::vector<std::size_t> epoch_positions(std::span<const float> labels, Balance balance,
                                         std::uint64_t seed, int epoch) {
  if (balance == Balance::sampling) return balanced_positions(labels, seed, epoch);
  return shuffled_positions(labels.size(), seed, epoch);
}

}  // namespace braincam
