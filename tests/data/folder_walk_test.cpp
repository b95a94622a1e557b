// Symbolic links in dataset folders and in folders given to predict: followed, except broken
// links, link loops and folders reached twice, which are skipped with the reason.
#include <catch2/catch.hpp>
#include <filesystem>

#include "data/class_folders.h"
#include "data/image_files.h"
#include "data_test_helpers.h"

using namespace braincam::data;
using braincam::data::test::head_image;
using braincam::data::test::TempDir;
using braincam::data::test::write_png;
namespace fs = std::filesystem;

namespace {

// yes/ and no/ with two images each, and the links: a loop at the top and in yes/, a broken link
// in no/, a link to the root (a parent of everything) and a link to no/ itself.
void make_linked_dataset(const fs::path& root) {
  for (const char* file : {"yes/a.png", "yes/b.png", "no/c.png", "no/d.png"})
    write_png(root / file, head_image(40, 40, 20, 20, 12, 12));
  fs::create_symlink("loop", root / "loop");
  fs::create_symlink("itself.png", root / "yes" / "itself.png");
  fs::create_symlink("missing.png", root / "no" / "dangling.png");
  fs::create_directory_symlink(".", root / "up");
  fs::create_directory_symlink("no", root / "zz_no_again");
}

const SkippedFile* find(const std::vector<SkippedFile>& skipped, const std::string& path) {
  for (const SkippedFile& s : skipped)
    if (s.path == path) return &s;
  return nullptr;
}

}  // namespace

TEST_CASE("dataset folders: links are followed once; loops and broken links are skipped",
          "[data][links]") {
  TempDir t;
  make_linked_dataset(t.path());
  const DatasetListing l = list_dataset(t.path());
  CHECK(l.files.size() == 4);  // each image once, not again through up/ or zz_no_again/
  REQUIRE(find(l.skipped, "loop"));
  CHECK(find(l.skipped, "loop")->reason == "a symbolic link loop");
  REQUIRE(find(l.skipped, "yes/itself.png"));
  CHECK(find(l.skipped, "yes/itself.png")->reason == "a symbolic link loop");
  REQUIRE(find(l.skipped, "no/dangling.png"));
  CHECK_THAT(find(l.skipped, "no/dangling.png")->reason,
             Catch::Contains("broken symbolic link") && Catch::Contains("missing.png"));
  REQUIRE(find(l.skipped, "up/"));
  CHECK_THAT(find(l.skipped, "up/")->reason, Catch::Contains("the same folder as ./"));
  REQUIRE(find(l.skipped, "zz_no_again/"));
  CHECK_THAT(find(l.skipped, "zz_no_again/")->reason, Catch::Contains("the same folder as no/"));

  // prepare lists them with the files it could not decode
  const fs::path cache = t.path().parent_path() / (t.path().filename().string() + "_cache");
  const PrepareReport r =
      prepare_dataset(braincam::data::test::prepare_options(t.path(), cache, 1));
  CHECK(r.eda.at("skipped_count") == 5);
  fs::remove_all(cache);
}

TEST_CASE("predict's folders: links are followed once; loops and broken links are skipped",
          "[data][links]") {
  TempDir t;
  make_linked_dataset(t.path());
  const std::string root = t.path().string();
  const ImageFiles f = list_image_files({root});
  CHECK(f.files.size() == 4);
  CHECK(f.skipped.size() == 5);
  REQUIRE(find(f.skipped, root + "/loop"));
  CHECK(find(f.skipped, root + "/loop")->reason == "a symbolic link loop");
  REQUIRE(find(f.skipped, root + "/up"));
  CHECK_THAT(find(f.skipped, root + "/up")->reason, Catch::Contains("the same folder as " + root));
  // A file named as such is kept, to be read or refused with its own reason.
  CHECK(list_image_files({root + "/no/dangling.png"}).files.size() == 1);
}
