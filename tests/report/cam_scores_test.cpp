// The per-method scores of `braincam cam` and the keys of cam_scores.json.
#include "tools/cam_scores.h"

#include <catch2/catch.hpp>

using namespace braincam;

TEST_CASE("cam scores: cam_scores.json has every score per method, averaged over the images") {
  tools::MethodScores gradcam(CamMethod::GradCam), layercam(CamMethod::LayerCam);
  gradcam.add(LocalizationScore{true, 0.8, 0.5});
  gradcam.add(LocalizationScore{false, 0.4, 0.1});
  gradcam.add(FaithfulnessCurves{{0.9, 0.5, 0.1}, {0.1, 0.5, 0.9}, 0.5, 0.5});
  gradcam.add(FaithfulnessCurves{{0.7, 0.3, 0.1}, {0.3, 0.7, 0.9}, 0.35, 0.65});
  const nlohmann::json j = tools::cam_scores_json({gradcam, layercam});

  const auto& g = j.at("methods").at("gradcam");
  for (const char* key : {"pointing", "energy_inside", "iou_top10", "deletion_auc", "insertion_auc",
                          "n", "n_faithfulness", "deletion_curve", "insertion_curve"})
    CHECK(g.contains(key));
  CHECK(g["pointing"].get<double>() == Approx(0.5));
  CHECK(g["energy_inside"].get<double>() == Approx(0.6));
  CHECK(g["iou_top10"].get<double>() == Approx(0.3));
  CHECK(g["deletion_auc"].get<double>() == Approx(0.425));
  CHECK(g["insertion_auc"].get<double>() == Approx(0.575));
  CHECK(g["n"] == 2);
  CHECK(g["n_faithfulness"] == 2);
  REQUIRE(g["deletion_curve"].size() == 3);
  CHECK(g["deletion_curve"][0].get<double>() == Approx(0.8));
  CHECK(g["insertion_curve"][1].get<double>() == Approx(0.6));

  // A method with no scored image has null scores, not zeros.
  const auto& l = j.at("methods").at("layercam");
  CHECK(l["pointing"].is_null());
  CHECK(l["insertion_auc"].is_null());
  CHECK(l["n"] == 0);

  const std::string table = tools::cam_scores_table({gradcam, layercam});
  CHECK_THAT(table,
             Catch::Contains("gradcam") && Catch::Contains("0.500") && Catch::Contains("layercam"));
}

TEST_CASE("cam scores: curves of different lengths cannot be averaged") {
  tools::MethodScores cam(CamMethod::Cam);
  cam.add(FaithfulnessCurves{{0.9, 0.1}, {0.1, 0.9}, 0.5, 0.5});
  CHECK_THROWS(cam.add(FaithfulnessCurves{{0.9, 0.5, 0.1}, {0.1, 0.5, 0.9}, 0.5, 0.5}));
}
