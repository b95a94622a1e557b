// The gnuplot wrapper and the charts drawn with it: real PNGs of the requested size, written
// atomically, with clear errors.
#include "tools/charts.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <cstdlib>
#include <fstream>

#include "model/metrics.h"
#include "model/metrics_csv.h"
#include "tests/report/png_check.h"
#include "tools/gnuplot.h"

using namespace braincam;
namespace fs = std::filesystem;

namespace {

std::size_t files_in(const fs::path& dir) {
  return static_cast<std::size_t>(
      std::distance(fs::directory_iterator(dir), fs::directory_iterator()));
}

std::vector<EpochRecord> epochs() {
  std::vector<EpochRecord> e;
  for (int k = 1; k <= 5; ++k)
    e.push_back({k, k > 2, 0.7 / k, 0.6 + 0.05 * k, 0.75 / k, 0.55 + 0.06 * k, 10.0, 32.0});
  return e;
}

}  // namespace

TEST_CASE("gnuplot: a job writes a PNG of the requested size and renames it into place") {
  test::TempDir dir("gnuplot-ok");
  tools::GnuplotJob job;
  const std::string data = job.data_file("points.dat", "0 0\n1 1\n2 4\n");
  job.run(job.png_output(dir.path / "chart.png", 320, 200) + "plot " + data +
          " with lines title 'it''s'\n");
  const data::Image png = test::read_png(dir.path / "chart.png");
  CHECK(png.width == 320);
  CHECK(png.height == 200);
  CHECK(files_in(dir.path) == 1);  // no temporary file left beside it
}

TEST_CASE("gnuplot: a failing script is reported with gnuplot's message and writes nothing") {
  test::TempDir dir("gnuplot-fail");
  tools::GnuplotJob job;
  const std::string script =
      job.png_output(dir.path / "chart.png", 320, 200) + "plot no_such_function(x)\n";
  REQUIRE_THROWS_WITH(job.run(script),
                      Catch::Contains("gnuplot failed") && Catch::Contains("no_such_function"));
  CHECK(files_in(dir.path) == 0);
}

TEST_CASE("gnuplot: a missing gnuplot says so and how to install it") {
  test::TempDir dir("gnuplot-missing");
  ::setenv("BRAINCAM_GNUPLOT", "braincam-no-such-gnuplot", 1);
  tools::GnuplotJob job;
  const std::string script = job.png_output(dir.path / "chart.png", 320, 200) + "plot x\n";
  CHECK_THROWS_WITH(job.run(script),
                    Catch::Contains("braincam-no-such-gnuplot") && Catch::Contains("install"));
  ::unsetenv("BRAINCAM_GNUPLOT");
  CHECK(files_in(dir.path) == 0);
}

TEST_CASE(
    "charts: training curves, evaluation charts and faithfulness curves are PNGs of their sizes") {
  test::TempDir dir("charts");
  tools::plot_training_curves(epochs(), dir.path);
  for (const char* name : {"loss.png", "accuracy.png"}) {
    const data::Image png = test::read_png(dir.path / name);
    CHECK(png.width == 720);
    CHECK(png.height == 480);
  }
  const auto metrics =
      to_json(classification_metrics({0.9, 0.8, 0.3, 0.6, 0.1, 0.2}, {1, 1, 1, 0, 0, 0}));
  tools::plot_evaluation_charts(metrics, "eval.json", dir.path);
  CHECK(test::read_png(dir.path / "confusion.png").width == 560);
  CHECK(test::read_png(dir.path / "roc.png").height == 520);
  CHECK(test::read_png(dir.path / "errors.png").width == 800);

  tools::MethodCurves cam{"cam", {0.9, 0.5, 0.1}, {0.1, 0.6, 0.9}, 0.5, 0.55};
  tools::MethodCurves gradcam{"gradcam", {0.9, 0.7, 0.1}, {0.1, 0.3, 0.9}, 0.6, 0.4};
  tools::plot_faithfulness_curves({cam, gradcam}, dir.path / "faithfulness.png");
  CHECK(test::read_png(dir.path / "faithfulness.png").width == 1000);
}

TEST_CASE("charts: metrics without a key the charts need are an error naming the source") {
  test::TempDir dir("charts-bad");
  auto metrics = to_json(classification_metrics({0.9, 0.1}, {1, 0}));
  metrics.erase("roc");
  CHECK_THROWS_WITH(tools::plot_evaluation_charts(metrics, "eval.json", dir.path),
                    Catch::Contains("eval.json") && Catch::Contains("roc"));
  CHECK_FALSE(fs::exists(dir.path / "confusion.png"));
}

TEST_CASE(
    "metrics csv: the trainer's rows are read back, and a malformed row names the file and line") {
  test::TempDir dir("metrics-csv");
  const fs::path csv = dir.path / "metrics.csv";
  std::ofstream(csv) << kMetricsHeader
                     << "\n1,off,0.69,0.5,0.7,0.48,12.5,40,0.001,\n"
                        "3,on,0.3,0.9,0.35,0.875,11,45.5,0.0005,stopped early: no better\n";
  const auto rows = read_metrics_csv(csv);
  REQUIRE(rows.size() == 2);
  CHECK_FALSE(rows[0].attention);
  CHECK(rows[1].attention);
  CHECK(rows[1].epoch == 3);
  CHECK(rows[1].val_accuracy == 0.875);
  CHECK(rows[1].images_per_s == 45.5);
  CHECK(rows[0].lr == 0.001);
  CHECK(rows[0].stop.empty());
  CHECK(rows[1].lr == 0.0005);
  CHECK(rows[1].stop == "stopped early: no better");
  CHECK(format_metrics_csv(rows) == kMetricsHeader + std::string("\n") +
                                        "1,off,0.69,0.5,0.7,0.48,12.5,40,0.001,\n"
                                        "3,on,0.3,0.9,0.35,0.875,11,45.5,0.0005,stopped early: "
                                        "no better\n");

  // A file written before the lr and stop columns: read, its lr unknown (written as an empty
  // cell).
  std::ofstream(csv) << kMetricsHeaderWithoutLr << "\n1,off,0.69,0.5,0.7,0.48,12.5,40\n";
  const auto old = read_metrics_csv(csv);
  REQUIRE(old.size() == 1);
  CHECK(old[0].val_accuracy == 0.48);
  CHECK(std::isnan(old[0].lr));
  CHECK(format_metrics_csv(old) ==
        kMetricsHeader + std::string("\n1,off,0.69,0.5,0.7,0.48,12.5,40,,\n"));

  std::ofstream(csv) << kMetricsHeader
                     << "\n1,off,0.69,0.5,0.7,0.48,12.5,40,0.001,\n"
                        "2,maybe,0.3,0.9,0.35,0.875,11,45,0.001,\n";
  CHECK_THROWS_WITH(read_metrics_csv(csv), Catch::Contains("metrics.csv: line 3"));
  std::ofstream(csv) << "epoch,loss\n";
  CHECK_THROWS_WITH(read_metrics_csv(csv), Catch::Contains("line 1"));
  std::ofstream(csv) << kMetricsHeader << "\n1,off,0.69,0.5,0.7,0.48,12.5,40\n";  // cells missing
  CHECK_THROWS_WITH(read_metrics_csv(csv), Catch::Contains("metrics.csv: line 2"));
  std::ofstream(csv) << kMetricsHeader << "\n1,off,0.69,0.5,0.7,0.48,12.5,40,fast,\n";
  CHECK_THROWS_WITH(read_metrics_csv(csv), Catch::Contains("metrics.csv: line 2"));
}
