// braincam prepare end to end on a tiny dataset: listing, bad files, splits, manifest, cache.
#include <catch2/catch.hpp>
#include <fstream>
#include <map>
#include <set>

#include "data/class_folders.h"
#include "data/data_error.h"
#include "data/dataset_cache.h"
#include "data/input_background.h"
#include "data/prepare_dataset.h"
#include "data/preprocess.h"
#include "data_test_helpers.h"

using namespace braincam::data;
using braincam::data::test::head_image;
using braincam::data::test::numbered;
using braincam::data::test::prepare_options;
using braincam::data::test::TempDir;
using braincam::data::test::write_four_class_layout;
using braincam::data::test::write_png;
namespace fs = std::filesystem;

namespace {

// 20 tumor and 14 healthy heads of various sizes, the tumor ones also as two augmented copies,
// plus bad files and an unlabelled folder.
void make_dataset(const fs::path& root) {
  for (int i = 0; i < 20; ++i) {
    const Image im =
        head_image(60 + i, 50 + 2 * i, 30 + i / 2, 25 + i, 20, 18, std::uint8_t(150 + i));
    write_png(root / "yes" / numbered("Y", i, ".png"), im);
    if (i < 6)
      for (int k = 0; k < 2; ++k)
        write_png(
            root / "Yes" / numbered(numbered("aug_Y", i, "_0_").c_str(), 100 + k, ".png"),
            head_image(60 + i, 50 + 2 * i, 31 + k, 25 + i, 20, 18, std::uint8_t(150 + i + k)));
  }
  for (int i = 0; i < 14; ++i)
    write_png(root / "no" / numbered("no ", i, ".png"),
              head_image(70, 70 + i, 35, 35 + i / 2, 25, 22, std::uint8_t(120 + i)));
  std::ofstream(root / "no" / "notes.txt") << "not an image";
  std::ofstream(root / "yes" / "empty.jpg");
  std::vector<std::uint8_t> cut = encode_png(head_image(40, 40, 20, 20, 10, 10));
  cut.resize(cut.size() / 2);
  std::ofstream(root / "yes" / "cut.png", std::ios::binary)
      .write(reinterpret_cast<const char*>(cut.data()), cut.size());
  write_png(root / "pred" / "pred0.png", head_image(50, 50, 25, 25, 15, 15));
}

}  // namespace

TEST_CASE("class folders are found case-insensitively and unlabelled ones ignored",
          "[data][prepare]") {
  TempDir t;
  make_dataset(t.path());
  const DatasetListing l = list_dataset(t.path());
  CHECK(l.class_folders.size() == 3);  // Yes/, no/, yes/
  REQUIRE(l.ignored_folders.size() == 1);
  CHECK(l.ignored_folders[0].starts_with("pred/"));
  CHECK(l.files.size() == 20 + 12 + 14 + 3);
}

TEST_CASE("datasets without two classes are refused, listing what was found", "[data][prepare]") {
  TempDir t;
  CHECK_THROWS_WITH(list_dataset(t.path()),
                    Catch::Contains("no class folders") && Catch::Contains("found: nothing"));
  write_png(t.path() / "images" / "a.png", head_image(30, 30, 15, 15, 8, 8));
  CHECK_THROWS_WITH(list_dataset(t.path()), Catch::Contains("images/ (1 files)"));
  fs::create_directories(t.path() / "yes");
  fs::create_directories(t.path() / "no");
  CHECK_THROWS_WITH(list_dataset(t.path()), Catch::Contains("hold no files"));
  write_png(t.path() / "yes" / "a.png", head_image(30, 30, 15, 15, 8, 8));
  CHECK_THROWS_WITH(list_dataset(t.path()),
                    Catch::Contains("only one class") && Catch::Contains("1 tumor and 0 no-tumor"));
  // Two classes on disk, but every no-tumor file is unreadable: still one class.
  std::ofstream(t.path() / "no" / "bad.png") << "junk";
  TempDir elsewhere;
  CHECK_THROWS_WITH(prepare_dataset(prepare_options(t.path(), elsewhere.path() / "cache", 1)),
                    Catch::Contains("only one class"));
}

TEST_CASE("prepare skips bad files, splits by group and writes manifest, EDA and cache",
          "[data][prepare]") {
  TempDir t;
  const fs::path data = t.path() / "data", cache = t.path() / "cache";
  make_dataset(data);
  PrepareOptions o = prepare_options(data, cache, 7);
  o.grouping.near_duplicate_distance = std::nullopt;  // the plain ellipses all hash alike
  const PrepareReport r = prepare_dataset(o);
  CHECK(r.rebuilt);
  const auto& eda = r.eda;
  REQUIRE(eda["skipped_count"] == 3);
  std::map<std::string, std::string> why;
  for (const auto& s : eda["skipped"]) why[s["path"]] = s["reason"];
  CHECK(why.at("no/notes.txt").find("not a readable image") != std::string::npos);
  CHECK(why.at("yes/empty.jpg").find("empty file") != std::string::npos);
  CHECK(why.count("yes/cut.png") == 1);
  CHECK(eda["images"] == 46);
  CHECK(eda["groups"]["augmented_files"] == 12);
  CHECK(eda["groups"]["count"] == 34);

  // Manifest: header, fields, and groups that never straddle splits.
  std::ifstream in(cache / kManifestFileName);
  std::string header;
  std::getline(in, header);
  CHECK(header == "path,label,class,split,group,x0,y0,x1,y1,width,height");
  const DatasetCache c = DatasetCache::open(cache);
  REQUIRE(c.size() == 46);
  std::map<std::string, std::set<Split>> splits_of_group;
  int per_split[3][2] = {};
  for (std::size_t i = 0; i < c.size(); ++i) {
    const ManifestRow& row = c.entry(i);
    splits_of_group[row.group].insert(row.split);
    CHECK(row.label == c.label(i));
    CHECK(row.label == (row.path.rfind("no/", 0) == 0 ? 0 : 1));
    CHECK(row.class_name == (row.label ? "yes" : "notumor"));
    CHECK(row.box.x1 <= row.width);
    CHECK(row.box.y1 <= row.height);
    ++per_split[int(row.split)][row.label];
    if (row.path == "Yes/aug_Y3_0_100.png") CHECK(row.group == "yes/y3");
  }
  for (const auto& [group, s] : splits_of_group) CHECK(s.size() == 1);
  // 70/15/15 of each class, within one group (3 images) of the target.
  CHECK(std::abs(per_split[0][0] - 0.70 * 14) <= 1.0);
  CHECK(std::abs(per_split[0][1] - 0.70 * 32) <= 3.0);
  CHECK(per_split[1][0] + per_split[2][0] == 14 - per_split[0][0]);
  CHECK(per_split[2][1] > 0);

  // The cached pixels are the batch's values / 255.
  const std::vector<std::size_t> idx = {3, 0};
  std::vector<float> batch(2 * 3 * 240 * 240);
  c.fill_batch(idx, batch.data());
  CHECK(batch[0] == c.pixels(3)[0] / 255.0f);
  CHECK(batch[3 * 240 * 240 + 240 * 240 + 5] == c.pixels(0)[5 * 3 + 1] / 255.0f);
  // On-the-fly augmentation is reproducible from (seed, step) and changes the pixels.
  std::vector<float> a1(batch.size()), a2(batch.size()), a3(batch.size());
  BatchAugment aug{.seed = 5, .step = 1, .transforms = parse_online_augment("seed")};
  c.fill_batch(idx, a1.data(), &aug);
  c.fill_batch(idx, a2.data(), &aug);
  aug.step = 2;
  c.fill_batch(idx, a3.data(), &aug);
  CHECK(a1 == a2);
  CHECK(a1 != a3);
  CHECK(a1 != batch);
  // So is the MRI set, which draws from the same (seed, step, image).
  aug.transforms = parse_online_augment("mri");
  std::vector<float> m1(batch.size()), m2(batch.size());
  c.fill_batch(idx, m1.data(), &aug);
  c.fill_batch(idx, m2.data(), &aug);
  CHECK(m1 == m2);
  CHECK(m1 != a3);
  CHECK(m1 != batch);
  aug.transforms = {};
  c.fill_batch(idx, m1.data(), &aug);
  CHECK(m1 == batch);
  CHECK_FALSE(c.lesion_mask(0).has_value());
}

TEST_CASE("the cache is reused while nothing changes and rebuilt when something does",
          "[data][prepare][cache]") {
  TempDir t;
  const fs::path data = t.path() / "data", cache = t.path() / "cache";
  make_dataset(data);
  const PrepareReport first = prepare_dataset(prepare_options(data, cache, 7));
  CHECK(prepare_dataset(prepare_options(data, cache, 7)).rebuilt == false);
  CHECK(prepare_dataset(prepare_options(data, cache, 8)).rebuilt);  // another split seed
  CHECK(prepare_dataset(prepare_options(data, cache, 7)).fingerprint == first.fingerprint);
  write_png(data / "no" / "no 3.png", head_image(70, 73, 36, 36, 25, 22, 99));  // a changed source
  const PrepareReport changed = prepare_dataset(prepare_options(data, cache, 7));
  CHECK(changed.rebuilt);
  CHECK(changed.fingerprint != first.fingerprint);
}

TEST_CASE("a black background blacks out what lies around the head and nothing else",
          "[data][prepare][cache]") {
  TempDir t;
  const fs::path data = t.path() / "data";
  make_dataset(data);
  PrepareOptions kept = prepare_options(data, t.path() / "kept", 7);
  PrepareOptions black = prepare_options(data, t.path() / "black", 7);
  black.background = Background::black;
  CHECK(prepare_dataset(kept).fingerprint != prepare_dataset(black).fingerprint);

  const DatasetCache a = DatasetCache::open(kept.cache_dir),
                     b = DatasetCache::open(black.cache_dir);
  CHECK(a.background() == Background::keep);
  CHECK(a.settings_json().find("background") == std::string::npos);  // as before the choice
  CHECK(b.background() == Background::black);
  REQUIRE(a.size() == b.size());
  const std::size_t corner = 0, centre = (kInputSize / 2 * kInputSize + kInputSize / 2) * 3;
  for (std::size_t i = 0; i < a.size(); ++i) {
    // Grouped and split as the kept inputs: the perceptual hash sees the image as it comes.
    CHECK(a.entry(i).group == b.entry(i).group);
    CHECK(a.split(i) == b.split(i));
    CHECK(a.pixels(i)[corner] == 5);  // head_image's background
    CHECK(b.pixels(i)[corner] == 0);
    CHECK(a.pixels(i)[centre] == b.pixels(i)[centre]);
  }
  CHECK_THROWS_WITH(parse_background("white", "--background"),
                    Catch::Contains("--background") && Catch::Contains("keep or black"));
}

TEST_CASE("a damaged cache is refused with the file named", "[data][cache]") {
  TempDir t;
  const fs::path data = t.path() / "data", cache = t.path() / "cache";
  make_dataset(data);
  prepare_dataset(prepare_options(data, cache, 7));
  const fs::path bin = cache / kCacheFileName;
  const auto size = fs::file_size(bin);
  SECTION("truncated") {
    fs::resize_file(bin, size - 100);
    CHECK_THROWS_WITH(DatasetCache::open(cache),
                      Catch::Contains(bin.string()) && Catch::Contains("truncated"));
  }
  SECTION("altered table") {
    std::fstream f(bin, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(static_cast<std::streamoff>(size - 1));
    const char last_split = static_cast<char>(f.get());
    f.seekp(static_cast<std::streamoff>(size - 1));
    f.put(last_split == 2 ? 1 : 2);  // moves the last image to another split
    f.close();
    CHECK_THROWS_WITH(DatasetCache::open(cache), Catch::Contains("checksum mismatch"));
  }
  SECTION("not a cache") {
    std::ofstream(bin) << std::string(5000, 'x');
    CHECK_THROWS_WITH(DatasetCache::open(cache), Catch::Contains("bad magic"));
  }
  SECTION("a manifest from another run") {
    std::ofstream(cache / kManifestFileName, std::ios::app)
        << "yes/extra.png,1,train,1/extra,0,0,1,1,2,2\n";
    CHECK_THROWS_WITH(DatasetCache::open(cache),
                      Catch::Contains("manifest.csv") && Catch::Contains("does not belong"));
  }
  SECTION("missing") {
    fs::remove(bin);
    CHECK_THROWS_WITH(DatasetCache::open(cache), Catch::Contains(bin.string()));
  }
  // A damaged cache is simply rebuilt by prepare.
  CHECK(prepare_dataset(prepare_options(data, cache, 7)).rebuilt);
  CHECK(DatasetCache::open(cache).size() == 46);
}

TEST_CASE("prepare refuses a cache folder inside the dataset folder", "[data][prepare]") {
  TempDir t;
  write_png(t.path() / "yes" / "a.png", head_image(30, 30, 15, 15, 8, 8));
  write_png(t.path() / "no" / "b.png", head_image(30, 30, 15, 15, 8, 8));
  for (const fs::path& inside : {t.path() / "yes", t.path() / "cache", t.path() / "."})
    CHECK_THROWS_WITH(prepare_dataset(prepare_options(t.path(), inside, 1)),
                      Catch::Contains("must be outside the dataset folder"));
  CHECK_FALSE(fs::exists(t.path() / "cache"));
  CHECK_FALSE(fs::exists(t.path() / "yes" / "images.bin"));
}

TEST_CASE("the four-class layout: classes kept, Testing/ is the test split, copies leave it",
          "[data][prepare][policy]") {
  TempDir t;
  const fs::path data = t.path() / "data", cache = t.path() / "cache";
  write_four_class_layout(data);
  // A byte-identical and a re-encoded copy of Training/ images in Testing/.
  fs::copy_file(data / "Training" / "glioma" / "Tr-0.png",
                data / "Testing" / "glioma" / "copy.png");
  write_image_file(data / "Testing" / "meningioma" / "copy.jpg",
                   read_image_file(data / "Training" / "meningioma" / "Tr-1.png").rgb, 90);

  PrepareOptions o = prepare_options(data, cache, 5);
  o.split.policy = SplitPolicy::folders;
  const nlohmann::json eda = prepare_dataset(o).eda;
  INFO(eda.dump());
  CHECK(eda["split_policy"]["straddling_groups"] == 2);
  CHECK(eda["split_policy"]["straddling_test_files"] == 2);
  CHECK(eda["groups"]["duplicate_files"] == 1);
  CHECK(eda["groups"]["near_duplicate_pairs"] == 1);
  for (const char* name : {"glioma", "meningioma", "pituitary", "notumor"}) {
    CHECK(eda["classes"][name]["test"] == 3);
    CHECK(eda["classes"][name]["train"].get<int>() + eda["classes"][name]["val"].get<int>() ==
          8 + (name[0] == 'g' || name[0] == 'm'));
  }
  const DatasetCache c = DatasetCache::open(cache);
  for (std::size_t i = 0; i < c.size(); ++i) {
    const ManifestRow& r = c.entry(i);
    CHECK(r.label == (r.class_name == "notumor" ? 0 : 1));
    CHECK(r.path.find("/" + r.class_name + "/") != std::string::npos);
    const bool copy = r.path.find("copy") != std::string::npos;
    CHECK((r.split == Split::test) == (r.path.starts_with("Testing/") && !copy));
  }

  o.split.straddling = StraddlingGroups::keep;
  const nlohmann::json kept = prepare_dataset(o).eda;
  CHECK(kept["classes"]["glioma"]["test"] == 4);
  CHECK(kept["warnings"].dump().find("inflated") != std::string::npos);
}

TEST_CASE("the tumor types, their _tumor names and the no-tumor names are classes",
          "[data][prepare]") {
  CHECK(class_of_folder("Glioma")->name == "glioma");
  CHECK(class_of_folder("pituitary_tumor")->name == "pituitary");
  CHECK(class_of_folder("meningioma")->label == kTumor);
  CHECK(class_of_folder("YES")->name == "yes");
  for (const char* none : {"no", "No_Tumor", "notumor", "no tumor"}) {
    CHECK(class_of_folder(none)->name == "notumor");
    CHECK(class_of_folder(none)->label == kNoTumor);
  }
  CHECK_FALSE(class_of_folder("Training").has_value());
  CHECK_FALSE(class_of_folder("_tumor").has_value());
}
