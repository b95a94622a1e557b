// braincam predict: the probability of a tumor for image files, preprocessed as in training, or
// for a K-class checkpoint every class's probability and the top class.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "data/csv_field.h"
#include "data/image_files.h"
#include "data/preprocess.h"
#include "engine/ops.h"
#include "model/checkpoint.h"
#include "model/checkpoint_background.h"
#include "model/checkpoint_classes.h"
#include "model/class_metrics.h"
#include "model/predict.h"
#include "model/test_time_augmentation.h"
#include "tools/commands.h"
#include "tools/device_option.h"
#include "tools/max_pixels_option.h"
#include "tools/threshold_option.h"
#include "tools/tta_option.h"

namespace braincam::tools {

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

struct PredictArgs {
  std::string checkpoint, format = "table", device = "auto";
  std::string threshold, tta;  // --threshold, --tta
  std::vector<std::string> inputs;
  data::DecodeLimits limits;
};

struct Prediction {
  std::string file;
  // P(tumor) for the binary model; for K classes, their probabilities in `classes`.
  double probability = 0, milliseconds = 0;
  std::vector<double> classes;
};

// The model's logits for one preprocessed image (HWC uint8, kInputSize square): K of them.
std::vector<double> logits_of(BrainDetectionModel& model, const std::uint8_t* hwc, bool attention) {
  const int side = data::kInputSize;
  Tensor image({1, 3, side, side}, DType::F32);
  data::to_chw_float(hwc, side, side, image.data<float>());
  NoGradScope no_grad;
  return model.forward(Var(image.to(model.device())), {.attention = attention})
      .logits.value()
      .to_vector();
}

// The probability of "tumor" of one preprocessed image (the binary model), or its K classes'
// probabilities, with the test-time augmentation `tta`; NaN when a pass's logit is (finite
// weights can still overflow; sigmoid(+-inf) is 1 or 0).
std::vector<double> probabilities_of(BrainDetectionModel& model, data::Image image, bool attention,
                                     TestTimeAugmentation tta) {
  const auto probabilities = [&](const std::vector<double>& z) {
    if (model.classes() >= 2) return softmax(z);
    return std::vector<double>{tumor_probability(z[0])};
  };
  const std::vector<double> z = logits_of(model, image.pixels.data(), attention);
  const bool nan = std::any_of(z.begin(), z.end(), [](double v) { return std::isnan(v); });
  if (tta == TestTimeAugmentation::none || nan) return probabilities(z);
  mirror_rows(image.pixels.data(), image.height, image.width, image.channels);
  return mean_of_passes(probabilities(z),
                        probabilities(logits_of(model, image.pixels.data(), attention)));
}

// The K-class model's outputs: every class's probability and the top class.
void print_classes(const std::vector<Prediction>& predictions, const ClassNames& classes,
                   const std::string& format) {
  const std::vector<std::string>& names = classes.names;
  if (format == "json") {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& p : predictions) {
      nlohmann::json by_class = nlohmann::json::object();
      for (std::size_t k = 0; k < names.size(); ++k) by_class[names[k]] = p.classes[k];
      out.push_back({{"file", p.file},
                     {"probabilities", by_class},
                     {"class", names[top_class(p.classes)]},
                     {"ms", p.milliseconds}});
    }
    std::printf("%s\n", out.dump(2).c_str());
  } else if (format == "csv") {
    std::printf("file");
    for (const std::string& name : names) std::printf(",%s", data::csv_field(name).c_str());
    std::printf(",class,ms\n");
    for (const auto& p : predictions) {
      std::printf("%s", data::csv_quoted(p.file).c_str());
      for (double v : p.classes) std::printf(",%.6f", v);
      std::printf(",%s,%.2f\n", data::csv_field(names[top_class(p.classes)]).c_str(),
                  p.milliseconds);
    }
  } else {
    std::printf("%-60s", "image");
    for (const std::string& name : names) std::printf(" %12s", ("P(" + name + ")").c_str());
    std::printf(" %12s %9s\n", "class", "ms");
    for (const auto& p : predictions) {
      std::printf("%-60s", p.file.c_str());
      for (double v : p.classes) std::printf(" %12.4f", v);
      std::printf(" %12s %9.2f\n", names[top_class(p.classes)].c_str(), p.milliseconds);
    }
  }
}

void run_predict(const PredictArgs& a) {
  BrainDetectionModel model(checkpoint_shape(a.checkpoint), DType::F32, resolve_device(a.device));
  const auto meta = load_checkpoint(a.checkpoint, model);
  const ClassNames classes = read_class_names(meta, model.classes(), a.checkpoint);
  if (!classes.names.empty() && a.threshold != kThresholdFromCheckpoint)
    throw std::runtime_error("--threshold: " + a.checkpoint +
                             " is a K-class model, which labels each image with its top class");
  const bool attention = trained_with_attention(meta);
  const data::Background background = trained_background(meta, a.checkpoint);
  const LabelThreshold threshold = label_threshold(a.threshold, meta, a.checkpoint);
  const TestTimeAugmentation tta = parse_test_time_augmentation(a.tta);
  const auto label = [&](double p) { return p > threshold.value ? "yes" : "no"; };

  std::vector<Prediction> predictions;
  const data::ImageFiles inputs = data::list_image_files(a.inputs);
  std::vector<std::pair<std::string, std::string>> failures;
  for (const data::SkippedFile& s : inputs.skipped) failures.emplace_back(s.path, s.reason);
  for (const fs::path& file : inputs.files) {
    const auto start = Clock::now();
    data::Preprocessed p;
    try {
      p = data::preprocess_file(file, a.limits);
      data::apply_background(p.input, background);
    } catch (const std::exception& e) {
      failures.emplace_back(file.string(), e.what());
      continue;
    }
    const std::vector<double> probabilities =
        probabilities_of(model, std::move(p.input), attention, tta);
    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    if (std::any_of(probabilities.begin(), probabilities.end(),
                    [](double v) { return std::isnan(v); })) {
      failures.emplace_back(file.string(), "the model's output is NaN");
      continue;
    }
    if (classes.names.empty())
      predictions.push_back({file.string(), probabilities[0], ms, {}});
    else
      predictions.push_back({file.string(), 0, ms, probabilities});
  }

  if (!classes.names.empty()) {
    print_classes(predictions, classes, a.format);
  } else if (a.format == "json") {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& p : predictions)
      out.push_back({{"file", p.file},
                     {"probability", p.probability},
                     {"label", label(p.probability)},
                     {"ms", p.milliseconds}});
    std::printf("%s\n", out.dump(2).c_str());
  } else if (a.format == "csv") {
    std::printf("file,probability,label,ms\n");
    for (const auto& p : predictions)
      std::printf("%s,%.6f,%s,%.2f\n", data::csv_quoted(p.file).c_str(), p.probability,
                  label(p.probability), p.milliseconds);
  } else {
    std::printf("%-60s %12s %6s %9s\n", "image", "P(tumor)", "label", "ms");
    for (const auto& p : predictions)
      std::printf("%-60s %12.4f %6s %9.2f\n", p.file.c_str(), p.probability, label(p.probability),
                  p.milliseconds);
  }
  double total = 0;
  for (const auto& p : predictions) total += p.milliseconds;
  for (const auto& [file, why] : failures)
    std::fprintf(stderr, "skipped %s: %s\n", file.c_str(), why.c_str());
  if (threshold.shown())
    std::fprintf(stderr, "label yes: P(tumor) > %.4f (threshold of %s)\n", threshold.value,
                 threshold.source);
  std::fprintf(
      stderr, "%zu images predicted (%.2f ms per image, preprocessing included), %zu skipped\n",
      predictions.size(), predictions.empty() ? 0.0 : total / predictions.size(), failures.size());
  if (predictions.empty()) {
    std::string named;
    for (const std::string& in : a.inputs) named += (named.empty() ? "" : ", ") + in;
    throw std::runtime_error("no image could be read from " + named);
  }
}

}  // namespace

void add_predict_command(CLI::App& app) {
  auto a = std::make_shared<PredictArgs>();
  CLI::App* cmd =
      app.add_subcommand("predict", "Probability of a tumor for image files or folders");
  cmd->add_option("--checkpoint", a->checkpoint, "a checkpoint written by braincam train")
      ->required();
  cmd->add_option("--format", a->format, "table|csv|json")
      ->capture_default_str()
      ->check(CLI::IsMember({"table", "csv", "json"}));
  cmd->add_option("--device", a->device, kDeviceHelp)->capture_default_str();
  add_max_pixels_option(*cmd, a->limits);
  add_threshold_option(*cmd, a->threshold);
  add_tta_option(*cmd, a->tta);
  cmd->add_option("inputs", a->inputs, "image files or folders")->required();
  cmd->callback([a] { run_predict(*a); });
}

}  // namespace braincam::tools
