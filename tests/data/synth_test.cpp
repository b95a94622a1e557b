// braincam synth: byte-identical output per seed, class sizes, masks aligned with the images.
#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>

#include "base/file_io.h"
#include "data/data_error.h"
#include "data/dataset_cache.h"
#include "data/image_codec.h"
#include "data/lesion_mask.h"
#include "data/prepare_dataset.h"
#include "data/synth_dataset.h"
#include "data_test_helpers.h"

using namespace braincam::data;
using braincam::data::test::numbered;
using braincam::data::test::prepare_options;
using braincam::data::test::TempDir;
namespace fs = std::filesystem;

namespace {
std::map<std::string, std::vector<std::uint8_t>> files_under(const fs::path& root) {
  std::map<std::string, std::vector<std::uint8_t>> out;
  for (const auto& e : fs::recursive_directory_iterator(root))
    if (e.is_regular_file())
      out[fs::relative(e.path(), root).generic_string()] = braincam::read_file(e.path());
  return out;
}
}  // namespace

TEST_CASE("the same seed gives byte-identical files, another seed other files", "[data][synth]") {
  TempDir t;
  SynthOptions o;
  o.count = 8;
  o.seed = 3;
  o.out_dir = t.path() / "a";
  const SynthReport r = synthesize_dataset(o);
  CHECK(r.tumor == 4);  // round(8 · 1085 / 2065)
  CHECK(r.healthy == 4);
  o.out_dir = t.path() / "b";
  synthesize_dataset(o);
  const auto a = files_under(t.path() / "a");
  CHECK(a.size() == 4 + 4 + 4 + 1);
  CHECK(a == files_under(t.path() / "b"));
  o.out_dir = t.path() / "c";
  o.seed = 4;
  synthesize_dataset(o);
  CHECK(a.at("yes/Y1.jpg") != files_under(t.path() / "c").at("yes/Y1.jpg"));
  const auto doc = nlohmann::json::parse(std::ifstream(t.path() / "a" / "synth.json"));
  CHECK(doc["seed"] == 3);
  CHECK(doc["images"].size() == 8);
  CHECK(doc["images"][0]["params"]["lesions"].size() >= 1);
  CHECK(doc["images"][7]["params"]["lesions"].empty());
  CHECK_THROWS_WITH(synthesize_dataset(o), Catch::Contains("already exists"));
}

TEST_CASE("masks match their images and follow them through the crop", "[data][synth]") {
  TempDir t;
  SynthOptions o;
  o.count = 6;
  o.seed = 11;
  o.difficulty = "easy";
  o.out_dir = t.path() / "s";
  synthesize_dataset(o);
  for (int i = 1; i <= 3; ++i) {
    const fs::path img = o.out_dir / "yes" / numbered("Y", i, ".jpg");
    const Image im = read_image_file(img).rgb;
    const Image mask = read_image_file(lesion_mask_path(img)).rgb;
    REQUIRE(mask.width == im.width);
    REQUIRE(mask.height == im.height);
    // Lesions sit inside the head: brighter or darker than background, never on it.
    double inside = 0;
    std::size_t n = 0;
    for (std::size_t k = 0; k < mask.pixels.size(); k += 3)
      if (mask.pixels[k]) {
        inside += im.pixels[k];
        ++n;
      }
    REQUIRE(n > 0);
    CHECK(inside / n > 30);
  }
  CHECK_FALSE(fs::exists(lesion_mask_path(o.out_dir / "no" / "N1.jpg")));
  prepare_dataset(prepare_options(o.out_dir, t.path() / "cache", 1));
  const DatasetCache c = DatasetCache::open(t.path() / "cache");
  int with_mask = 0;
  for (std::size_t i = 0; i < c.size(); ++i) {
    const auto m = c.lesion_mask(i);
    CHECK(m.has_value() == (c.label(i) == 1));
    if (m) {
      CHECK(m->width == 240);
      CHECK(std::count(m->pixels.begin(), m->pixels.end(), 255) > 20);
      ++with_mask;
    }
  }
  CHECK(with_mask == 3);
}

TEST_CASE("synth refuses bad settings and a missing anatomy", "[data][synth]") {
  TempDir t;
  SynthOptions o;
  o.out_dir = t.path() / "s";
  o.count = 4;
  o.difficulty = "medium";
  CHECK_THROWS_WITH(synthesize_dataset(o), Catch::Contains("unknown difficulty"));
  o.difficulty = "default";
  o.anatomy = t.path() / "missing.nii.gz";
  CHECK_THROWS_WITH(synthesize_dataset(o), Catch::Contains("missing.nii.gz: no such file"));
}

TEST_CASE("synth checks --out before any work and leaves no temporary folder", "[data][synth]") {
  TempDir t;
  const auto entries = [&] {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(t.path()))
      names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
  };
  fs::create_directories(t.path() / "s");
  std::ofstream(t.path() / "s" / "keep.txt") << "mine";
  SynthOptions o;
  o.out_dir = t.path() / "s";
  o.count = 4;
  o.anatomy = t.path() / "missing.nii.gz";  // reached only after the check of --out
  CHECK_THROWS_WITH(synthesize_dataset(o), Catch::Contains("already exists and is not empty"));
  CHECK(entries() == std::vector<std::string>{"s"});

  o.anatomy.clear();
  o.out_dir = t.path() / "new/";  // a trailing separator names the folder itself
  synthesize_dataset(o);
  o.overwrite = true;
  synthesize_dataset(o);
  CHECK(entries() == std::vector<std::string>{"new", "s"});

  // The folder the process runs in (or one above it) is never replaced.
  const fs::path before = fs::current_path();
  fs::current_path(t.path() / "s");
  o.out_dir = ".";
  CHECK_THROWS_WITH(synthesize_dataset(o), Catch::Contains("current folder"));
  fs::current_path(before);
  CHECK(fs::exists(t.path() / "s" / "keep.txt"));
  CHECK(entries() == std::vector<std::string>{"new", "s"});
}
