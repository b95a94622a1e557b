// braincam cam: class activation maps of a trained checkpoint, as panels (model input | heatmap |
// overlay), contact sheets per group, and, where the dataset has lesion masks, localization and
// faithfulness scores per method (DIR/cam_scores.json). See docs/explanations.md.
#include <cmath>
#include <cstdio>
#include <memory>
#include <sstream>

#include "base/atomic_file.h"
#include "base/file_io.h"
#include "data/dataset_cache.h"
#include "data/preprocess.h"
#include "model/checkpoint.h"
#include "model/checkpoint_background.h"
#include "model/explanations.h"
#include "model/predict.h"
#include "tools/cam_panel.h"
#include "tools/cam_scores.h"
#include "tools/charts.h"
#include "tools/choice_option.h"
#include "tools/commands.h"
#include "tools/device_option.h"
#include "tools/max_pixels_option.h"
#include "tools/number_checks.h"

namespace braincam::tools {

namespace {
namespace fs = std::filesystem;

constexpr int kSide = data::kInputSize;
constexpr int kScoreBatch = 16;

struct CamOptions {
  std::string checkpoint, method = "cam", cache, split = "test",
                          select = "correct-yes,correct-no,wrong", out;
  std::string target = "tumor", device = "auto";
  std::vector<std::string> images;
  data::DecodeLimits limits;
  int count = 4, score_images = 64, faithfulness_images = 64;
  FaithfulnessOptions faithfulness;
};

// One image to draw: its model input, what is known about it, and where its panel goes.
struct Item {
  data::Image input;
  std::string name;
  int label = -1;  // -1: unknown (an image file)
  double probability = 0;
};

const char* class_name(int label) { return label == 1 ? "tumor" : "no tumor"; }

std::string caption(const Item& item) {
  char p[64];
  std::snprintf(p, sizeof p, "predicted: %s (p(tumor) = %.3f)", class_name(item.probability > 0.5),
                item.probability);
  std::string c = item.name + "  |  ";
  if (item.label >= 0) c += std::string("true: ") + class_name(item.label) + "  |  ";
  return c + p;
}

// A file name made of the image's name: letters, digits, '-' and '.' kept, the rest '_'.
std::string safe_name(const std::string& name) {
  std::string s = fs::path(name).stem().string();
  for (char& c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.') c = '_';
  return s;
}

Tensor input_tensor(const std::vector<const data::Image*>& images, Device device) {
  Tensor t({static_cast<std::int64_t>(images.size()), 3, kSide, kSide}, DType::F32);
  for (std::size_t n = 0; n < images.size(); ++n)
    data::to_chw_float(images[n]->pixels.data(), kSide, kSide,
                       t.data<float>() + n * 3 * kSide * kSide);
  return t.to(device);
}

// Maps of `method` for `images`, at the model input's size and min-max normalized (N x 240 x 240).
Tensor display_maps(BrainDetectionModel& model, const Tensor& images, CamMethod method,
                    bool attention, bool explain_tumor) {
  return normalize_minmax(upsample_bilinear(
      explain(model, images, method, attention, explain_tumor).maps, kSide, kSide));
}

// The probabilities of the images of `items`, in evaluation mode, as the cache's images get theirs.
std::vector<double> image_probabilities(BrainDetectionModel& model, const std::vector<Item>& items,
                                        bool attention) {
  const std::size_t bytes = static_cast<std::size_t>(kSide) * kSide * 3;
  Tensor images({static_cast<std::int64_t>(items.size()), kSide, kSide, 3}, DType::U8);
  for (std::size_t k = 0; k < items.size(); ++k)
    std::copy_n(items[k].input.pixels.data(), bytes, images.data<std::uint8_t>() + k * bytes);
  return predict_probabilities(model, ImageSet(images, model.device()), attention);
}

data::Image cache_image(const data::DatasetCache& cache, std::size_t i) {
  data::Image image(kSide, kSide, 3);
  std::copy_n(cache.pixels(i), image.pixels.size(), image.pixels.data());
  return image;
}

// The panels of `items` for one method, and their contact sheet when there is one.
void add_sheets(BrainDetectionModel& model, const std::vector<Item>& items, CamMethod method,
                bool attention, const CamOptions& o, const fs::path& dir,
                const std::string& sheet_title, const fs::path& sheet_png,
                std::vector<CamSheet>& sheets) {
  fs::create_directories(dir);
  CamSheet sheet{sheet_title, {}, sheet_png};
  for (std::size_t k = 0; k < items.size(); ++k) {
    const Item& item = items[k];
    const bool explain_tumor = o.target == "tumor" || item.probability > 0.5;
    const Tensor map = display_maps(model, input_tensor({&item.input}, model.device()), method,
                                    attention, explain_tumor);
    SheetRow row{compose_cam_strip(item.input, map.data<double>()), caption(item)};
    char number[32];
    std::snprintf(number, sizeof number, "%02zu_", k + 1);
    sheets.push_back(
        {std::string(cam_method_name(method)) + ", explaining '" + class_name(explain_tumor) + "'",
         {row},
         dir / (number + safe_name(item.name) + ".png")});
    sheet.rows.push_back(std::move(row));
  }
  if (!sheet_png.empty() && !sheet.rows.empty()) sheets.push_back(std::move(sheet));
}

std::vector<std::string> parse_groups(const std::string& select) {
  std::vector<std::string> groups;
  std::stringstream in(select);
  for (std::string g; std::getline(in, g, ',');) {
    if (g != "correct-yes" && g != "correct-no" && g != "wrong")
      throw std::runtime_error("--select: unknown group '" + g +
                               "' (use correct-yes, correct-no, wrong)");
    groups.push_back(g);
  }
  if (groups.empty()) throw std::runtime_error("--select: no group given");
  return groups;
}

std::string group_of(int label, double probability) {
  const int predicted = probability > 0.5;
  if (predicted != label) return "wrong";
  return label ? "correct-yes" : "correct-no";
}

// Localization (tumor images with a lesion mask, up to score_images) and faithfulness (the first
// faithfulness_images tumor images) of every method, always explaining "tumor".
std::vector<MethodScores> score_methods(BrainDetectionModel& model, const data::DatasetCache& cache,
                                        const std::vector<std::size_t>& split,
                                        const std::vector<CamMethod>& methods, bool attention,
                                        const CamOptions& o) {
  std::vector<std::size_t> tumors, masked;
  std::vector<std::vector<float>> masks;
  for (std::size_t i : split) {
    if (cache.label(i) != 1) continue;
    tumors.push_back(i);
    if (static_cast<int>(masked.size()) >= o.score_images) continue;
    if (const auto mask = cache.lesion_mask(i)) {
      masked.push_back(i);
      masks.emplace_back(mask->pixels.begin(), mask->pixels.end());
      for (float& v : masks.back()) v = v > 127 ? 1.0f : 0.0f;
    }
  }
  if (tumors.size() > static_cast<std::size_t>(o.faithfulness_images))
    tumors.resize(o.faithfulness_images);
  std::printf("scoring %zu tumor images with lesion masks, faithfulness on %zu tumor images\n",
              masked.size(), tumors.size());

  std::vector<MethodScores> scores;
  for (CamMethod method : methods) {
    MethodScores s(method);
    for (std::size_t start = 0; start < masked.size(); start += kScoreBatch) {
      const std::size_t n = std::min<std::size_t>(kScoreBatch, masked.size() - start);
      Tensor batch({static_cast<std::int64_t>(n), 3, kSide, kSide}, DType::F32);
      cache.fill_batch({masked.data() + start, n}, batch.data<float>());
      const Tensor maps = display_maps(model, batch.to(model.device()), method, attention, true);
      for (std::size_t k = 0; k < n; ++k)
        s.add(score_localization(maps.data<double>() + k * kSide * kSide, masks[start + k].data(),
                                 kSide, kSide));
    }
    for (std::size_t i : tumors) {
      Tensor image({1, 3, kSide, kSide}, DType::F32);
      cache.fill_batch({&i, 1}, image.data<float>());
      const Tensor map = display_maps(model, image.to(model.device()), method, attention, true);
      s.add(faithfulness_curves(model, image, map.data<double>(), attention, true, o.faithfulness));
    }
    scores.push_back(std::move(s));
  }
  return scores;
}

void run_cam(const CamOptions& o) {
  if (o.images.empty() == o.cache.empty())
    throw std::runtime_error("give either --images or --cache");
  const std::vector<CamMethod> methods =
      o.method == "all" ? all_cam_methods() : std::vector<CamMethod>{parse_cam_method(o.method)};
  BrainDetectionModel model(ModelShape{}, DType::F32, resolve_device(o.device));
  const auto meta = load_checkpoint(o.checkpoint, model);
  const auto attention_entry = meta.find("attention");
  if (attention_entry == meta.end() ||
      (attention_entry->second != "on" && attention_entry->second != "off"))
    throw std::runtime_error(o.checkpoint + ": metadata 'attention' must be on or off");
  const bool attention = attention_entry->second == "on";
  const fs::path out = o.out;  // made once the images are read: no empty folder on an error

  nlohmann::json index = {{"checkpoint", o.checkpoint},
                          {"attention", attention},
                          {"target", o.target},
                          {"sheets", nlohmann::json::array()}};
  std::vector<CamSheet> sheets;
  std::vector<MethodScores> scores;
  if (!o.images.empty()) {
    const data::Background background = trained_background(meta, o.checkpoint);
    std::vector<Item> items;
    for (const std::string& file : o.images) {
      data::Image input = data::preprocess_file(file, o.limits).input;
      data::apply_background(input, background);
      items.push_back({std::move(input), fs::path(file).filename().string()});
    }
    const std::vector<double> p = image_probabilities(model, items, attention);
    for (std::size_t k = 0; k < items.size(); ++k) items[k].probability = p[k];
    for (CamMethod method : methods) {
      const std::string name = cam_method_name(method);
      const fs::path sheet = out / name / "images.png";
      add_sheets(model, items, method, attention, o, out / name / "images",
                 name + ": the given images", sheet, sheets);
      index["sheets"].push_back(
          {{"method", name}, {"group", "images"}, {"file", fs::relative(sheet, out).string()}});
    }
  } else {
    const data::DatasetCache cache = data::DatasetCache::open(o.cache);
    require_cache_background(meta, o.checkpoint, cache, o.cache);
    const std::vector<std::size_t> split = cache.indices(data::split_from_name(o.split));
    if (split.empty()) throw std::runtime_error(o.cache + ": the " + o.split + " split is empty");
    std::printf("predicting %zu %s images (attention %s)\n", split.size(), o.split.c_str(),
                attention ? "on" : "off");
    const std::vector<double> p = predict_probabilities(model, cache, split, attention);
    index["split"] = o.split;
    for (const std::string& group : parse_groups(o.select)) {
      std::vector<Item> items;
      std::size_t members = 0;
      for (std::size_t k = 0; k < split.size(); ++k) {
        if (group_of(cache.label(split[k]), p[k]) != group) continue;
        ++members;
        if (static_cast<int>(items.size()) < o.count)
          items.push_back({cache_image(cache, split[k]), cache.entry(split[k]).path,
                           cache.label(split[k]), p[k]});
      }
      index["groups"][group] = {{"images", members}, {"shown", items.size()}};
      for (CamMethod method : methods) {
        if (items.empty()) continue;
        const std::string name = cam_method_name(method);
        const fs::path sheet = out / name / (group + ".png");
        add_sheets(model, items, method, attention, o, out / name / group,
                   name + ": " + group + ", " + o.split + " split (" +
                       std::to_string(items.size()) + " of " + std::to_string(members) + ")",
                   sheet, sheets);
        index["sheets"].push_back(
            {{"method", name}, {"group", group}, {"file", fs::relative(sheet, out).string()}});
      }
    }
    scores = score_methods(model, cache, split, methods, attention, o);
  }
  fs::create_directories(out);
  std::printf("drawing %zu panels and sheets\n", sheets.size());
  render_cam_sheets(sheets);

  if (scores.empty())
    for (CamMethod method : methods) scores.emplace_back(method);
  index.update(cam_scores_json(scores));
  index["faithfulness_baseline"] = name_of(kFaithfulnessBaselineNames, o.faithfulness.baseline);
  if (o.faithfulness.baseline == FaithfulnessBaseline::blur)
    index["faithfulness_sigma_px"] = o.faithfulness.blur_sigma;
  std::vector<MethodCurves> curves;
  for (const MethodScores& s : scores)
    if (s.faithfulness() > 0) curves.push_back(s.mean_curves());
  if (!curves.empty()) {
    plot_faithfulness_curves(curves, out / "faithfulness.png");
    index["faithfulness_chart"] = "faithfulness.png";
  }
  write_file_atomically(out / "cam_scores.json", index.dump(2) + "\n");
  std::printf("%s", cam_scores_table(scores).c_str());
  std::printf("wrote %s\n", (out / "cam_scores.json").c_str());
}

}  // namespace

void add_cam_command(CLI::App& app) {
  auto o = std::make_shared<CamOptions>();
  CLI::App* cmd = app.add_subcommand(
      "cam", "Class activation maps: panels, contact sheets, localization scores");
  cmd->add_option("--checkpoint", o->checkpoint, "a training checkpoint (RUN/best.safetensors)")
      ->required();
  cmd->add_option("--method", o->method, "cam|gradcam|gradcam++|hirescam|layercam|all")
      ->check(CLI::IsMember({"cam", "gradcam", "gradcam++", "hirescam", "layercam", "all"}));
  auto images =
      cmd->add_option("--images", o->images, "image files to explain (no labels: prediction only)");
  auto cache = cmd->add_option("--cache", o->cache, "a prepared dataset cache to pick images from");
  images->excludes(cache);
  cmd->add_option("--split", o->split, "the cache's split: train|val|test")
      ->check(CLI::IsMember({"train", "val", "test"}));
  cmd->add_option("--select", o->select,
                  "groups to show, comma separated: correct-yes,correct-no,wrong");
  cmd->add_option("--count", o->count, "images per group")->check(kPositive);
  cmd->add_option("--target", o->target,
                  "explain 'tumor' (the logit z) or each image's 'predicted' class")
      ->check(CLI::IsMember({"tumor", "predicted"}));
  cmd->add_option("--score-images", o->score_images,
                  "tumor images with lesion masks scored for localization")
      ->check(kNonNegative);
  cmd->add_option("--faithfulness-images", o->faithfulness_images,
                  "tumor images for deletion/insertion curves")
      ->capture_default_str()
      ->check(kNonNegative);
  add_choice(*cmd, "--faithfulness-baseline", o->faithfulness.baseline, kFaithfulnessBaselineNames,
             "what deleted pixels become and insertion starts from: blur (a Gaussian blur of the "
             "image, --faithfulness-sigma) or black");
  cmd->add_option("--faithfulness-sigma", o->faithfulness.blur_sigma,
                  "the blur baseline's Gaussian sigma, pixels of the 240 x 240 model input")
      ->capture_default_str()
      ->check(kPositive);
  cmd->add_option("--device", o->device, kDeviceHelp)->capture_default_str();
  add_max_pixels_option(*cmd, o->limits);
  cmd->add_option("--out", o->out, "output folder")->required();
  cmd->callback([o] { run_cam(*o); });
}

}  // namespace braincam::tools
