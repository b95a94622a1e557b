#include "model/saliency_sanity.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <numeric>
#include <span>
#include <stdexcept>

#include "base/random.h"

namespace braincam {

namespace {

// The generator stream of the resamples (the metrics' bootstrap uses stream 3).
constexpr std::uint64_t kResampleStream = 4;

// The models compared: the trained one first, then each stage of the cascade, then the
// shuffled-label model when there is one.
struct Columns {
  std::vector<ExplainedModel> models;
  std::vector<std::unique_ptr<BrainDetectionModel>> owned;  // the stages' models
};

Columns sanity_columns(const ExplainedModel& trained, const ExplainedModel& shuffled,
                       const std::vector<RandomizedLayer>& layers, std::uint64_t seed) {
  Columns c;
  c.models.push_back(trained);
  const BrainDetectionModel& m = *trained.model;
  const StateDict state = m.state_dict(), fresh = initial_state(m.shape(), seed);
  for (int stage = 1; stage <= static_cast<int>(layers.size()); ++stage) {
    auto model = std::make_unique<BrainDetectionModel>(m.shape(), m.dtype(), m.device());
    model->set_kernel_path(m.kernel_path());
    model->load_state_dict(cascade_state(state, fresh, layers, stage),
                           "parameter randomization stage " + std::to_string(stage));
    c.models.push_back({model.get(), trained.attention});
    c.owned.push_back(std::move(model));
  }
  if (shuffled.model) c.models.push_back(shuffled);
  return c;
}

// Maps of `method` at the model input's size, min-max normalized: N x H x W, as the panels show.
Tensor normalized_maps(const ExplainedModel& m, const Tensor& images, CamMethod method) {
  return normalize_minmax(
      upsample_bilinear(explain(*m.model, images, method, m.attention, /*explain_tumor=*/true).maps,
                        images.dim(2), images.dim(3)));
}

void summarize(SimilaritySummary& s, const SanityOptions& o) {
  const auto mean = [](const std::vector<double>& v) {
    return std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
  };
  s.rank_correlation_mean = mean(s.rank_correlation);
  s.ssim_mean = mean(s.ssim);
  s.rank_correlation_interval =
      bootstrap_mean_interval(s.rank_correlation, o.resamples, o.confidence, o.seed);
  s.ssim_interval = bootstrap_mean_interval(s.ssim, o.resamples, o.confidence, o.seed);
}

// Adds the images of one batch: `reference` and `compared` are N x H x W.
void compare_maps(const Tensor& reference, const Tensor& compared, const SsimOptions& ssim_options,
                  SimilaritySummary& s) {
  const int N = reference.dim(0), H = reference.dim(1), W = reference.dim(2);
  const std::size_t area = static_cast<std::size_t>(H) * W;
  for (int n = 0; n < N; ++n) {
    const double* r = reference.data<double>() + n * area;
    const double* c = compared.data<double>() + n * area;
    s.rank_correlation.push_back(spearman_rank_correlation({r, area}, {c, area}));
    s.ssim.push_back(ssim(r, c, H, W, ssim_options));
    s.constant_maps += std::all_of(c, c + area, [&](double v) { return v == c[0]; });
  }
}

// Copies the maps of images first..first+N-1 that are among the first examples.dim(0).
void keep_examples(const Tensor& maps, std::size_t first, Tensor& examples) {
  const std::size_t area = static_cast<std::size_t>(maps.dim(1)) * maps.dim(2);
  for (std::size_t n = 0; n < static_cast<std::size_t>(maps.dim(0)); ++n)
    if (first + n < static_cast<std::size_t>(examples.dim(0)))
      std::copy_n(maps.data<double>() + n * area, area,
                  examples.data<double>() + (first + n) * area);
}

// A method's results before any image: one summary per stage (and the shuffled-label model's),
// and a tensor of `example_shape` (k x H x W) per compared column for the example maps.
MethodSanity empty_method(CamMethod method, std::size_t stages, bool shuffled,
                          const Shape& example_shape) {
  MethodSanity m;
  m.method = method;
  m.stages.resize(stages);
  if (shuffled) m.shuffled.emplace();
  for (std::size_t c = 0; c < 1 + stages + (shuffled ? 1 : 0); ++c)
    m.examples.push_back(Tensor::zeros(example_shape, DType::F64));
  return m;
}

// The means, intervals and verdicts of a method whose images are all compared.
void judge(MethodSanity& m, const SanityOptions& o) {
  for (SimilaritySummary& s : m.stages) summarize(s, o);
  m.parameter_test_failed =
      fails_sanity_rule(m.stages.back().rank_correlation_mean, o.fail_rank_correlation);
  if (m.shuffled) {
    summarize(*m.shuffled, o);
    m.data_test_failed =
        fails_sanity_rule(m.shuffled->rank_correlation_mean, o.fail_rank_correlation);
  }
}

}  // namespace

Interval bootstrap_mean_interval(const std::vector<double>& values, int resamples,
                                 double confidence, std::uint64_t seed) {
  if (values.empty() || resamples < 1) return {};
  std::vector<double> means(resamples);
  const std::size_t n = values.size();
  for (int r = 0; r < resamples; ++r) {
    Rng rng(seed, kResampleStream, static_cast<std::uint64_t>(r));
    double sum = 0;
    for (std::size_t k = 0; k < n; ++k) sum += values[rng.below(n)];
    means[r] = sum / static_cast<double>(n);
  }
  return {quantile(means, (1 - confidence) / 2), quantile(means, (1 + confidence) / 2)};
}

SaliencySanity saliency_sanity(const ExplainedModel& trained, const ExplainedModel& shuffled,
                               const data::DatasetCache& cache, const std::vector<std::size_t>& ids,
                               const SanityOptions& o) {
  if (ids.empty()) throw std::invalid_argument("saliency_sanity: no images");
  SaliencySanity result{.options = o,
                        .layers = cascade_layers(*trained.model, trained.attention),
                        .methods = {},
                        .images = ids.size(),
                        .shuffled = shuffled.model != nullptr};
  const Columns columns = sanity_columns(trained, shuffled, result.layers, o.seed);
  const std::size_t stages = result.layers.size(), compared = columns.models.size() - 1;
  const std::int64_t H = trained.model->shape().height, W = trained.model->shape().width;
  const std::int64_t examples = std::min<std::int64_t>(o.example_images, ids.size());
  for (CamMethod method : all_cam_methods())
    result.methods.push_back(empty_method(method, stages, result.shuffled, {examples, H, W}));
  for (std::size_t start = 0; start < ids.size(); start += o.batch) {
    const std::size_t n = std::min<std::size_t>(o.batch, ids.size() - start);
    Tensor batch({static_cast<std::int64_t>(n), 3, H, W}, DType::F32);
    cache.fill_batch({ids.data() + start, n}, batch.data<float>());
    const Tensor images = batch.to(trained.model->device()).to(trained.model->dtype());
    for (MethodSanity& m : result.methods) {
      const Tensor reference = normalized_maps(columns.models[0], images, m.method);
      keep_examples(reference, start, m.examples[0]);
      for (std::size_t c = 1; c <= compared; ++c) {
        const Tensor maps = normalized_maps(columns.models[c], images, m.method);
        keep_examples(maps, start, m.examples[c]);
        compare_maps(reference, maps, o.ssim, c <= stages ? m.stages[c - 1] : *m.shuffled);
      }
    }
  }
  for (MethodSanity& m : result.methods) judge(m, o);
  return result;
}

namespace {

nlohmann::json interval_json(const Interval& i) {
  return std::isnan(i.low) ? nlohmann::json() : nlohmann::json::array({i.low, i.high});
}

nlohmann::json summary_json(const SimilaritySummary& s) {
  return {{"rank_correlation",
           {{"mean", s.rank_correlation_mean},
            {"interval", interval_json(s.rank_correlation_interval)}}},
          {"ssim", {{"mean", s.ssim_mean}, {"interval", interval_json(s.ssim_interval)}}},
          {"constant_maps", s.constant_maps},
          {"n", s.rank_correlation.size()}};
}

std::string rule_text(double threshold) {
  const std::string t = nlohmann::json(threshold).dump();
  return "a method fails the parameter randomization test when the mean rank correlation of its "
         "maps with those of the fully randomized model (every layer re-drawn) is >= " +
         t +
         ", and the data randomization test when the mean rank correlation with the maps of the "
         "model trained on shuffled labels is >= " +
         t;
}

}  // namespace

nlohmann::json to_json(const SaliencySanity& s) {
  using json = nlohmann::json;
  const SanityOptions& o = s.options;
  json layers = json::array(), stages = json::array();
  std::string cumulative;
  for (const RandomizedLayer& l : s.layers) {
    layers.push_back({{"name", l.name}, {"tensors", l.tensors}});
    cumulative += (cumulative.empty() ? "" : "+") + l.name;
    stages.push_back(cumulative);
  }
  json methods = json::object();
  for (const MethodSanity& m : s.methods) {
    json cascade = json::array();
    for (std::size_t k = 0; k < m.stages.size(); ++k) {
      json stage = summary_json(m.stages[k]);
      stage["stage"] = stages[k];
      cascade.push_back(stage);
    }
    methods[cam_method_name(m.method)] = {
        {"parameter_randomization", cascade},
        {"parameter_test", m.parameter_test_failed ? "fail" : "pass"},
        {"data_randomization", m.shuffled ? summary_json(*m.shuffled) : json()},
        {"data_test", !m.shuffled          ? "not run"
                      : m.data_test_failed ? "fail"
                                           : "pass"}};
  }
  return {{"images", s.images},
          {"target", "tumor"},
          {"maps",
           "upsampled bilinearly to the model input, min-max normalized per image, "
           "signed (no absolute values)"},
          {"rank_correlation",
           "Spearman, ties at their average rank; 1 when both maps are "
           "constant, 0 when one is"},
          {"ssim",
           {{"window", o.ssim.window},
            {"sigma", o.ssim.sigma},
            {"dynamic_range", o.ssim.dynamic_range},
            {"c1", std::pow(o.ssim.k1 * o.ssim.dynamic_range, 2)},
            {"c2", std::pow(o.ssim.k2 * o.ssim.dynamic_range, 2)},
            {"positions", "valid (the window wholly inside the map)"}}},
          {"randomization",
           {{"seed", o.seed},
            {"order", "from the output back, cumulative"},
            {"distribution", "the model's own initialization (PyTorch's defaults)"},
            {"layers", layers},
            {"stages", stages}}},
          {"bootstrap",
           {{"resamples", o.resamples},
            {"confidence", o.confidence},
            {"seed", o.seed},
            {"unit", "image"}}},
          {"rule",
           {{"fail_rank_correlation", o.fail_rank_correlation},
            {"text", rule_text(o.fail_rank_correlation)}}},
          {"data_randomization", s.shuffled},
          {"methods", methods}};
}

}  // namespace braincam
