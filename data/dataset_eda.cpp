#include "data/dataset_eda.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>

namespace braincam::data {
namespace {

nlohmann::json summary(std::vector<double> v) {
  if (v.empty()) return nullptr;
  std::sort(v.begin(), v.end());
  auto q = [&](double f) { return v[static_cast<std::size_t>(std::lround(f * (v.size() - 1)))]; };
  double sum = 0;
  for (double x : v) sum += x;
  return {{"min", v.front()}, {"p25", q(0.25)},  {"median", q(0.5)},
          {"p75", q(0.75)},   {"max", v.back()}, {"mean", sum / v.size()}};
}

std::string fmt(const char* f, double a) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, a);
  return buf;
}

// Images per class name and split; the policy and what it did with the dataset's own split.
nlohmann::json split_section(const EdaInput& in, nlohmann::json& warnings) {
  nlohmann::json classes = nlohmann::json::object();
  for (const auto& r : in.rows) {
    auto& c = classes[r.class_name];
    if (c.is_null())
      for (Split s : {Split::train, Split::val, Split::test}) c[split_name(s)] = 0;
    c[split_name(r.split)] = c[split_name(r.split)].get<int>() + 1;
  }
  const SplitPlan& p = in.plan;
  const bool keep = in.split.straddling == StraddlingGroups::keep;
  nlohmann::json policy = {{"name", policy_name(in.split.policy)},
                           {"groups", std::set(p.groups.begin(), p.groups.end()).size()}};
  if (in.split.policy == SplitPolicy::folders) {
    policy["straddling_groups"] = p.straddling_groups;
    policy["straddling_test_files"] = p.straddling_test_files;
    policy["straddling"] = keep ? "keep" : "to-training";
    if (keep && p.straddling_groups > 0)
      warnings.push_back(std::to_string(p.straddling_groups) +
                         " groups have copies in both Training and Testing and were kept there (" +
                         std::to_string(p.straddling_test_files) +
                         " test images): test figures are inflated");
  }
  if (in.split.policy == SplitPolicy::per_file)
    warnings.push_back(
        "split policy per-file (the seed's protocol): copies and augmentations of one scan can "
        "sit in train and test, so test figures are inflated; use grouped or folders for an "
        "honest figure");
  return {{"classes", classes}, {"policy", policy}};
}

// Per class name and split, where a label has several classes (the four-class layout).
std::string class_table(const nlohmann::json& classes) {
  if (classes.size() <= 2) return "";
  std::string t;
  char line[160];
  std::snprintf(line, sizeof line, "%-12s %7s %7s %7s\n", "class", "train", "val", "test");
  t += line;
  for (const auto& [name, c] : classes.items()) {
    std::snprintf(line, sizeof line, "%-12s %7d %7d %7d\n", name.c_str(), c["train"].get<int>(),
                  c["val"].get<int>(), c["test"].get<int>());
    t += line;
  }
  return t;
}

std::string policy_line(const nlohmann::json& policy) {
  const std::string name = policy.at("name");
  std::string t = "split policy: " + name + " (" + std::to_string(policy["groups"].get<int>()) +
                  " groups split)";
  if (name == "folders") {
    const int groups = policy["straddling_groups"], files = policy["straddling_test_files"];
    t += "; " + std::to_string(groups) + " groups straddle Training/ and Testing/, their " +
         std::to_string(files) + " Testing/ images " +
         (policy["straddling"] == "keep" ? "kept in test" : "moved to the training side");
  }
  return t + "\n";
}

}  // namespace

nlohmann::json make_eda(const EdaInput& in) {
  nlohmann::json eda;
  eda["images"] = in.rows.size();
  nlohmann::json warnings = nlohmann::json::array();

  int count[3][2] = {};
  for (const auto& r : in.rows) ++count[static_cast<int>(r.split)][r.label];
  for (Split s : {Split::train, Split::val, Split::test}) {
    const int tumor = count[static_cast<int>(s)][1], none = count[static_cast<int>(s)][0];
    const int total = tumor + none;
    const double share = total ? static_cast<double>(tumor) / total : 0.0;
    eda["splits"][std::string(split_name(s))] = {
        {"tumor", tumor}, {"no_tumor", none}, {"total", total}, {"tumor_fraction", share}};
    if (total == 0)
      warnings.push_back("split " + std::string(split_name(s)) + " is empty (too few images)");
    else if (std::max(share, 1.0 - share) > kMaxClassShare)
      warnings.push_back("split " + std::string(split_name(s)) + " is unbalanced: " +
                         fmt("%.1f", 100 * share) + "% tumor (more than 60/40)");
    else if (tumor == 0 || none == 0)
      warnings.push_back("split " + std::string(split_name(s)) + " has only one class");
  }

  std::vector<double> widths, heights, means, stds, crop_share;
  int bins[4] = {};
  int channels[5] = {}, sixteen = 0, whole = 0;
  double input_mean[3] = {};
  for (std::size_t i = 0; i < in.rows.size(); ++i) {
    const auto& r = in.rows[i];
    const auto& s = in.stats[i];
    widths.push_back(r.width);
    heights.push_back(r.height);
    const int side = std::max(r.width, r.height);
    ++bins[side < 200 ? 0 : side < 400 ? 1 : side < 800 ? 2 : 3];
    means.push_back(s.gray_mean);
    stds.push_back(s.gray_std);
    crop_share.push_back(static_cast<double>(r.box.width()) * r.box.height() /
                         (static_cast<double>(r.width) * r.height));
    ++channels[std::clamp(s.source_channels, 1, 4)];
    sixteen += s.sixteen_bit;
    whole += !s.brain_found;
    for (int c = 0; c < 3; ++c)
      input_mean[c] += s.input_mean[c] / std::max<std::size_t>(1, in.rows.size());
  }
  eda["sizes"] = {
      {"width", summary(widths)},
      {"height", summary(heights)},
      {"longer_side",
       {{"<200", bins[0]}, {"200-399", bins[1]}, {"400-799", bins[2]}, {">=800", bins[3]}}}};
  eda["formats"] = {{"gray", channels[1]},
                    {"gray_alpha", channels[2]},
                    {"rgb", channels[3]},
                    {"rgba", channels[4]},
                    {"sixteen_bit", sixteen}};
  eda["intensity"] = {{"source_gray_mean", summary(means)},
                      {"source_gray_std", summary(stds)},
                      {"input_mean_rgb", {input_mean[0], input_mean[1], input_mean[2]}}};
  eda["crop"] = {{"box_area_fraction", summary(crop_share)}, {"whole_image_kept", whole}};
  if (whole > 0)
    warnings.push_back(std::to_string(whole) +
                       " images had nothing above the threshold; kept whole");

  const Grouping& g = in.grouping;
  eda["groups"] = {{"count", g.group_count},
                   {"augmented_files", g.augmented_files},
                   {"duplicate_files", g.duplicate_files},
                   {"near_duplicate_pairs", g.near_duplicate_pairs},
                   {"unrecoverable_sources", g.unrecoverable.size()},
                   {"cross_class_duplicates", g.cross_class_duplicates},
                   {"cross_class_near_duplicates", g.cross_class_near_duplicates}};
  if (!g.unrecoverable.empty())
    warnings.push_back(
        std::to_string(g.unrecoverable.size()) +
        " files look augmented but their source cannot be told from the name (e.g. " +
        g.unrecoverable.front() + "); each is split on its own, so near-duplicates may leak");
  if (g.cross_class_duplicates > 0)
    warnings.push_back(std::to_string(g.cross_class_duplicates) +
                       " identical images appear under both labels");
  if (g.cross_class_near_duplicates > 0)
    warnings.push_back(std::to_string(g.cross_class_near_duplicates) +
                       " near-identical pairs of images have different labels");
  const nlohmann::json split = split_section(in, warnings);
  eda["classes"] = split["classes"];
  eda["split_policy"] = split["policy"];

  nlohmann::json skipped = nlohmann::json::array();
  for (const auto& s : in.skipped) skipped.push_back({{"path", s.path}, {"reason", s.reason}});
  eda["skipped"] = skipped;
  eda["skipped_count"] = in.skipped.size();
  if (!in.skipped.empty())
    warnings.push_back(std::to_string(in.skipped.size()) + " files skipped (see \"skipped\")");
  eda["warnings"] = warnings;
  return eda;
}

std::string eda_table(const nlohmann::json& eda) {
  std::string t;
  char line[160];
  std::snprintf(line, sizeof line, "%-6s %7s %9s %7s %8s\n", "split", "tumor", "no_tumor", "total",
                "tumor%");
  t += line;
  int all[2] = {};
  for (const char* s : {"train", "val", "test"}) {
    const auto& x = eda.at("splits").at(s);
    all[0] += x.at("tumor").get<int>();
    all[1] += x.at("no_tumor").get<int>();
    std::snprintf(line, sizeof line, "%-6s %7d %9d %7d %7.1f%%\n", s, x.at("tumor").get<int>(),
                  x.at("no_tumor").get<int>(), x.at("total").get<int>(),
                  100 * x.at("tumor_fraction").get<double>());
    t += line;
  }
  const int total = all[0] + all[1];
  std::snprintf(line, sizeof line, "%-6s %7d %9d %7d %7.1f%%\n", "all", all[0], all[1], total,
                total ? 100.0 * all[0] / total : 0.0);
  t += line;
  t += class_table(eda.at("classes"));
  const auto& w = eda.at("sizes").at("width");
  const auto& h = eda.at("sizes").at("height");
  if (!w.is_null()) {
    std::snprintf(line, sizeof line, "sizes: width %g..%g (median %g), height %g..%g (median %g)\n",
                  w["min"].get<double>(), w["max"].get<double>(), w["median"].get<double>(),
                  h["min"].get<double>(), h["max"].get<double>(), h["median"].get<double>());
    t += line;
    const auto& b = eda.at("sizes").at("longer_side");
    std::snprintf(line, sizeof line, "longer side: <200: %d, 200-399: %d, 400-799: %d, >=800: %d\n",
                  b["<200"].get<int>(), b["200-399"].get<int>(), b["400-799"].get<int>(),
                  b[">=800"].get<int>());
    t += line;
    const auto& m = eda.at("intensity").at("source_gray_mean");
    std::snprintf(line, sizeof line,
                  "gray mean per image: %.1f..%.1f (median %.1f); input mean RGB %.3f %.3f %.3f\n",
                  m["min"].get<double>(), m["max"].get<double>(), m["median"].get<double>(),
                  eda["intensity"]["input_mean_rgb"][0].get<double>(),
                  eda["intensity"]["input_mean_rgb"][1].get<double>(),
                  eda["intensity"]["input_mean_rgb"][2].get<double>());
    t += line;
  }
  const auto& g = eda.at("groups");
  std::snprintf(line, sizeof line,
                "source groups: %d (%d augmented files, %d duplicates merged, %d near-identical "
                "pairs joined)\n",
                g["count"].get<int>(), g["augmented_files"].get<int>(),
                g["duplicate_files"].get<int>(), g["near_duplicate_pairs"].get<int>());
  t += line;
  t += policy_line(eda.at("split_policy"));
  std::snprintf(line, sizeof line, "skipped files: %d\n", eda.at("skipped_count").get<int>());
  t += line;
  for (const auto& s : eda.at("skipped"))
    t += "  skipped " + s["path"].get<std::string>() + ": " + s["reason"].get<std::string>() + "\n";
  for (const auto& warning : eda.at("warnings"))
    t += "warning: " + warning.get<std::string>() + "\n";
  return t;
}

}  // namespace braincam::data
