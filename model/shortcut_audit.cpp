#include "model/shortcut_audit.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>

#include "data/brain_region.h"
#include "data/lesion_fill.h"
#include "data/preprocess.h"
#include "data/probe_images.h"
#include "model/metrics.h"
#include "model/predict.h"

namespace braincam {
namespace {

using nlohmann::json;
constexpr std::size_t kChunk = 256;  // images built and held at once
constexpr std::size_t kImageBytes =
    static_cast<std::size_t>(data::kInputSize) * data::kInputSize * data::kInputChannels;

data::Image cache_image(const data::DatasetCache& cache, std::size_t i) {
  data::Image image(data::kInputSize, data::kInputSize, data::kInputChannels);
  std::copy_n(cache.pixels(i), kImageBytes, image.pixels.data());
  return image;
}

// p(tumor) of `count` images made by `make(k)`, k = 0 .. count - 1: made kChunk at a time (in
// parallel; `make` must not throw) and scored in batches.
std::vector<double> score_made_images(BrainDetectionModel& model, std::size_t count,
                                      const std::function<data::Image(std::size_t)>& make,
                                      const AuditOptions& o) {
  std::vector<double> probabilities;
  for (std::size_t first = 0; first < count; first += kChunk) {
    const auto n = static_cast<std::int64_t>(std::min(kChunk, count - first));
    Tensor images({n, data::kInputSize, data::kInputSize, data::kInputChannels}, DType::U8);
    std::uint8_t* out = images.data<std::uint8_t>();
#pragma omp parallel for schedule(dynamic)
    for (std::int64_t k = 0; k < n; ++k)
      std::copy_n(make(first + k).pixels.data(), kImageBytes, out + k * kImageBytes);
    const std::vector<double> p =
        predict_probabilities(model, ImageSet(images, model.device()), o.attention, o.batch);
    probabilities.insert(probabilities.end(), p.begin(), p.end());
  }
  return probabilities;
}

SetScores set_scores(const std::vector<double>& p, const std::vector<int>& labels,
                     double threshold) {
  const ClassificationMetrics m = classification_metrics(p, labels, threshold);
  const double balanced =
      std::isnan(m.roc_auc) ? std::nan("") : (m.recall + m.specificity) / 2;  // one class only
  return {m.count, m.accuracy, balanced, m.roc_auc};
}

ScoresByLabel scores_by_label(const std::vector<double>& p, const std::vector<int>& labels,
                              double threshold) {
  ScoresByLabel s;
  for (std::size_t k = 0; k < p.size(); ++k) {
    LabelScores& l = labels[k] ? s.tumor : s.no_tumor;
    ++l.n;
    l.mean_probability += p[k];
    l.tumor_share += p[k] > threshold;
  }
  for (LabelScores* l : {&s.tumor, &s.no_tumor})
    if (l->n) l->mean_probability /= l->n, l->tumor_share /= l->n;
  return s;
}

std::vector<BlankProbe> blank_probes(BrainDetectionModel& model, const AuditOptions& o) {
  const std::vector<data::Image> inputs{data::blank_image(0), data::blank_image(data::kProbeGray),
                                        data::noise_image(o.seed)};
  const std::vector<double> p = score_made_images(
      model, inputs.size(), [&](std::size_t k) { return inputs[k]; }, o);
  return {{"black", p[0]}, {"gray", p[1]}, {"noise", p[2]}};
}

// The images with only the head (`kept` brain) or only the background kept.
std::vector<double> region_probabilities(BrainDetectionModel& model,
                                         const data::DatasetCache& cache,
                                         const std::vector<std::size_t>& ids, data::RegionKept kept,
                                         const AuditOptions& o) {
  return score_made_images(
      model, ids.size(),
      [&](std::size_t k) {
        const data::Image image = cache_image(cache, ids[k]);
        return data::keep_region(image, data::brain_region(image), kept);
      },
      o);
}

double mean_brain_area(const data::DatasetCache& cache, const std::vector<std::size_t>& ids) {
  double sum = 0;
#pragma omp parallel for reduction(+ : sum) schedule(dynamic)
  for (std::size_t k = 0; k < ids.size(); ++k) {
    const std::vector<std::uint8_t> region = data::brain_region(cache_image(cache, ids[k]));
    sum += static_cast<double>(std::count(region.begin(), region.end(), 1)) / region.size();
  }
  return sum / ids.size();
}

// Per class of the manifest where every image has one, else per folder of its path.
void score_sources(ShortcutAudit& a, const data::DatasetCache& cache,
                   const std::vector<std::size_t>& ids, const std::vector<double>& p,
                   const std::vector<int>& labels) {
  const bool by_class = std::all_of(
      ids.begin(), ids.end(), [&](std::size_t i) { return !cache.entry(i).class_name.empty(); });
  a.source_key = by_class ? "class" : "folder";
  std::map<std::string, SourceScores> sources;
  for (std::size_t k = 0; k < ids.size(); ++k) {
    const data::ManifestRow& r = cache.entry(ids[k]);
    const std::string name =
        by_class ? r.class_name : std::filesystem::path(r.path).parent_path().generic_string();
    SourceScores& s = sources[name];
    s.name = name;
    ++s.n;
    s.tumor_images += labels[k];
    s.accuracy += (p[k] > a.options.threshold) == (labels[k] == 1);
    s.mean_probability += p[k];
  }
  for (auto& [name, s] : sources) {
    s.accuracy /= s.n;
    s.mean_probability /= s.n;
    a.sources.push_back(s);
  }
}

// The causal test on the tumor images (positions in `ids`) that have a lesion mask.
LesionFillScores lesion_fill(BrainDetectionModel& model, const data::DatasetCache& cache,
                             const std::vector<std::size_t>& ids, const std::vector<double>& p,
                             const AuditOptions& o) {
  std::vector<std::size_t> masked;  // positions in ids
  std::vector<data::Image> masks;
  for (std::size_t k = 0; k < ids.size(); ++k)
    if (cache.label(ids[k]) == 1)
      if (auto mask = cache.lesion_mask(ids[k])) {
        masked.push_back(k);
        masks.push_back(data::grow_mask(*mask, o.lesion_margin));
      }
  LesionFillScores s;
  s.n = static_cast<std::int64_t>(masked.size());
  if (masked.empty()) return s;
  const std::vector<double> after = score_made_images(
      model, masked.size(),
      [&](std::size_t j) {
        return data::fill_from_surroundings(cache_image(cache, ids[masked[j]]), masks[j]);
      },
      o);
  for (std::size_t j = 0; j < masked.size(); ++j) {
    s.still_tumor_share += after[j] > o.threshold;
    s.mean_before += p[masked[j]];
    s.mean_after += after[j];
  }
  s.still_tumor_share /= s.n;
  s.mean_before /= s.n;
  s.mean_after /= s.n;
  s.mean_drop = s.mean_before - s.mean_after;
  return s;
}

}  // namespace

ShortcutAudit shortcut_audit(BrainDetectionModel& model, const data::DatasetCache& cache,
                             const std::vector<std::size_t>& ids, const AuditOptions& o) {
  if (ids.empty()) throw std::invalid_argument("shortcut_audit: no images");
  ShortcutAudit a;
  a.options = o;
  std::vector<int> labels;
  for (std::size_t i : ids) labels.push_back(cache.label(i));
  const std::vector<double> p = predict_probabilities(model, cache, ids, o.attention, o.batch);
  a.full = set_scores(p, labels, o.threshold);
  a.full_by_label = scores_by_label(p, labels, o.threshold);
  a.blanks = blank_probes(model, o);
  a.blurred =
      scores_by_label(score_made_images(
                          model, ids.size(),
                          [&](std::size_t k) {
                            return data::gaussian_blur(cache_image(cache, ids[k]), o.blur_sigma);
                          },
                          o),
                      labels, o.threshold);
  a.brain_only = set_scores(region_probabilities(model, cache, ids, data::RegionKept::brain, o),
                            labels, o.threshold);
  a.background_only =
      set_scores(region_probabilities(model, cache, ids, data::RegionKept::background, o), labels,
                 o.threshold);
  a.brain_area_share = mean_brain_area(cache, ids);
  score_sources(a, cache, ids, p, labels);
  a.lesion_fill = lesion_fill(model, cache, ids, p, o);
  return a;
}

namespace {

json number_or_null(double v) { return std::isnan(v) ? json(nullptr) : json(v); }

json to_json(const SetScores& s) {
  return {{"n", s.n},
          {"accuracy", s.accuracy},
          {"balanced_accuracy", number_or_null(s.balanced_accuracy)},
          {"roc_auc", number_or_null(s.roc_auc)}};
}

json to_json(const ScoresByLabel& s) {
  const auto one = [](const LabelScores& l) {
    return json{
        {"n", l.n}, {"mean_probability", l.mean_probability}, {"tumor_share", l.tumor_share}};
  };
  return {{"tumor", one(s.tumor)}, {"no_tumor", one(s.no_tumor)}};
}

}  // namespace

json to_json(const ShortcutAudit& a) {
  json j;
  j["threshold"] = a.options.threshold;
  j["attention"] = a.options.attention;
  j["full"] = to_json(a.full);
  j["full"]["by_label"] = to_json(a.full_by_label);
  for (const BlankProbe& b : a.blanks)
    j["blank"][b.name] = {{"probability", b.probability},
                          {"called_tumor", b.probability > a.options.threshold}};
  j["blank"]["seed"] = a.options.seed;
  j["blurred"] = to_json(a.blurred);
  j["blurred"]["sigma_px"] = a.options.blur_sigma;
  j["brain_only"] = to_json(a.brain_only);
  j["background_only"] = to_json(a.background_only);
  j["brain_area_share"] = a.brain_area_share;
  j["sources"] = {{"key", a.source_key}, {"rows", json::array()}};
  for (const SourceScores& s : a.sources)
    j["sources"]["rows"].push_back({{"name", s.name},
                                    {"n", s.n},
                                    {"tumor_images", s.tumor_images},
                                    {"accuracy", s.accuracy},
                                    {"mean_probability", s.mean_probability}});
  const LesionFillScores& f = a.lesion_fill;
  j["lesion_fill"] = {{"n", f.n}, {"margin_px", a.options.lesion_margin}};
  if (f.n)
    j["lesion_fill"].update({{"still_tumor_share", f.still_tumor_share},
                             {"mean_probability_before", f.mean_before},
                             {"mean_probability_after", f.mean_after},
                             {"mean_drop", f.mean_drop}});
  return j;
}

}  // namespace braincam
