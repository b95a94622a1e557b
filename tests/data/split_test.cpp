// Source groups and the stratified, grouped split.
#include <catch2/catch.hpp>
#include <fstream>
#include <map>
#include <set>

#include "data/dataset_split.h"
#include "data/manifest.h"
#include "data/source_group.h"
#include "data_test_helpers.h"

using namespace braincam::data;
using braincam::data::test::numbered;

TEST_CASE("the source of augmented file names is recovered", "[data][split]") {
  CHECK(source_of("aug_Y1_0_1234.jpg").stem == "Y1");
  CHECK(source_of("aug_Y1_0_1234.jpg").augmented);
  CHECK(source_of("aug_no 10_3_77.jpg").stem == "no 10");
  CHECK(source_of("aug_my_scan_2_5_9.png").stem == "my_scan_2");
  CHECK(source_of("N5.JPG").stem == "N5");
  CHECK_FALSE(source_of("N5.JPG").augmented);
  CHECK(looks_augmented_without_source("augmented_17.jpg"));
  CHECK_FALSE(looks_augmented_without_source("aug_Y1_0_1.jpg"));
}

TEST_CASE("groups join augmented copies and identical images, never across labels",
          "[data][split]") {
  const Grouping g =
      group_sources({{"Y1.jpg", "yes", 1, 11},
                     {"aug_Y1_0_5.jpg", "yes", 1, 12},
                     {"aug_y1_1_6.jpg", "yes", 1, 13},
                     {"Y2.jpg", "yes", 1, 14},
                     {"copy of Y2.jpg", "yes", 1, 14},  // byte-identical to Y2
                     {"Y1.jpg", "notumor", 0, 11},      // same name and pixels, other label
                     {"augmented_3.jpg", "yes", 1, 15}},
                    {.near_duplicate_distance = std::nullopt});
  CHECK(g.group_of[0] == g.group_of[1]);
  CHECK(g.group_of[0] == g.group_of[2]);
  CHECK(g.group_of[3] == g.group_of[4]);
  CHECK(g.group_of[0] != g.group_of[5]);
  CHECK(g.group_count == 4);
  CHECK(g.duplicate_files == 1);
  CHECK(g.cross_class_duplicates == 1);
  CHECK(g.unrecoverable == std::vector<std::string>{"augmented_3.jpg"});
}

TEST_CASE("near-identical images share a group within a label", "[data][split]") {
  const std::vector<GroupInput> files = {{"a.jpg", "yes", 1, 1, 0x0},
                                         {"b.jpg", "yes", 1, 2, 0xF},   // 4 bits from a
                                         {"c.jpg", "yes", 1, 3, 0x1F},  // 5 bits from a, 1 from b
                                         {"d.jpg", "notumor", 0, 4, 0x1},  // near a, other label
                                         {"e.jpg", "yes", 1, 5, 0xFF00}};  // far from all
  const Grouping g = group_sources(files);
  CHECK(g.group_of[0] == g.group_of[1]);
  CHECK(g.group_of[0] == g.group_of[2]);  // through b
  CHECK(g.group_of[0] != g.group_of[3]);
  CHECK(g.group_count == 3);
  CHECK(g.near_duplicate_pairs == 2);
  CHECK(g.cross_class_near_duplicates == 3);
  const Grouping off = group_sources(files, {.near_duplicate_distance = std::nullopt});
  CHECK(off.group_count == 5);
  CHECK(off.near_duplicate_pairs == 0);
}

TEST_CASE("splits are 70/15/15 per class, keep groups whole and follow the seed", "[data][split]") {
  std::vector<int> labels;
  std::vector<std::string> groups;
  for (int i = 0; i < 155; ++i)
    for (int k = 0; k < 7; ++k) {
      labels.push_back(1);
      groups.push_back(numbered("y", i));
    }
  for (int i = 0; i < 98; ++i)
    for (int k = 0; k < 10; ++k) {
      labels.push_back(0);
      groups.push_back(numbered("n", i));
    }
  const std::vector<Split> s = assign_splits(labels, groups, 1);
  std::map<std::string, std::set<Split>> seen;
  int count[2][3] = {};
  for (std::size_t i = 0; i < s.size(); ++i) {
    seen[groups[i]].insert(s[i]);
    ++count[labels[i]][int(s[i])];
  }
  for (const auto& [g, set] : seen) REQUIRE(set.size() == 1);
  CHECK(std::abs(count[1][0] - 0.70 * 1085) <= 7);
  CHECK(std::abs(count[1][1] - 0.15 * 1085) <= 7);
  CHECK(std::abs(count[0][0] - 0.70 * 980) <= 10);
  CHECK(std::abs(count[0][2] - 0.15 * 980) <= 10);
  CHECK(assign_splits(labels, groups, 1) == s);
  CHECK(assign_splits(labels, groups, 2) != s);
}

TEST_CASE("the manifest survives a round trip, quotes included", "[data][split]") {
  braincam::data::test::TempDir t;
  std::vector<ManifestRow> rows = {
      {"yes/Y1.jpg", 1, "yes", Split::train, "yes/y1", {1, 2, 30, 40}, 50, 60},
      {"no/no, \"10\".jpg", 0, "notumor", Split::test, "notumor/no, \"10\"", {0, 0, 5, 5}, 5, 5}};
  write_manifest(t.path() / "m.csv", rows);
  const std::vector<ManifestRow> back = read_manifest(t.path() / "m.csv");
  REQUIRE(back.size() == 2);
  CHECK(back[1].path == rows[1].path);
  CHECK(back[1].group == rows[1].group);
  CHECK(back[1].split == Split::test);
  CHECK(back[1].class_name == "notumor");
  CHECK(back[0].box == CropBox{1, 2, 30, 40});
  CHECK(back[0].height == 60);
  std::ofstream(t.path() / "bad.csv")
      << kManifestHeader << "\nyes/a.jpg,1,yes,train,g,0,0,x,1,2,2\n";
  CHECK_THROWS_WITH(read_manifest(t.path() / "bad.csv"),
                    Catch::Contains("bad.csv: line 2: x1 'x'"));
}
