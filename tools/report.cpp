#include "tools/report.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <functional>
#include <iterator>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "base/atomic_file.h"
#include "base/file_io.h"
#include "data/image_codec.h"
#include "engine/safetensors.h"
#include "model/metrics_csv.h"
#include "tools/charts.h"

namespace braincam::tools {

namespace {
namespace fs = std::filesystem;
using nlohmann::json;

constexpr int kJpegQuality =
    88;  // photos (the CAM sheets) are embedded as JPEG to keep the page small

constexpr const char* kStyle = R"(
body { font-family: -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; margin: 0;
       background: #f4f5f7; color: #1d2330; line-height: 1.45; }
main { max-width: 1100px; margin: 0 auto; padding: 24px 32px 48px; background: #fff; }
h1 { margin-top: 0; font-size: 1.8em; }
h2 { border-bottom: 2px solid #e3e6eb; padding-bottom: 4px; margin-top: 2.2em; }
h3 { margin-top: 1.6em; color: #3a4456; }
table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.92em; }
th, td { border: 1px solid #d9dde3; padding: 4px 10px; text-align: right; }
th { background: #eef1f5; } td:first-child, th:first-child { text-align: left; }
tr.best td { background: #fff6d6; }
img { max-width: 100%; height: auto; border: 1px solid #e3e6eb; margin: 6px 0; }
.figures { display: flex; flex-wrap: wrap; gap: 12px; } .figures img { max-width: 520px; }
.missing { color: #8a5a00; background: #fff8e6; border-left: 4px solid #f0b400; padding: 6px 12px; }
.warning { color: #8a1f11; } .note { background: #eef5ff; border-left: 4px solid #3d7bd9; padding: 6px 12px; }
code { background: #f0f2f5; padding: 1px 4px; border-radius: 3px; }
nav a { margin-right: 14px; } small { color: #6b7385; }
)";

std::string escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string base64(const std::vector<std::uint8_t>& bytes) {
  static const char* digits = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    const std::uint32_t n = bytes[i] << 16 | (i + 1 < bytes.size() ? bytes[i + 1] << 8 : 0) |
                            (i + 2 < bytes.size() ? bytes[i + 2] : 0);
    out += digits[n >> 18 & 63];
    out += digits[n >> 12 & 63];
    out += i + 1 < bytes.size() ? digits[n >> 6 & 63] : '=';
    out += i + 2 < bytes.size() ? digits[n & 63] : '=';
  }
  return out;
}

// A PNG embedded as it is, or re-encoded as JPEG (photographs compress far better so).
std::string image_tag(const fs::path& png, const std::string& alt, bool as_jpeg = false) {
  const std::vector<std::uint8_t> bytes =
      as_jpeg ? data::encode_jpeg(data::read_image_file(png).rgb, kJpegQuality) : read_file(png);
  return "<img alt=\"" + escape(alt) + "\" src=\"data:image/" + (as_jpeg ? "jpeg" : "png") +
         ";base64," + base64(bytes) + "\">\n";
}

std::string missing(const std::string& what) {
  return "<p class=\"missing\">Not available: " + escape(what) + "</p>\n";
}

std::string fmt(const char* format, double value) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, value);
  return buf;
}

std::string number(const json& v, const char* format = "%.4f") {
  return v.is_number() ? fmt(format, v.get<double>()) : v.is_null() ? "–" : escape(v.dump());
}
std::string percent(const json& v) {
  return v.is_number() ? fmt("%.2f%%", 100 * v.get<double>()) : number(v);
}

// `text` parsed; `where` (a file, or a file and a field) names it in the error.
json parse_json(const std::string& text, const std::string& where) {
  try {
    return json::parse(text);
  } catch (const json::exception& e) {
    throw std::runtime_error(where + ": not valid JSON: " + e.what());
  }
}

json read_json(const fs::path& file) {
  std::ifstream in(file);
  if (!in) throw std::runtime_error(file.string() + ": cannot open");
  return parse_json({std::istreambuf_iterator<char>(in), {}}, file.string());
}

// A section's body, or a note that its input could not be used; the problem also goes to stderr.
std::string guarded(const std::string& section, const std::function<std::string()>& body) {
  try {
    return body();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "braincam report: %s: %s\n", section.c_str(), e.what());
    return missing(std::string("could not be read: ") + e.what());
  }
}

std::string row(const std::vector<std::string>& cells, const char* tag = "td",
                const char* cls = nullptr) {
  std::string r = cls ? std::string("<tr class=\"") + cls + "\">" : "<tr>";
  for (const auto& c : cells) r += std::string("<") + tag + ">" + c + "</" + tag + ">";
  return r + "</tr>\n";
}

// A metadata value: hexadecimal floats (how the trainer stores doubles exactly) shown as decimals.
std::string metadata_value(const std::string& text) {
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (!text.empty() && end && *end == '\0' && text.find_first_of("xX") != std::string::npos)
    return fmt("%.6g", v);
  return escape(text);
}

std::string settings_section(const ReportInputs& in) {
  std::string h = "<h2 id=\"settings\">Settings</h2>\n";
  if (!in.note.empty()) h += "<p class=\"note\">" + escape(in.note) + "</p>\n";
  const fs::path best = in.run / "best.safetensors";
  if (!fs::exists(best)) return h + missing(best.string() + " (no checkpoint metadata)");
  return h + guarded("settings", [&] {
           const auto meta = read_safetensors(best.string()).metadata;
           std::string t = "<table>\n" + row({"best checkpoint", "value"}, "th");
           for (const char* key :
                {"epoch", "attention", "best_epoch", "best_val_accuracy", "best_val_loss", "seed"})
             if (const auto it = meta.find(key); it != meta.end())
               t += row({key, metadata_value(it->second)});
           const auto options = meta.find("options");
           if (options != meta.end())
             for (const json parsed =
                      parse_json(options->second, best.string() + ": metadata 'options'");
                  const auto& [key, value] : parsed.items())
               t += row({"training option: " + escape(key),
                         value.is_string() ? metadata_value(value.get<std::string>())
                                           : escape(value.dump())});
           return t + "</table>\n";
         });
}

std::string eda_section(const ReportInputs& in) {
  std::string h = "<h2 id=\"data\">Dataset</h2>\n";
  const fs::path file = in.cache / "eda.json";
  if (in.cache.empty() || !fs::exists(file))
    return h + missing("the dataset analysis (" + file.string() + ")");
  return h + guarded("dataset", [&] {
           const json eda = read_json(file);
           std::string t =
               "<table>\n" + row({"split", "tumor", "no tumor", "total", "tumor share"}, "th");
           for (const char* s : {"train", "val", "test"}) {
             const json& x = eda.at("splits").at(s);
             t += row({s, number(x.at("tumor"), "%.0f"), number(x.at("no_tumor"), "%.0f"),
                       number(x.at("total"), "%.0f"), percent(x.at("tumor_fraction"))});
           }
           t += "</table>\n<ul>\n<li>" + number(eda.value("images", json()), "%.0f") + " images";
           if (eda.contains("groups"))
             t +=
                 " from " + number(eda["groups"].value("count", json()), "%.0f") + " source groups";
           t += "</li>\n";
           if (eda.contains("sizes") && eda["sizes"]["width"].is_object()) {
             const json &w = eda["sizes"]["width"], &ht = eda["sizes"]["height"];
             t += "<li>original sizes: width " + number(w["min"], "%.0f") + "–" +
                  number(w["max"], "%.0f") + " (median " + number(w["median"], "%.0f") +
                  "), height " + number(ht["min"], "%.0f") + "–" + number(ht["max"], "%.0f") +
                  " (median " + number(ht["median"], "%.0f") + ")</li>\n";
           }
           if (eda.contains("formats")) {
             t += "<li>source formats:";
             for (const auto& [k, v] : eda["formats"].items())
               t += " " + escape(k) + " " + number(v, "%.0f") + ";";
             t += "</li>\n";
           }
           if (eda.contains("crop") && eda["crop"]["box_area_fraction"].is_object())
             t += "<li>brain crop keeps a median " +
                  percent(eda["crop"]["box_area_fraction"]["median"]) + " of the image area</li>\n";
           if (eda.contains("skipped_count"))
             t += "<li>" + number(eda["skipped_count"], "%.0f") + " files skipped</li>\n";
           t += "</ul>\n";
           for (const auto& w : eda.value("warnings", json::array()))
             t += "<p class=\"warning\">warning: " + escape(w.get<std::string>()) + "</p>\n";
           return t;
         });
}

bool better(const EpochRecord& a, const EpochRecord& b) {  // the trainer's rule for the best epoch
  return a.val_accuracy > b.val_accuracy ||
         (a.val_accuracy == b.val_accuracy && a.val_loss < b.val_loss);
}

std::string training_section(const ReportInputs& in) {
  std::string h = "<h2 id=\"training\">Training</h2>\n";
  const fs::path csv = in.run / "metrics.csv";
  if (!fs::exists(csv)) return h + missing("the training log (" + csv.string() + ")");
  return h + guarded("training", [&] {
           const std::vector<EpochRecord> epochs = read_metrics_csv(csv);
           if (epochs.empty()) return missing(csv.string() + " has no epochs yet");
           plot_training_curves(epochs, in.run);
           std::string t = "<div class=\"figures\">" +
                           image_tag(in.run / "loss.png", "loss per epoch") +
                           image_tag(in.run / "accuracy.png", "accuracy per epoch") + "</div>\n";
           std::size_t best = 0;
           for (std::size_t i = 1; i < epochs.size(); ++i)
             if (better(epochs[i], epochs[best])) best = i;
           t += "<table>\n" + row({"epoch", "attention", "lr", "train loss", "train acc.",
                                   "val. loss", "val. acc.", "seconds", "images/s"},
                                  "th");
           std::string stopped;
           for (std::size_t i = 0; i < epochs.size(); ++i) {
             const EpochRecord& e = epochs[i];
             // A log written before the lr column existed has no rate: a dash.
             t += row({std::to_string(e.epoch), e.attention ? "on" : "off",
                       std::isnan(e.lr) ? std::string("–") : fmt("%g", e.lr),
                       fmt("%.4f", e.train_loss), fmt("%.2f%%", 100 * e.train_accuracy),
                       fmt("%.4f", e.val_loss), fmt("%.2f%%", 100 * e.val_accuracy),
                       fmt("%.1f", e.seconds), fmt("%.1f", e.images_per_s)},
                      "td", i == best ? "best" : nullptr);
             if (!e.stop.empty()) stopped = e.stop;
           }
           t += "</table>\n<p><small>Highlighted: the best epoch (highest validation accuracy, "
                "ties: lower validation loss), kept as best.safetensors.";
           if (!stopped.empty()) t += " Early stopping ended the run: " + escape(stopped) + ".";
           return t + "</small></p>\n";
         });
}

using Format = std::function<std::string(const json&)>;
const Format kPercent = [](const json& v) { return percent(v); };
const Format kNumber = [](const json& v) { return number(v); };

// The value of `key` in a metrics object and, where the object has one (braincam evaluate's
// "ci95"), its interval in brackets.
std::string metric_cell(const json& m, const char* key, const Format& format) {
  std::string cell = format(m.at(key));
  const json ci = m.value("ci95", json());
  if (ci.is_object() && ci.contains(key) && ci[key].is_array() && ci[key].size() == 2)
    cell += " <small>[" + format(ci[key][0]) + ", " + format(ci[key][1]) + "]</small>";
  return cell;
}

// What the bracketed intervals are, for a JSON with evaluate's "bootstrap" object; else nothing.
std::string intervals_note(const json& j, const std::string& more = "") {
  if (!j.contains("bootstrap") || !j["bootstrap"].is_object()) return "";
  const json& b = j["bootstrap"];
  return "<p><small>In brackets: 95% percentile bootstrap intervals, " +
         number(b.value("resamples", json()), "%.0f") + " resamples of the " +
         number(b.value("groups", json()), "%.0f") + " " +
         escape(b.value("unit", std::string("image"))) + "s of the split (seed " +
         number(b.value("seed", json()), "%.0f") + ")." + more + "</small></p>\n";
}

std::string metrics_rows(const json& m) {
  std::string t;
  for (const char* key : {"accuracy", "precision", "recall", "specificity", "f1"})
    t += row({key, metric_cell(m, key, kPercent)});
  t += row({"roc_auc", metric_cell(m, "roc_auc", kNumber)});
  if (m.contains("mean_loss")) t += row({"mean loss", metric_cell(m, "mean_loss", kNumber)});
  if (m.contains("count")) t += row({"images", number(m["count"], "%.0f")});
  return t;
}

std::string evaluation_section(const ReportInputs& in) {
  std::string h = "<h2 id=\"evaluation\">Evaluation</h2>\n";
  if (in.eval.empty() || !fs::exists(in.eval))
    return h + missing("the evaluation metrics (" + in.eval.string() + ")");
  return h + guarded("evaluation", [&] {
           const json m = read_json(in.eval);
           const fs::path charts = in.run / "charts";
           fs::create_directories(charts);
           plot_evaluation_charts(m, in.eval.string(), charts);
           const json& c = m.at("confusion");
           std::string t = "<table>\n" + row({"metric", "value"}, "th") + metrics_rows(m) +
                           "</table>\n" + intervals_note(m);
           t += "<div class=\"figures\">" +
                image_tag(charts / "confusion.png", "confusion matrix") +
                image_tag(charts / "roc.png", "ROC curve") + "</div>\n";
           t += "<p>Confusion: " + number(c.at("tp"), "%.0f") + " true positives, " +
                number(c.at("fn"), "%.0f") + " false negatives (missed tumors), " +
                number(c.at("fp"), "%.0f") + " false positives, " + number(c.at("tn"), "%.0f") +
                " true negatives.</p>\n";
           const json& e = m.at("error_analysis");
           t += "<h3>Error analysis</h3>\n<p>How the correctly and the wrongly classified images "
                "split by their true class "
                "(the seed's error analysis): a wrong \"yes\" is a missed tumor, a wrong \"no\" a "
                "false alarm.</p>\n";
           t += "<table>\n" + row({"group", "yes (tumor)", "no (no tumor)"}, "th");
           for (const char* g : {"correct", "wrong"})
             t += row({g, number(e.at(g).at("yes"), "%.0f"), number(e.at(g).at("no"), "%.0f")});
           return t + "</table>\n" + image_tag(charts / "errors.png", "error analysis");
         });
}

const Format kPoints = [](const json& v) {  // a difference of shares, in percentage points
  return v.is_number() ? fmt("%+.2f pp", 100 * v.get<double>()) : number(v);
};
const Format kSignedNumber = [](const json& v) { return number(v, "%+.4f"); };
constexpr const char* kDifferenceNote =
    " The difference is measured on the same resamples for both models: where its interval "
    "excludes 0, it is unlikely to come from which test images happened to be drawn. It does not "
    "cover the randomness of training: a run with another seed may differ.";

// A row of the ablation table: `m`'s metrics, shares in `shares`, the ROC AUC in `auc`.
std::string ablation_row(const std::string& label, const json& m, const Format& shares,
                         const Format& auc) {
  std::vector<std::string> r{label};
  for (const char* key : {"accuracy", "precision", "recall", "specificity", "f1"})
    r.push_back(metric_cell(m, key, shares));
  r.push_back(m.contains("roc_auc") ? metric_cell(m, "roc_auc", auc) : number(json()));
  return row(r);
}

std::string ablation_section(const ReportInputs& in) {
  std::string h = "<h2 id=\"ablation\">Attention ablation</h2>\n";
  if (in.compare.empty() || !fs::exists(in.compare))
    return h + missing("the comparison of models with and without attention (" +
                       in.compare.string() + ")");
  return h + guarded("ablation", [&] {
           const json c = read_json(in.compare);
           std::string rows;
           for (const auto& [name, m] : c.items()) {
             if (!m.is_object() || !m.contains("accuracy") || name == "difference")
               continue;  // not a model's metrics (e.g. a note)
             rows += ablation_row(escape(name), m, kPercent, kNumber);
           }
           if (rows.empty())
             throw std::runtime_error(in.compare.string() + ": no metrics objects in it");
           if (c.contains("difference"))
             rows += ablation_row("difference (with − without)", c["difference"], kPoints,
                                  kSignedNumber);
           return "<table>\n" +
                  row({"model", "accuracy", "precision", "recall", "specificity", "f1", "roc_auc"},
                      "th") +
                  rows + "</table>\n" + intervals_note(c, kDifferenceNote);
         });
}

// What the deletion and insertion curves of `cam_scores` replaced pixels with.
std::string faithfulness_baseline_words(const json& cam_scores) {
  const std::string baseline = cam_scores.value("faithfulness_baseline", std::string("black"));
  if (baseline != "blur") return "a black image";
  return "the image blurred (Gaussian, sigma " +
         number(cam_scores.value("faithfulness_sigma_px", json()), "%g") + " px)";
}

std::string explanations_section(const ReportInputs& in) {
  std::string h = "<h2 id=\"explanations\">Explanations</h2>\n";
  const fs::path file = in.cam / "cam_scores.json";
  if (in.cam.empty() || !fs::exists(file))
    return h + missing("the class activation maps (" + file.string() + ")");
  return h + guarded("explanations", [&] {
           const json s = read_json(file);
           std::string t =
               "<p>Each panel: the model input, the heatmap of the method (min–max normalized, "
               "blue low, red "
               "high) and the heatmap over the input. Explaining " +
               escape(s.value("target", std::string("tumor"))) + "; attention " +
               (s.value("attention", true) ? "on" : "off") + ".</p>\n";
           t += "<h3>Localization and faithfulness</h3>\n<table>\n" +
                row({"method", "pointing game", "energy inside lesion", "IoU top 10%", "n",
                     "deletion AUC ↓", "insertion AUC ↑", "n"},
                    "th");
           for (const auto& [name, m] : s.at("methods").items())
             t += row({escape(name), percent(m.at("pointing")), percent(m.at("energy_inside")),
                       number(m.at("iou_top10"), "%.3f"), number(m.at("n"), "%.0f"),
                       number(m.at("deletion_auc"), "%.3f"), number(m.at("insertion_auc"), "%.3f"),
                       number(m.value("n_faithfulness", json()), "%.0f")});
           t += "</table>\n<p><small>Localization scores average over tumor images with a "
                "ground-truth lesion mask (the "
                "synthetic data has them); – where there were none. Lower deletion and higher "
                "insertion areas mean a more faithful map; removed pixels take the values of " +
                faithfulness_baseline_words(s) + ", where insertion starts.</small></p>\n";
           if (s.contains("faithfulness_chart"))
             t += image_tag(in.cam / s["faithfulness_chart"].get<std::string>(),
                            "deletion and insertion curves");
           t += "<h3>Contact sheets</h3>\n";
           for (const auto& sheet : s.value("sheets", json::array())) {
             const fs::path png = in.cam / sheet.at("file").get<std::string>();
             const std::string title = sheet.at("method").get<std::string>() + ": " +
                                       sheet.at("group").get<std::string>();
             t += "<h4>" + escape(title) + "</h4>\n" +
                  (fs::exists(png) ? image_tag(png, title, true) : missing(png.string()));
           }
           return t;
         });
}

// A fold's scores (or their mean or std) in `braincam crossval`'s JSON: the accuracy, F1 and ROC
// AUC of the run with attention, then of the run without.
std::vector<std::string> crossval_cells(const json& per_variant) {
  std::vector<std::string> cells;
  for (const char* variant : {"with_attention", "without_attention"}) {
    const json& s = per_variant.at(variant);
    cells.insert(cells.end(),
                 {percent(s.at("accuracy")), percent(s.at("f1")), number(s.at("roc_auc"))});
  }
  return cells;
}

// `braincam crossval`'s scores per fold and variant, with the folds' mean and standard deviation.
std::string crossval_section(const ReportInputs& in) {
  if (in.crossval.empty()) return "";
  std::string h = "<h2 id=\"crossval\">Cross-validation</h2>\n";
  if (!fs::exists(in.crossval))
    return h + missing("the cross-validation (" + in.crossval.string() + ")");
  return h + guarded("cross-validation", [&] {
           const json c = read_json(in.crossval);
           const json& settings = c.at("settings");
           std::string t =
               "<p>" + number(settings.at("folds"), "%.0f") +
               " folds of the train and val splits, grouped by source and stratified by class; "
               "the test split is not used. Each fold was held out of a run with attention and "
               "one without (" +
               number(settings.at("epochs"), "%.0f") + " epochs, seed " +
               escape(settings.at("seed").dump()) +
               "), and each run's best checkpoint scored on it.</p>\n<table>\n"
               "<tr><th></th><th></th><th colspan=\"3\">with attention</th>"
               "<th colspan=\"3\">without attention</th></tr>\n" +
               row({"fold", "images", "accuracy", "F1", "ROC AUC", "accuracy", "F1", "ROC AUC"},
                   "th");
           for (const json& fold : c.at("folds")) {
             std::vector<std::string> cells{number(fold.at("fold"), "%.0f"),
                                            number(fold.at("images"), "%.0f")};
             for (std::string& cell : crossval_cells(fold)) cells.push_back(cell);
             t += row(cells);
           }
           const std::vector<std::string> mean = crossval_cells(c.at("mean")),
                                          std = crossval_cells(c.at("std"));
           std::vector<std::string> summary{"mean ± std", ""};
           for (std::size_t i = 0; i < mean.size(); ++i)
             summary.push_back(mean[i] + " ± " + std[i]);
           return t + row(summary, "th") +
                  "</table>\n<p><small>± the sample standard deviation over the folds "
                  "(n − 1).</small></p>\n";
         });
}

// A row of the audit's table: the probe, its numbers, and what they mean.
std::string audit_row(const std::string& probe, const std::string& value, const json& n,
                      const std::string& meaning) {
  return row({probe, value, number(n, "%.0f"), meaning});
}

std::string audit_table(const json& a) {
  const json& blank = a.at("blank");
  std::string blanks;
  for (const char* name : {"black", "gray", "noise"})
    blanks += std::string(blanks.empty() ? "" : ", ") + name + " " +
              number(blank.at(name).at("probability"));
  const json& blurred = a.at("blurred");
  const auto by_label = [](const json& l) {
    return "tumor: " + percent(l.at("tumor").at("tumor_share")) +
           " called tumor; healthy: " + percent(l.at("no_tumor").at("tumor_share"));
  };
  const auto set = [](const json& s) {
    // audit.json files written before balanced accuracy was added have none
    const std::string balanced = s.contains("balanced_accuracy")
                                     ? ", balanced " + number(s.at("balanced_accuracy"), "%.3f")
                                     : "";
    return "accuracy " + percent(s.at("accuracy")) + balanced + ", ROC AUC " +
           number(s.at("roc_auc"), "%.3f");
  };
  std::string t = "<table>\n" + row({"probe", "result", "n", "what it means"}, "th");
  t += audit_row("full images", set(a.at("full")), a["full"].at("n"),
                 "the split as it is: the yardstick");
  t += audit_row("blank inputs", "p(tumor): " + blanks, 3,
                 "no anatomy at all: a model that reads tumors calls none of them tumor");
  t += audit_row("blurred (σ " + number(blurred.at("sigma_px"), "%g") + " px)", by_label(blurred),
                 a["full"].at("n"),
                 "only coarse brightness left: healthy images should stay healthy");
  t += audit_row("brain only", set(a.at("brain_only")), a["brain_only"].at("n"),
                 "background blacked out: close to the full images when the model reads the head");
  t += audit_row("background only", set(a.at("background_only")), a["background_only"].at("n"),
                 "head blacked out: ROC AUC near 0.5 when the model reads anatomy; high when the "
                 "classes differ outside the brain");
  const json& fill = a.at("lesion_fill");
  t += audit_row("lesion fill",
                 fill.value("n", 0) > 0
                     ? percent(fill.at("still_tumor_share")) + " still tumor, mean p(tumor) −" +
                           number(fill.at("mean_drop"), "%.3f")
                     : "not run (no lesion masks)",
                 fill.at("n"),
                 "each lesion filled in from its surroundings: a model that reads the lesion stops "
                 "calling these images tumor");
  return t + "</table>\n";
}

std::string audit_sources(const json& sources) {
  std::string t = "<h3>Per " + escape(sources.at("key").get<std::string>()) + "</h3>\n<table>\n" +
                  row({"name", "images", "tumor images", "accuracy", "mean p(tumor)"}, "th");
  for (const json& s : sources.at("rows"))
    t += row({escape(s.at("name").get<std::string>()), number(s.at("n"), "%.0f"),
              number(s.at("tumor_images"), "%.0f"), percent(s.at("accuracy")),
              number(s.at("mean_probability"), "%.3f")});
  return t + "</table>\n";
}

// `braincam audit`'s probes, verdicts and per-source scores, and its sheet of probe inputs.
std::string audit_section(const ReportInputs& in) {
  if (in.audit.empty()) return "";
  std::string h = "<h2 id=\"audit\">Shortcut audit</h2>\n";
  if (!fs::exists(in.audit)) return h + missing("the shortcut audit (" + in.audit.string() + ")");
  return h + guarded("shortcut audit", [&] {
           const json a = read_json(in.audit);
           std::string t =
               "<p>Whether the model reads the tumor or something that comes with it (the "
               "scanner, the source of one class, the preprocessing), on the " +
               escape(a.value("split", std::string("?"))) + " split; tumor: p(tumor) &gt; " +
               number(a.at("threshold")) +
               ". A model can score near perfectly while it ignores "
               "the anatomy; these probes show it.</p>\n<ul>\n";
           for (const json& v : a.at("verdicts")) {
             const std::string state = v.at("state").get<std::string>();
             t += std::string("<li") + (state == "shortcut" ? " class=\"warning\"" : "") + "><b>" +
                  escape(state) + "</b> (" + escape(v.at("probe").get<std::string>()) +
                  "): " + escape(v.at("message").get<std::string>()) + " <small>[" +
                  escape(v.at("rule").get<std::string>()) + "]</small></li>\n";
           }
           t += "</ul>\n" + audit_table(a) + audit_sources(a.at("sources"));
           const fs::path sheet = in.audit.parent_path() / "audit_probes.png";
           if (fs::exists(sheet))
             t += "<h3>Probe inputs</h3>\n<p><small>Black, gray, noise; an image of the split, "
                  "blurred, its head only, its background only, and (with a mask) its lesion "
                  "filled in.</small></p>\n" +
                  image_tag(sheet, "the audit's probe inputs", true);
           return t;
         });
}

// One cell of the sanity table: the mean rank correlation with its interval, and the mean SSIM.
std::string sanity_cell(const json& s) {
  const json& rank = s.at("rank_correlation");
  std::string cell = "ρ " + number(rank.at("mean"), "%.3f");
  if (rank.at("interval").is_array())
    cell += " <small>[" + number(rank["interval"][0], "%.2f") + ", " +
            number(rank["interval"][1], "%.2f") + "]</small>";
  return cell + "<br>SSIM " + number(s.at("ssim").at("mean"), "%.3f");
}

std::string sanity_table(const json& a) {
  std::vector<std::string> head{"method"};
  const json& layers = a.at("randomization").at("layers");
  for (std::size_t k = 0; k < layers.size(); ++k)
    head.push_back(escape((k ? "+ " : "") + layers[k].at("name").get<std::string>()) +
                   (k + 1 == layers.size() ? " (all)" : ""));
  head.insert(head.end(), {"shuffled labels", "parameter test", "data test"});
  std::string t = "<table>\n" + row(head, "th");
  for (const auto& [method, m] : a.at("methods").items()) {
    std::vector<std::string> cells{escape(method)};
    for (const json& stage : m.at("parameter_randomization")) cells.push_back(sanity_cell(stage));
    const json& shuffled = m.at("data_randomization");
    cells.push_back(shuffled.is_null() ? "not run" : sanity_cell(shuffled));
    for (const char* test : {"parameter_test", "data_test"}) {
      const std::string verdict = m.at(test).get<std::string>();
      cells.push_back(verdict == "fail" ? "<b class=\"warning\">FAIL</b>" : escape(verdict));
    }
    t += row(cells);
  }
  return t + "</table>\n";
}

// `braincam sanity`'s tests, verdicts and figures.
std::string sanity_section(const ReportInputs& in) {
  if (in.sanity.empty()) return "";
  std::string h = "<h2 id=\"sanity\">Saliency sanity checks</h2>\n";
  if (!fs::exists(in.sanity)) return h + missing("the sanity checks (" + in.sanity.string() + ")");
  return h + guarded("saliency sanity checks", [&] {
           const json a = read_json(in.sanity);
           std::string t =
               "<p>Whether each method's maps depend on what the model learned (Adebayo et al., "
               "2018), on " +
               number(a.at("images"), "%.0f") + " tumor images of the " +
               escape(a.value("split", std::string("?"))) +
               " split, explaining \"tumor\". Each cell compares the trained model's maps with "
               "another model's: ρ, Spearman's rank correlation of the pixels (1 same order, 0 "
               "unrelated), with its 95% bootstrap interval over images, and SSIM (1 identical). "
               "Parameter randomization re-draws the layers from the output back, one more per "
               "column (seed " +
               escape(a.at("randomization").at("seed").dump()) +
               "); data randomization compares a model trained on shuffled labels. Maps that "
               "explain the model change in both.</p>\n<p><b>Rule:</b> " +
               escape(a.at("rule").at("text").get<std::string>()) + ".</p>\n";
           for (const json& w : a.value("warnings", json::array()))
             t += "<p class=\"warning\">" + escape(w.get<std::string>()) + "</p>\n";
           t += sanity_table(a);
           const json sheets = a.value("sheets", json::object());
           if (!sheets.empty())
             t += "<h3>Maps as the layers are re-drawn</h3>\n<p><small>Per method: rows, the "
                  "first images; columns, the trained model, each stage of the cascade as in the "
                  "table, then the shuffled-label model when there is one.</small></p>\n";
           for (const auto& [method, file] : sheets.items()) {
             const fs::path png = in.sanity.parent_path() / file.get<std::string>();
             if (fs::exists(png))
               t += "<h4>" + escape(method) + "</h4>\n" +
                    image_tag(png, method + ": maps under randomization", true);
           }
           return t;
         });
}

std::string now() {
  const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M", std::localtime(&t));
  return buf;
}

}  // namespace

fs::path write_report(const ReportInputs& in) {
  if (!fs::is_directory(in.run))
    throw std::runtime_error(in.run.string() + ": not a folder (the run to report on)");
  std::string html =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<title>braincam report</title>\n<style>" +
      std::string(kStyle) + "</style>\n</head>\n<body>\n<main>\n";
  html += "<h1>braincam: brain-tumor detection report</h1>\n<p><small>Run <code>" +
          escape(in.run.string()) + "</code>, generated " + now() + ".</small></p>\n";
  html +=
      "<nav><a href=\"#settings\">Settings</a><a href=\"#data\">Dataset</a><a "
      "href=\"#training\">Training</a>"
      "<a href=\"#evaluation\">Evaluation</a><a href=\"#ablation\">Attention ablation</a>"
      "<a href=\"#explanations\">Explanations</a>" +
      std::string(in.crossval.empty() ? "" : "<a href=\"#crossval\">Cross-validation</a>") +
      std::string(in.audit.empty() ? "" : "<a href=\"#audit\">Shortcut audit</a>") +
      std::string(in.sanity.empty() ? "" : "<a href=\"#sanity\">Sanity checks</a>") + "</nav>\n";
  html += settings_section(in) + eda_section(in) + training_section(in) + evaluation_section(in) +
          ablation_section(in) + explanations_section(in);
  html += crossval_section(in) + audit_section(in) + sanity_section(in);
  html += "</main>\n</body>\n</html>\n";
  const fs::path out = in.run / "report.html";
  write_file_atomically(out, html);
  return out;
}

}  // namespace braincam::tools
