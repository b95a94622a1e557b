// RUN/report.html: one self-contained page with every section, and a note in place of each
// section whose input is missing or broken.
#include "tools/report.h"

#include <catch2/catch.hpp>
#include <fstream>

#include "base/atomic_file.h"
#include "base/file_io.h"
#include "engine/safetensors.h"
#include "model/metrics.h"
#include "model/shortcut_verdicts.h"
#include "tests/report/png_check.h"
#include "tools/cam_panel.h"
#include "tools/cam_scores.h"

using namespace braincam;
namespace fs = std::filesystem;

namespace {

const char* kSections[] = {"id=\"settings\"",   "id=\"data\"",     "id=\"training\"",
                           "id=\"evaluation\"", "id=\"ablation\"", "id=\"explanations\""};

std::string read_text(const fs::path& file) {
  const auto bytes = read_file(file);
  return {bytes.begin(), bytes.end()};
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// Nothing is fetched from elsewhere: no URLs, and every src and href is a data URI or an anchor.
void check_self_contained(const std::string& html) {
  CHECK(html.find("http://") == std::string::npos);
  CHECK(html.find("https://") == std::string::npos);
  CHECK(html.find("file:") == std::string::npos);
  CHECK(html.find("<link") == std::string::npos);
  CHECK(html.find("<script") == std::string::npos);
  for (const std::string attribute : {"src=\"", "href=\""})
    for (std::size_t at = html.find(attribute); at != std::string::npos;
         at = html.find(attribute, at + 1)) {
      const std::string target = html.substr(at + attribute.size(), 16);
      INFO(target);
      CHECK((target.rfind("data:image/", 0) == 0 || target.rfind("#", 0) == 0));
    }
}

void write(const fs::path& file, const std::string& text) { write_file_atomically(file, text); }

// A run folder, a cache folder and a cam folder with every input the report reads.
void make_inputs(const fs::path& root) {
  const fs::path run = root / "run", cache = root / "cache", cam = root / "run" / "cam";
  fs::create_directories(cam / "cam");
  fs::create_directories(cache);
  write(run / "metrics.csv", std::string(kMetricsHeaderWithoutLr) +
                                 "\n1,off,0.69,0.55,0.68,0.5,10,40\n2,off,0.5,0.7,0.52,0.7,10,41\n"
                                 "3,on,0.4,0.8,0.45,0.85,12,35\n");
  write_safetensors((run / "best.safetensors").string(),
                    {{"fc.bias", Tensor::zeros({1}, DType::F32)}},
                    {{"epoch", "3"},
                     {"attention", "on"},
                     {"best_val_accuracy", "0x1.b333333333333p-1"},
                     {"options", R"({"epochs": 3, "batch": 32, "lr": "0x1.0624dd2f1a9fcp-10"})"}});
  const auto metrics =
      to_json(classification_metrics({0.9, 0.8, 0.3, 0.6, 0.1, 0.2}, {1, 1, 1, 0, 0, 0}));
  write(run / "eval.json", metrics.dump());
  write(
      run / "compare.json",
      nlohmann::json{{"with_attention", metrics}, {"without_attention", metrics}, {"split", "test"}}
          .dump());
  write(cache / "eda.json", R"({"images": 20, "splits": {
      "train": {"tumor": 7, "no_tumor": 7, "total": 14, "tumor_fraction": 0.5},
      "val": {"tumor": 2, "no_tumor": 1, "total": 3, "tumor_fraction": 0.667},
      "test": {"tumor": 1, "no_tumor": 2, "total": 3, "tumor_fraction": 0.333}},
      "groups": {"count": 20}, "skipped_count": 0, "warnings": ["split val is unbalanced"]})");
  const std::vector<double> map(240 * 240, 0.7);
  tools::render_cam_sheets(
      {{"cam: wrong",
        {{tools::compose_cam_strip(data::Image(240, 240, 3, 90), map.data()), "x"}},
        cam / "cam" / "wrong.png"}});
  tools::MethodScores scores(CamMethod::Cam);
  scores.add(LocalizationScore{true, 0.7, 0.4});
  scores.add(FaithfulnessCurves{{0.9, 0.5, 0.1}, {0.1, 0.6, 0.9}, 0.5, 0.55});
  nlohmann::json index = tools::cam_scores_json({scores});
  index["sheets"] = {{{"method", "cam"}, {"group", "wrong"}, {"file", "cam/wrong.png"}}};
  write(cam / "cam_scores.json", index.dump());
}

tools::ReportInputs inputs(const fs::path& root) {
  const fs::path run = root / "run";
  return {run,         root / "cache",       run / "eval.json",
          run / "cam", run / "compare.json", "demo schedule"};
}

}  // namespace

TEST_CASE("report: with every input each section is filled and every image embedded") {
  test::TempDir dir("full");
  make_inputs(dir.path);
  const fs::path html_file = tools::write_report(inputs(dir.path));
  CHECK(html_file == dir.path / "run" / "report.html");
  const std::string html = read_text(html_file);
  for (const char* section : kSections) CHECK_THAT(html, Catch::Contains(section));
  CHECK(count(html, "Not available") == 0);
  check_self_contained(html);
  // loss, accuracy, confusion, ROC, errors: PNG; the contact sheet: JPEG.
  CHECK(count(html, "src=\"data:image/png;base64,") == 5);
  CHECK(count(html, "src=\"data:image/jpeg;base64,") == 1);
  CHECK_THAT(html, Catch::Contains("demo schedule") && Catch::Contains("without_attention") &&
                       Catch::Contains("split val is unbalanced") && Catch::Contains("0.85"));
  CHECK_THAT(html, Catch::Contains(
                       "<td>best_val_accuracy</td><td>0.85</td>"));  // hex float shown as decimal
  CHECK(count(html, "<small>[") == 0);  // no intervals in the JSON, none shown
  CHECK(test::read_png(dir.path / "run" / "loss.png").width == 720);
  CHECK(fs::exists(dir.path / "run" / "charts" / "confusion.png"));
}

TEST_CASE("report: the training table gives each epoch's lr, and why early stopping ended it") {
  test::TempDir dir("lr");
  make_inputs(dir.path);
  const std::string old_log = read_text(tools::write_report(inputs(dir.path)));
  CHECK(count(old_log, "<td>–</td>") == 3);  // a log from before the lr column: no rate
  write(dir.path / "run" / "metrics.csv",
        std::string(kMetricsHeader) +
            "\n1,off,0.69,0.55,0.68,0.5,10,40,0.001,\n2,off,0.5,0.7,0.52,0.7,10,41,0.0005,\n"
            "3,on,0.4,0.8,0.45,0.85,12,35,0.00025,no better validation accuracy for 1 epoch\n");
  const std::string html = read_text(tools::write_report(inputs(dir.path)));
  CHECK_THAT(html, Catch::Contains("<td>0.0005</td>") && Catch::Contains("<td>0.00025</td>"));
  CHECK_THAT(html, Catch::Contains(
                       "Early stopping ended the run: no better validation accuracy for 1 epoch."));
}

TEST_CASE("report: the bootstrap intervals of evaluate's JSON are shown beside the metrics") {
  test::TempDir dir("intervals");
  make_inputs(dir.path);
  const fs::path run = dir.path / "run";
  auto metrics =
      to_json(classification_metrics({0.9, 0.8, 0.3, 0.6, 0.1, 0.2}, {1, 1, 1, 0, 0, 0}));
  metrics["ci95"] = {{"accuracy", {0.5, 0.875}}, {"roc_auc", {0.625, nullptr}}};
  const nlohmann::json bootstrap = {
      {"resamples", 2000}, {"seed", 4}, {"unit", "source group"}, {"groups", 6}};
  nlohmann::json eval = metrics;
  eval["bootstrap"] = bootstrap;
  write(run / "eval.json", eval.dump());
  nlohmann::json difference = {{"accuracy", 0.125}, {"precision", -0.25},
                               {"recall", 0},       {"specificity", 0},
                               {"f1", 0},           {"roc_auc", nullptr}};
  difference["ci95"] = {{"accuracy", {-0.0625, 0.3125}}};
  write(run / "compare.json", nlohmann::json{{"with_attention", metrics},
                                             {"without_attention", metrics},
                                             {"difference", difference},
                                             {"bootstrap", bootstrap},
                                             {"split", "test"}}
                                  .dump());
  const std::string html = read_text(tools::write_report(inputs(dir.path)));
  CHECK(count(html, "Not available") == 0);
  // The evaluation and the two models of the ablation.
  CHECK(count(html, "66.67% <small>[50.00%, 87.50%]</small>") == 3);
  CHECK(count(html, " <small>[0.6250, –]</small>") == 3);  // an undefined bound
  CHECK(count(html, "2000 resamples of the 6 source groups of the split (seed 4)") == 2);
  CHECK_THAT(html, Catch::Contains("<td>difference (with − without)</td><td>+12.50 pp "
                                   "<small>[-6.25 pp, +31.25 pp]</small></td><td>-25.00 pp</td>"));
  CHECK_THAT(html, Catch::Contains("where its interval excludes 0"));
}

TEST_CASE("report: with no inputs every section says its input is not available") {
  test::TempDir dir("empty");
  const fs::path run = dir.path / "run";
  fs::create_directories(run);
  const std::string html = read_text(tools::write_report(
      {run, dir.path / "cache", run / "eval.json", run / "cam", run / "compare.json", ""}));
  for (const char* section : kSections) CHECK_THAT(html, Catch::Contains(section));
  CHECK(count(html, "Not available") == 6);
  check_self_contained(html);
}

TEST_CASE("report: a broken input is noted in its own section and the rest is still written") {
  test::TempDir dir("broken");
  make_inputs(dir.path);
  write(dir.path / "run" / "eval.json", "{ not json");
  const std::string html = read_text(tools::write_report(inputs(dir.path)));
  CHECK_THAT(html, Catch::Contains("Not available: could not be read") &&
                       Catch::Contains("eval.json: not valid JSON"));
  CHECK(count(html, "Not available") == 1);
  CHECK(count(html, "src=\"data:image/png;base64,") == 2);  // the training curves are still there
}

TEST_CASE("report: training options that are not JSON are noted, naming the checkpoint") {
  test::TempDir dir("bad-options");
  make_inputs(dir.path);
  const fs::path best = dir.path / "run" / "best.safetensors";
  write_safetensors(best.string(), {{"fc.bias", Tensor::zeros({1}, DType::F32)}},
                    {{"epoch", "3"}, {"options", "{bad json"}});
  const std::string html = read_text(tools::write_report(inputs(dir.path)));
  CHECK_THAT(html, Catch::Contains("best.safetensors: metadata 'options': not valid JSON"));
}

TEST_CASE("report: a cross-validation gets a section with its folds and their mean ± std") {
  test::TempDir dir("folds");
  make_inputs(dir.path);
  const std::string without = read_text(tools::write_report(inputs(dir.path)));
  CHECK(count(without, "crossval") == 0);  // no section, and no link to one, without the input

  auto scores = [](double accuracy, double f1, double auc) {
    return nlohmann::json{{"accuracy", accuracy}, {"f1", f1}, {"roc_auc", auc}};
  };
  auto variants = [](const nlohmann::json& with, const nlohmann::json& plain) {
    return nlohmann::json{{"with_attention", with}, {"without_attention", plain}};
  };
  const fs::path file = dir.path / "run" / "crossval.json";
  write(file,
        nlohmann::json{
            {"settings", {{"folds", 2}, {"epochs", 3}, {"seed", 7}}},
            {"folds",
             {{{"fold", 1},
               {"images", 12},
               {"with_attention", scores(0.75, 0.8, 0.9)},
               {"without_attention", scores(0.5, 0.6, 0.7)}},
              {{"fold", 2},
               {"images", 11},
               {"with_attention", scores(0.85, 0.9, 0.95)},
               {"without_attention", scores(0.6, 0.7, 0.75)}}}},
            {"mean", variants(scores(0.8, 0.85, 0.925), scores(0.55, 0.65, 0.725))},
            {"std", variants(scores(0.0707, 0.0707, 0.0354), scores(0.0707, 0.0707, 0.0354))}}
            .dump());
  tools::ReportInputs in = inputs(dir.path);
  in.crossval = file;
  const std::string html = read_text(tools::write_report(in));
  CHECK_THAT(html, Catch::Contains("<h2 id=\"crossval\">") &&
                       Catch::Contains("<a href=\"#crossval\">") &&
                       Catch::Contains("2 folds of the train and val splits") &&
                       Catch::Contains("<tr><td>2</td><td>11</td><td>85.00%</td>") &&
                       Catch::Contains("<th>mean ± std</th><th></th><th>80.00% ± 7.07%</th>"));
  CHECK(count(html, "Not available") == 0);
  check_self_contained(html);

  in.crossval = dir.path / "missing.json";
  CHECK_THAT(read_text(tools::write_report(in)),
             Catch::Contains("Not available: the cross-validation"));
}

TEST_CASE("report: a shortcut audit gets a section with its verdicts and probes") {
  test::TempDir dir("probes");
  make_inputs(dir.path);
  // no section, and no link to one, without the input
  CHECK(count(read_text(tools::write_report(inputs(dir.path))), "audit") == 0);

  ShortcutAudit a;
  a.options.threshold = 0.6;
  a.full = {.n = 20, .accuracy = 0.95, .balanced_accuracy = 0.95, .roc_auc = 0.99};
  a.full_by_label = {{10, 0.9, 1.0}, {10, 0.1, 0.1}};
  a.blanks = {{"black", 0.99}, {"gray", 0.2}, {"noise", 0.3}};
  a.blurred = {{10, 0.95, 1.0}, {10, 0.7, 0.8}};
  a.brain_only = {.n = 20, .accuracy = 0.9, .balanced_accuracy = 0.9, .roc_auc = 0.97};
  a.background_only = {.n = 20, .accuracy = 0.8, .balanced_accuracy = 0.75, .roc_auc = 0.91};
  a.brain_area_share = 0.7;
  a.source_key = "class";
  a.sources = {{"glioma", 10, 10, 1.0, 0.9}, {"notumor", 10, 0, 0.9, 0.1}};
  a.lesion_fill = {10, 0.9, 0.9, 0.8, 0.1};
  nlohmann::json j = to_json(a);
  j["split"] = "test";
  j["verdicts"] = to_json(shortcut_verdicts(a));
  const fs::path file = dir.path / "run" / "audit.json";
  write(file, j.dump());
  tools::ReportInputs in = inputs(dir.path);
  in.audit = file;
  const std::string html = read_text(tools::write_report(in));
  CHECK_THAT(html,
             Catch::Contains("<h2 id=\"audit\">Shortcut audit</h2>") &&
                 Catch::Contains("<a href=\"#audit\">") &&
                 Catch::Contains("<li class=\"warning\"><b>shortcut</b> (background_only)") &&
                 Catch::Contains("black 0.9900, gray 0.2000, noise 0.3000") &&
                 Catch::Contains("90.00% still tumor") &&
                 Catch::Contains("accuracy 80.00%, balanced 0.750, ROC AUC 0.910") &&
                 Catch::Contains("<tr><td>glioma</td><td>10</td><td>10</td><td>100.00%</td>"));
  CHECK(count(html, "Not available") == 0);
  check_self_contained(html);

  in.audit = dir.path / "missing.json";
  CHECK_THAT(read_text(tools::write_report(in)),
             Catch::Contains("Not available: the shortcut audit"));
}

TEST_CASE("report: a run folder that does not exist is an error") {
  test::TempDir dir("no-run");
  tools::ReportInputs in;
  in.run = dir.path / "nope";
  CHECK_THROWS_WITH(tools::write_report(in),
                    Catch::Contains("nope") && Catch::Contains("not a folder"));
}
