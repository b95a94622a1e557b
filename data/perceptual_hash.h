#pragma once
// Near-identical images: a 64-bit perceptual hash (the DCT hash of Zauner, 2010, "pHash") and
// the pairs of images whose hashes differ in at most a few bits. Re-encoded, rescaled, slightly
// shifted or brightened copies of one scan hash alike; different scans differ in ~32 of 64 bits.
#include <cstdint>
#include <utility>
#include <vector>

#include "data/image.h"

namespace braincam::data {

// The grey image (mean of the channels) shrunk to 32 × 32 by area averaging, its 2-D DCT-II,
// and the 8 × 8 lowest frequencies (DC included) compared with their median: bit 8·v + u is 1
// where coefficient (v, u) is above the median.
std::uint64_t perceptual_hash(const Image& image);

inline int hash_distance(std::uint64_t a, std::uint64_t b) { return __builtin_popcountll(a ^ b); }

// The pairs (i < j) with hash_distance(hashes[i], hashes[j]) <= max_distance, in increasing
// order. All pairs are compared: 7,000 images take a fraction of a second.
std::vector<std::pair<std::size_t, std::size_t>> near_duplicate_pairs(
    const std::vector<std::uint64_t>& hashes, int max_distance);

}  // namespace braincam::data
