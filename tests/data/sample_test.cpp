// braincam sample: the draw (counts, proportions, one image per group, splits, seeds, errors) and
// the copied folder that prepare reads.
#include <catch2/catch.hpp>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "data/data_error.h"
#include "data/dataset_cache.h"
#include "data/sample_dataset.h"
#include "data_test_helpers.h"

using namespace braincam::data;
using braincam::data::test::prepare_options;
using braincam::data::test::TempDir;
using braincam::data::test::write_four_class_layout;
namespace fs = std::filesystem;

namespace {

ManifestRow row(const std::string& path, const std::string& class_name, Split split,
                const std::string& group) {
  ManifestRow r;
  r.path = path;
  r.label = class_name == "notumor" ? 0 : 1;
  r.class_name = class_name;
  r.split = split;
  r.group = group;
  return r;
}

// Four classes of 60, 30, 10 and 50 groups of one to three images, the groups' splits in turn
// train, val, test.
std::vector<ManifestRow> four_class_manifest() {
  std::vector<ManifestRow> rows;
  const std::pair<const char*, int> classes[] = {
      {"glioma", 60}, {"meningioma", 30}, {"pituitary", 10}, {"notumor", 50}};
  for (const auto& [name, groups] : classes)
    for (int g = 0; g < groups; ++g) {
      const std::string group = std::string(name) + "/" + std::to_string(g);
      const Split split = static_cast<Split>(g % 3);
      for (int k = 0; k <= g % 3; ++k)
        rows.push_back(row(group + "_" + std::to_string(k) + ".png", name, split, group));
    }
  return rows;
}

SampleRequest train_val(int yes, int no, std::uint64_t seed = 0) {
  return {{Split::train, Split::val}, std::array<int, 2>{no, yes}, seed};
}

}  // namespace

TEST_CASE("sample: exact counts per label, classes in proportion, one image per group",
          "[data][sample]") {
  const std::vector<ManifestRow> rows = four_class_manifest();
  const SampleDraw draw = draw_sample(rows, train_val(31, 20));
  REQUIRE(std::is_sorted(draw.chosen.begin(), draw.chosen.end()));
  std::map<std::string, int> per_class;
  std::set<std::string> groups;
  int per_label[2] = {0, 0};
  for (std::size_t i : draw.chosen) {
    CHECK(rows[i].split != Split::test);
    CHECK(groups.insert(rows[i].group).second);
    ++per_label[rows[i].label];
    ++per_class[rows[i].class_name];
  }
  CHECK(per_label[1] == 31);
  CHECK(per_label[0] == 20);
  // Groups in train and val: 40, 20, 7 of the tumor types (67 in all), 34 healthy.
  const std::map<std::string, int> available = {
      {"glioma", 40}, {"meningioma", 20}, {"pituitary", 7}, {"notumor", 34}};
  for (const ClassDraw& c : draw.classes) {
    INFO(c.name);
    CHECK(c.groups == available.at(c.name));
    CHECK(c.chosen == per_class[c.name]);
    const double share = (c.label ? 31.0 : 20.0) * c.groups / (c.label ? 67.0 : 34.0);
    CHECK(std::abs(c.chosen - share) < 1.0);
  }
  CHECK(draw.groups_left_out == 0);
}

TEST_CASE("sample: the same seed draws the same images, another seed others", "[data][sample]") {
  const std::vector<ManifestRow> rows = four_class_manifest();
  const SampleDraw a = draw_sample(rows, train_val(20, 10, 3));
  CHECK(draw_sample(rows, train_val(20, 10, 3)).chosen == a.chosen);
  CHECK(draw_sample(rows, train_val(20, 10, 4)).chosen != a.chosen);
}

TEST_CASE("sample: more images than groups is an error naming --count and what there is",
          "[data][sample]") {
  const std::vector<ManifestRow> rows = four_class_manifest();
  CHECK_NOTHROW(draw_sample(rows, train_val(67, 34)));
  CHECK_THROWS_WITH(draw_sample(rows, train_val(68, 34)), Catch::Contains("--count yes=68,no=34") &&
                                                              Catch::Contains("67 tumor") &&
                                                              Catch::Contains("34 no-tumor"));
  CHECK_THROWS_AS(draw_sample(rows, train_val(1, 35)), DataError);
}

TEST_CASE("sample: without a count, every image of the splits", "[data][sample]") {
  const std::vector<ManifestRow> rows = four_class_manifest();
  const SampleDraw draw = draw_sample(rows, {{Split::test}, std::nullopt, 0});
  std::vector<std::size_t> test;
  for (std::size_t i = 0; i < rows.size(); ++i)
    if (rows[i].split == Split::test) test.push_back(i);
  CHECK(draw.chosen == test);  // several images of one group included
}

TEST_CASE("sample: a group's Training/ image is drawn, groups in other splits are left out",
          "[data][sample]") {
  // A group moved from Testing/ to the training side, and one split across train and test.
  const std::vector<ManifestRow> rows = {
      row("Testing/glioma/copy.png", "glioma", Split::train, "glioma/a"),
      row("Training/glioma/a.png", "glioma", Split::train, "glioma/a"),
      row("Testing/glioma/b.png", "glioma", Split::test, "glioma/b"),
      row("Training/glioma/b.png", "glioma", Split::train, "glioma/b"),
      row("Training/notumor/n.png", "notumor", Split::val, "notumor/n")};
  const SampleDraw draw = draw_sample(rows, train_val(1, 1));
  CHECK(draw.chosen == std::vector<std::size_t>{1, 4});
  CHECK(draw.groups_left_out == 1);
  CHECK_THROWS_WITH(draw_sample(rows, train_val(2, 1)), Catch::Contains("only 1 tumor"));
}

TEST_CASE("sample: the four-class layout, prepared by folders, sampled and prepared again",
          "[data][sample][prepare]") {
  TempDir t;
  const fs::path data = t.path() / "data", cache = t.path() / "cache", out = t.path() / "out";
  write_four_class_layout(data);
  // A copy in Testing/: its group moves to the training side, and sorts before its original.
  fs::copy_file(data / "Training" / "glioma" / "Tr-0.png",
                data / "Testing" / "glioma" / "copy.png");
  PrepareOptions p = prepare_options(data, cache, 5);
  p.split.policy = SplitPolicy::folders;
  prepare_dataset(p);

  // Every tumor group of train and val (3 × 8), so the copied group is drawn.
  SampleOptions o{cache, out, train_val(24, 5, 7), false};
  const SampleReport report = sample_dataset(o);
  REQUIRE(report.draw.chosen.size() == 29);
  std::ifstream list(out / kSampleListName);
  std::string line;
  std::getline(list, line);
  CHECK(line == "path,label,class,split,group");
  int rows = 0;
  while (std::getline(list, line)) {
    const std::string path = line.substr(0, line.find(','));
    INFO(path);
    CHECK(path.starts_with("Training/"));
    CHECK(fs::is_regular_file(out / path));
    ++rows;
  }
  CHECK(rows == 29);
  const nlohmann::json settings = nlohmann::json::parse(std::ifstream(out / kSampleSettingsName));
  CHECK(settings["seed"] == 7);
  CHECK(settings["count"]["yes"] == 24);
  CHECK(settings["classes"]["glioma"]["chosen"] == 8);

  prepare_dataset(prepare_options(out, t.path() / "sampled", 5));
  CHECK(DatasetCache::open(t.path() / "sampled").size() == 29);

  CHECK_THROWS_WITH(sample_dataset(o), Catch::Contains("--overwrite"));
  o.overwrite = true;
  o.request = {{Split::test}, std::nullopt, 0};
  CHECK(sample_dataset(o).draw.chosen.size() == 12);
  CHECK(fs::is_regular_file(out / "Testing" / "notumor" / "Te-2.png"));
  CHECK_FALSE(fs::exists(out / "Training"));
  o.out_dir = data / "Training";
  CHECK_THROWS_WITH(sample_dataset(o), Catch::Contains("dataset folder"));
}
