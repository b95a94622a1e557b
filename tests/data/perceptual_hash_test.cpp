// The perceptual hash: copies of one scan hash alike, different scans do not.
#include "data/perceptual_hash.h"

#include <catch2/catch.hpp>

#include "data/image_codec.h"
#include "data/resize_bicubic.h"
#include "data/source_group.h"
#include "data_test_helpers.h"

using namespace braincam::data;
using braincam::data::test::patterned_head;

namespace {

Image brighter(Image im, int by) {
  for (auto& v : im.pixels) v = static_cast<std::uint8_t>(std::min(255, v + by));
  return im;
}

}  // namespace

TEST_CASE("copies of a scan are near-identical, other scans are not", "[data][phash]") {
  const Image scan = patterned_head(240, 240, 1);
  const std::uint64_t h = perceptual_hash(scan);
  CHECK(h == perceptual_hash(scan));
  CHECK(hash_distance(h, perceptual_hash(brighter(scan, 12))) <= kNearDuplicateDistance);
  const Image jpeg = decode_image(encode_jpeg(scan, 75), "copy.jpg").rgb;
  CHECK(hash_distance(h, perceptual_hash(jpeg)) <= kNearDuplicateDistance);
  CHECK(hash_distance(h, perceptual_hash(resize_bicubic(scan, 160, 160))) <=
        kNearDuplicateDistance);
  for (std::uint64_t other = 2; other < 12; ++other)
    CHECK(hash_distance(h, perceptual_hash(patterned_head(240, 240, other))) > 12);
}

TEST_CASE("the hash splits its 64 low frequencies at their median", "[data][phash]") {
  // Half the bits are set, so two hashes always differ in an even number of bits.
  for (std::uint64_t seed = 1; seed < 6; ++seed)
    CHECK(__builtin_popcountll(perceptual_hash(patterned_head(100, 120, seed))) == 32);
}

TEST_CASE("near-duplicate pairs are those within the distance", "[data][phash]") {
  const std::vector<std::uint64_t> hashes = {0x0, 0x3, 0xF, 0xFF, 0x1};
  using Pairs = std::vector<std::pair<std::size_t, std::size_t>>;
  CHECK(near_duplicate_pairs(hashes, 0) == Pairs{});
  CHECK(near_duplicate_pairs(hashes, 1) == Pairs{{0, 4}, {1, 4}});
  CHECK(near_duplicate_pairs(hashes, 2) == Pairs{{0, 1}, {0, 4}, {1, 2}, {1, 4}});
  CHECK(near_duplicate_pairs(hashes, 64).size() == 10);
}
