// braincam synth: byte-identical output per seed, class sizes, masks aligned with the images; what
// the generator draws: blank healthy frames, healthy bright structures, every lesion kind, the
// contrasts, and no difference between the classes' global statistics outside the lesion.
#include <algorithm>
#include <array>
#include <catch2/catch.hpp>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>

#include "base/file_io.h"
#include "data/brain_crop.h"
#include "data/data_error.h"
#include "data/dataset_cache.h"
#include "data/image_codec.h"
#include "data/lesion_mask.h"
#include "data/prepare_dataset.h"
#include "data/synth_dataset.h"
#include "data/synth_image.h"
#include "data_test_helpers.h"

using namespace braincam::data;
using braincam::Rng;
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
  CHECK(doc["images"][0]["params"]["frame"] == "brain");
  CHECK(doc["images"][0]["params"]["lesions"][0].contains("kind"));
  // Contrast cycles T1, T2, FLAIR within each class.
  CHECK(doc["images"][0]["params"]["contrast"] == "T1");
  CHECK(doc["images"][1]["params"]["contrast"] == "T2");
  CHECK(doc["images"][2]["params"]["contrast"] == "FLAIR");
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

// ---- What the generator draws: no shortcut between the classes but the lesion. ----

namespace {

const Anatomy& colin27() {
  static const Anatomy anatomy(anatomy_path({}), default_brain_mask(anatomy_path({})));
  return anatomy;
}

// The draw of image `index` of a class, with the seed of `braincam synth` (42).
SynthDraw draw(bool tumor, int index, const SynthDifficulty& d = synth_difficulty("default")) {
  Rng rng(42, tumor ? 1 : 0, static_cast<std::uint64_t>(index));
  return draw_synth_image(colin27(), d, rng, tumor, index);
}

// The same image on a canvas whose longer side is at most `side` pixels: fast to render.
void shrink_canvas(SynthImageParams& p, int side) {
  const double f = static_cast<double>(side) / std::max(p.width, p.height);
  if (f >= 1) return;
  p.width = std::max(1, static_cast<int>(std::lround(p.width * f)));
  p.height = std::max(1, static_cast<int>(std::lround(p.height * f)));
  p.px_per_mm *= f;
  p.offset_x *= f;
  p.offset_y *= f;
}

// A round phantom head, 160 × 160 mm: white matter (T1 108) with a ventricle of CSF (30, radius
// 12 mm) at the centre, a dark skull and bright scalp fat (150) around the brain (radius 60 mm).
AxialSlice phantom_slice() {
  AxialSlice s;
  s.width = s.height = 160;
  const std::size_t n = 160 * 160;
  s.t1.assign(n, 0.f);
  s.brain.assign(n, 0.f);
  s.near_brain.assign(n, 0.f);
  for (int r = 0; r < 160; ++r)
    for (int c = 0; c < 160; ++c) {
      const double d = std::hypot(c - 80.0, r - 80.0);
      const std::size_t i = static_cast<std::size_t>(r) * 160 + c;
      s.t1[i] = d < 12 ? 30.f : d < 60 ? 108.f : d < 64 ? 10.f : d < 70 ? 150.f : 0.f;
      s.brain[i] = d < 60 ? 1.f : 0.f;
      s.near_brain[i] = d < 62 ? 1.f : 0.f;
    }
  s.head_x0 = s.head_y0 = 10;
  s.head_x1 = s.head_y1 = 150;
  return s;
}

// The phantom at 1 pixel per mm, unrotated, no bias field, no noise: canvas pixel (X, Y) shows
// the slice at (X + 0.5, Y + 0.5) mm.
SynthImageParams phantom_params(Contrast c) {
  SynthImageParams p;
  p.contrast = c;
  p.width = p.height = 160;
  p.white = 230;
  return p;
}

SynthImage render(const AxialSlice& s, const SynthImageParams& p) {
  Rng noise(1);
  return render_synth_image(s, p, noise);
}

// Mean of the image's pixels whose distance (mm, in the phantom's canvas) from (cx, cy) lies in
// [lo, hi) and, if `mask` is given, whose mask value is `inside`.
double ring_mean(const SynthImage& im, double cx, double cy, double lo, double hi,
                 std::optional<bool> inside = {}) {
  double sum = 0;
  int n = 0;
  for (int Y = 0; Y < im.image.height; ++Y)
    for (int X = 0; X < im.image.width; ++X) {
      const double d = std::hypot(X + 0.5 - cx, Y + 0.5 - cy);
      if (d < lo || d >= hi) continue;
      if (inside && (im.mask.at(X, Y) > 0) != *inside) continue;
      sum += im.image.at(X, Y);
      ++n;
    }
  REQUIRE(n > 0);
  return sum / n;
}

Lesion round_lesion(LesionKind kind) {
  Lesion l;
  l.kind = kind;
  l.cx = 80;
  l.cy = 42;
  l.radius = 12;
  l.edema = 1.5;
  l.mass_effect = 0.1;
  l.contrast = 1;
  const bool enhances = kind == LesionKind::enhancing || kind == LesionKind::ring_enhancing;
  l.enhancement = enhances ? 120 : 0;
  l.rim = kind == LesionKind::enhancing ? 0.2 : kind == LesionKind::ring_enhancing ? 0.15 : 0;
  l.core = kind == LesionKind::ring_enhancing ? 0.6 : 0;
  return l;
}

// Inside the lesion, its core (a third of its radius), its outer band, and the tissue beyond its
// edema (18 mm): the phantom's white matter.
struct LesionMeans {
  double inside, core, band, surround;
};
LesionMeans lesion_means(LesionKind kind, Contrast c) {
  const AxialSlice s = phantom_slice();
  SynthImageParams p = phantom_params(c);
  p.lesions = {round_lesion(kind)};
  const SynthImage im = render(s, p);
  return {ring_mean(im, 80, 42, 0, 12, true), ring_mean(im, 80, 42, 0, 4, true),
          ring_mean(im, 80, 42, 9, 12, true), ring_mean(im, 80, 42, 21, 26)};
}

// Kolmogorov-Smirnov distance between two samples: the largest gap of their distribution
// functions.
double ks_distance(std::vector<double> a, std::vector<double> b) {
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  std::size_t i = 0, j = 0;
  double most = 0;
  while (i < a.size() && j < b.size()) {
    const double v = std::min(a[i], b[j]);
    while (i < a.size() && a[i] == v) ++i;
    while (j < b.size() && b[j] == v) ++j;
    most = std::max(most, std::abs(double(i) / a.size() - double(j) / b.size()));
  }
  return most;
}

// Global statistics of an image outside the part that `zone` (lesions) touches, their edema
// included: mean intensity, head share (pixels above the crop's threshold), bright share (head
// pixels above 200).
struct GlobalStats {
  double mean = 0, head = 0, bright = 0;
};
GlobalStats global_stats(const SynthDraw& d, const SynthImage& im,
                         const std::vector<Lesion>& zone) {
  const CanvasPlacement placement(d.slice, d.params);
  double sum = 0;
  long long n = 0, head = 0, bright = 0;
  for (int Y = 0; Y < im.image.height; ++Y)
    for (int X = 0; X < im.image.width; ++X) {
      double x, y;
      placement.to_slice(X + 0.5, Y + 0.5, x, y);
      bool touched = false;
      for (const Lesion& l : zone) touched |= lesion_rho(l, x, y) < std::max(l.edema, 2.0);
      if (touched) continue;
      const int v = im.image.at(X, Y);
      sum += v;
      ++n;
      head += v > kBrainThreshold;
      bright += v > 200;
    }
  return {n ? sum / n : 0, n ? double(head) / n : 0, head ? double(bright) / head : 0};
}

}  // namespace

TEST_CASE("some healthy frames are blank or show little brain, never a tumor frame",
          "[data][synth]") {
  int empty = -1, edge = 0, brain = 0;
  for (int i = 0; i < 300; ++i) {
    const SynthFrame f = draw(false, i).params.frame;
    if (f == SynthFrame::empty && empty < 0) empty = i;
    edge += f == SynthFrame::edge_slice;
    brain += f == SynthFrame::brain;
  }
  REQUIRE(empty >= 0);
  CHECK(edge > 0);
  CHECK(brain > 250);  // 92 % of them show a slice through the brain
  for (int i = 0; i < 60; ++i) {
    const SynthDraw d = draw(true, i);
    CHECK(d.params.frame == SynthFrame::brain);
    CHECK_FALSE(d.params.lesions.empty());
  }
  // The blank frame: no lesion, an empty mask, nothing the crop's threshold would take for a head.
  SynthDraw d = draw(false, empty);
  shrink_canvas(d.params, 128);
  CHECK(d.params.lesions.empty());
  Rng noise(2);
  const SynthImage im = render_synth_image(d.slice, d.params, noise);
  CHECK(std::all_of(im.mask.pixels.begin(), im.mask.pixels.end(), [](auto v) { return v == 0; }));
  const auto above = std::count_if(im.image.pixels.begin(), im.image.pixels.end(),
                                   [](std::uint8_t v) { return v > kBrainThreshold; });
  CHECK(above < static_cast<long>(im.image.pixels.size() / 100));
  // Without noise it is all black.
  d.params.noise_sigma = 0;
  const SynthImage black = render_synth_image(d.slice, d.params, noise);
  CHECK(*std::max_element(black.image.pixels.begin(), black.image.pixels.end()) == 0);
}

TEST_CASE("a healthy slice carries bright structures, brighter than its brain, and no mask",
          "[data][synth]") {
  // The first healthy brain frame with a bright spot of 5 mm radius or more.
  for (int i = 0;; ++i) {
    REQUIRE(i < 200);
    SynthDraw d = draw(false, i);
    const auto& bright = d.params.bright;
    const auto spot = std::find_if(bright.begin(), bright.end(), [](const BrightStructure& b) {
      return b.kind == BrightKind::spot && b.radius >= 5;
    });
    if (d.params.frame != SynthFrame::brain || spot == bright.end()) continue;
    d.params.noise_sigma = 0;
    Rng noise(3);
    const SynthImage im = render_synth_image(d.slice, d.params, noise);
    CHECK(std::all_of(im.mask.pixels.begin(), im.mask.pixels.end(), [](auto v) { return v == 0; }));
    // The spot's centre is brighter than 95 % of the brain.
    const CanvasPlacement placement(d.slice, d.params);
    std::vector<int> brain;
    for (int Y = 0; Y < im.image.height; ++Y)
      for (int X = 0; X < im.image.width; ++X) {
        double x, y;
        placement.to_slice(X + 0.5, Y + 0.5, x, y);
        if (inside_brain(d.slice, x, y)) brain.push_back(im.image.at(X, Y));
      }
    std::sort(brain.begin(), brain.end());
    double X, Y;
    placement.to_canvas(spot->cx, spot->cy, X, Y);
    CHECK(im.image.at(static_cast<int>(X), static_cast<int>(Y)) > brain[brain.size() * 95 / 100]);
    return;
  }
}

TEST_CASE("each lesion kind renders as its kind against the tissue around it", "[data][synth]") {
  SECTION("enhancing: bright on T1") {
    const LesionMeans m = lesion_means(LesionKind::enhancing, Contrast::t1);
    CHECK(m.inside > m.surround + 50);
  }
  SECTION("ring-enhancing: a bright rim around a dark necrotic core on T1") {
    const LesionMeans m = lesion_means(LesionKind::ring_enhancing, Contrast::t1);
    CHECK(m.band > m.surround + 50);
    CHECK(m.core < m.surround - 40);
  }
  SECTION("non-enhancing: hypo-intense on T1, hyper-intense on T2 and FLAIR") {
    CHECK(lesion_means(LesionKind::non_enhancing, Contrast::t1).inside <
          lesion_means(LesionKind::non_enhancing, Contrast::t1).surround - 40);
    const LesionMeans t2 = lesion_means(LesionKind::non_enhancing, Contrast::t2);
    CHECK(t2.inside > t2.surround + 60);
    const LesionMeans flair = lesion_means(LesionKind::non_enhancing, Contrast::flair);
    CHECK(flair.inside > flair.surround + 60);
  }
  SECTION("hypo-intense: dark on every contrast") {
    for (Contrast c : {Contrast::t1, Contrast::t2, Contrast::flair}) {
      const LesionMeans m = lesion_means(LesionKind::hypointense, c);
      CHECK(m.inside < m.surround - 30);
    }
  }
}

TEST_CASE("FLAIR-like contrast shows CSF darker than white matter, T2-like brighter",
          "[data][synth]") {
  CHECK(tissue_intensity(Contrast::flair, 30, 1) < tissue_intensity(Contrast::flair, 108, 1) - 50);
  CHECK(tissue_intensity(Contrast::flair, 80, 1) > tissue_intensity(Contrast::flair, 108, 1));
  CHECK(tissue_intensity(Contrast::t2, 30, 1) > tissue_intensity(Contrast::t2, 108, 1) + 100);
  const AxialSlice s = phantom_slice();
  const SynthImage flair = render(s, phantom_params(Contrast::flair));
  CHECK(ring_mean(flair, 80, 80, 0, 8) < ring_mean(flair, 80, 80, 25, 45) - 50);
  const SynthImage t2 = render(s, phantom_params(Contrast::t2));
  CHECK(ring_mean(t2, 80, 80, 0, 8) > ring_mean(t2, 80, 80, 25, 45) + 80);
}

TEST_CASE("outside the lesion, the classes' global statistics have the same distribution",
          "[data][synth]") {
  // 150 images of each class; healthy frames with little or no brain are left out (they are the
  // one intended difference: no brain, no tumor). Each image leaves out the part its lesions
  // touch, a healthy image the same part as the tumor image of its index (same millimetres of
  // its own slice), so that both lose as much head. Tolerance: a Kolmogorov-Smirnov distance of
  // 0.2, above its 1 % critical value for two samples of 150 (0.19).
  std::array<std::vector<double>, 2> mean, head, bright;
  int lesions_drawn = 0;
  for (int label = 0; label < 2; ++label)
    for (int i = 0; static_cast<int>(mean[label].size()) < 150; ++i) {
      SynthDraw d = draw(label == 1, i);
      if (d.params.frame != SynthFrame::brain) continue;
      const std::vector<Lesion> zone = draw(true, i).params.lesions;
      shrink_canvas(d.params, 96);
      Rng noise(4, label, static_cast<std::uint64_t>(i));
      const GlobalStats g = global_stats(d, render_synth_image(d.slice, d.params, noise), zone);
      mean[label].push_back(g.mean);
      head[label].push_back(g.head);
      bright[label].push_back(g.bright);
      lesions_drawn += static_cast<int>(d.params.lesions.size());
    }
  CHECK(lesions_drawn >= 150);
  CHECK(ks_distance(mean[0], mean[1]) < 0.2);
  CHECK(ks_distance(head[0], head[1]) < 0.2);
  CHECK(ks_distance(bright[0], bright[1]) < 0.2);
}
