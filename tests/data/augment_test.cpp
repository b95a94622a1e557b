// braincam augment: the seed's counts, recoverable sources, masks, determinism.
#include <catch2/catch.hpp>
#include <set>

#include "data/augment_dataset.h"
#include "data/data_error.h"
#include "data/source_group.h"
#include "data_test_helpers.h"

using namespace braincam::data;
using braincam::data::test::head_image;
using braincam::data::test::numbered;
using braincam::data::test::TempDir;
using braincam::data::test::write_png;
namespace fs = std::filesystem;

namespace {
std::vector<std::string> names_in(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}
}  // namespace

TEST_CASE("155 yes and 98 no sources become 1,085 and 980 images by default", "[data][augment]") {
  TempDir t;
  const Image tiny = head_image(12, 10, 6, 5, 4, 3);
  for (int i = 1; i <= 155; ++i)
    write_png(t.path() / "in" / "yes" / numbered("Y", i, ".png"), tiny);
  for (int i = 1; i <= 98; ++i)
    write_png(t.path() / "in" / "no" / numbered("no ", i, ".png"), tiny);
  AugmentOptions o;
  o.data_dir = t.path() / "in";
  o.out_dir = t.path() / "out";
  parse_per_class("yes=6,no=9", o.per_class);
  const AugmentReport r = augment_dataset(o);
  CHECK(r.written[1] == 1085);
  CHECK(r.written[0] == 980);
  const auto yes = names_in(o.out_dir / "yes");
  const auto no = names_in(o.out_dir / "no");
  REQUIRE(yes.size() == 1085);
  REQUIRE(no.size() == 980);
  std::set<std::string> sources;
  for (const auto& n : yes) {
    const SourceName s = source_of(n);
    REQUIRE(s.augmented);
    sources.insert(s.stem);
  }
  CHECK(sources.size() == 155);
  CHECK(source_of(no.front()).stem.starts_with("no "));
  CHECK_FALSE(fs::exists(o.out_dir / "masks"));  // no masks in, none out
  CHECK_THROWS_WITH(augment_dataset(o), Catch::Contains("already exists"));
}

TEST_CASE("augmentation is seeded and carries lesion masks along", "[data][augment]") {
  TempDir t;
  const Image head = head_image(64, 48, 32, 24, 24, 18);
  Image mask(64, 48, 1, 0);
  for (int y = 20; y < 28; ++y)
    for (int x = 28; x < 36; ++x) mask.at(x, y) = 255;
  write_png(t.path() / "in" / "yes" / "Y1.png", head);
  write_png(t.path() / "in" / "masks" / "yes" / "Y1.png", mask);
  write_png(t.path() / "in" / "no" / "N1.png", head);
  AugmentOptions o;
  o.data_dir = t.path() / "in";
  o.out_dir = t.path() / "a";
  o.per_class[0] = o.per_class[1] = 2;
  augment_dataset(o);
  o.out_dir = t.path() / "b";
  augment_dataset(o);
  const auto a = names_in(t.path() / "a" / "yes");
  CHECK(a == names_in(t.path() / "b" / "yes"));
  REQUIRE(a.size() == 3);
  const auto masks = names_in(t.path() / "a" / "masks" / "yes");
  REQUIRE(masks.size() == 3);
  const Image m = read_image_file(t.path() / "a" / "masks" / "yes" / masks[0]).rgb;
  CHECK(m.width == 64);
  for (std::uint8_t v : m.pixels) REQUIRE((v == 0 || v == 255));  // still binary
  CHECK(std::count(m.pixels.begin(), m.pixels.end(), 255) > 0);
  o.out_dir = t.path() / "c";
  o.seed = 43;
  augment_dataset(o);
  CHECK(names_in(t.path() / "c" / "yes") != a);
  CHECK_THROWS_WITH(parse_per_class("yes=6,maybe=2", o.per_class), Catch::Contains("maybe=2"));
}

TEST_CASE("augment checks --out before any work and leaves no temporary folder",
          "[data][augment]") {
  TempDir t;
  write_png(t.path() / "in" / "yes" / "Y1.png", head_image(64, 48, 32, 24, 24, 18));
  write_png(t.path() / "in" / "no" / "N1.png", head_image(64, 48, 32, 24, 24, 18));
  write_png(t.path() / "out" / "mine.png", head_image(8, 8, 4, 4, 2, 2));
  AugmentOptions o;
  o.data_dir = t.path() / "in";
  o.out_dir = t.path() / "out";
  CHECK_THROWS_WITH(augment_dataset(o), Catch::Contains("already exists and is not empty"));
  CHECK(names_in(t.path()) == std::vector<std::string>{"in", "out"});
  CHECK(names_in(t.path() / "out") == std::vector<std::string>{"mine.png"});
}

TEST_CASE("augment keeps the four-class layout's folders", "[data][augment]") {
  TempDir t;
  const Image head = head_image(40, 36, 20, 18, 15, 12);
  write_png(t.path() / "in" / "Training" / "glioma" / "Tr-gl_1.png", head);
  write_png(t.path() / "in" / "Training" / "notumor" / "Tr-no_1.png", head);
  write_png(t.path() / "in" / "Testing" / "pituitary" / "Te-pi_1.png", head);
  AugmentOptions o;
  o.data_dir = t.path() / "in";
  o.out_dir = t.path() / "out";
  const AugmentReport r = augment_dataset(o);
  CHECK(r.sources[1] == 2);
  CHECK(names_in(o.out_dir / "Training" / "glioma").size() == 7);
  CHECK(names_in(o.out_dir / "Training" / "notumor").size() == 10);
  CHECK(names_in(o.out_dir / "Testing" / "pituitary").size() == 7);
  CHECK(source_of(names_in(o.out_dir / "Testing" / "pituitary").front()).stem == "Te-pi_1");
}
