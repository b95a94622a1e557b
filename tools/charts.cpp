#include "tools/charts.h"

#include <algorithm>
#include <cstdio>
#include <sstream>
#include <stdexcept>

#include "tools/gnuplot.h"

namespace braincam::tools {
namespace fs = std::filesystem;

namespace {

constexpr int kChartWidth = 720, kChartHeight = 480;
constexpr const char* kTrainColor = "#1f77b4";
constexpr const char* kValColor = "#d62728";

std::string fmt(const char* format, double value) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, value);
  return buf;
}

// The first epoch trained with attention after one without: the staged schedule's switch.
int attention_switch_epoch(const std::vector<EpochRecord>& epochs) {
  for (std::size_t i = 1; i < epochs.size(); ++i)
    if (epochs[i].attention && !epochs[i - 1].attention) return epochs[i].epoch;
  return 0;
}

std::string attention_note(const std::vector<EpochRecord>& epochs) {
  const bool any =
      std::any_of(epochs.begin(), epochs.end(), [](const EpochRecord& e) { return e.attention; });
  if (!any) return "attention off throughout";
  if (attention_switch_epoch(epochs) == 0) return "attention on throughout";
  return "attention on from epoch " + std::to_string(attention_switch_epoch(epochs));
}

std::string curve_script(GnuplotJob& job, const fs::path& png, const std::string& data,
                         const std::string& title, const std::string& ylabel, int train_column,
                         int val_column, const std::vector<EpochRecord>& epochs) {
  const int last = epochs.back().epoch, first = epochs.front().epoch;
  std::string s = job.png_output(png, kChartWidth, kChartHeight);
  s += "reset\nset title " + gnuplot_quote(title + " (" + attention_note(epochs) + ")") + "\n";
  s += "set xlabel 'epoch'\nset ylabel " + gnuplot_quote(ylabel) + "\n";
  s += "set grid\nset key top right box opaque\n";
  s += "set xrange [" + fmt("%g", first - 0.5) + ":" + fmt("%g", last + 0.5) + "]\n";
  if (last - first < 25) s += "set xtics 1\n";
  if (const int on = attention_switch_epoch(epochs)) {
    const std::string x = fmt("%g", on - 0.5);
    s += "set arrow from " + x + ", graph 0 to " + x +
         ", graph 1 nohead dashtype 2 linecolor rgb '#888888'\n";
    s += "set label 'attention on' at " + x +
         ", graph 0.96 left offset 0.5,0 textcolor rgb '#555555'\n";
  }
  s += "plot " + data + " using 1:" + std::to_string(train_column) +
       " with linespoints pointtype 7 linecolor rgb '" + kTrainColor +
       "' title 'train', \\\n     " + data + " using 1:" + std::to_string(val_column) +
       " with linespoints pointtype 5 linecolor rgb '" + kValColor + "' title 'validation'\n";
  return s;
}

const nlohmann::json& require(const nlohmann::json& j, const char* key, const std::string& source) {
  if (!j.is_object() || !j.contains(key))
    throw std::runtime_error(source + ": no '" + key + "' in the metrics");
  return j.at(key);
}

double count(const nlohmann::json& j, const char* key, const std::string& source) {
  const nlohmann::json& v = require(j, key, source);
  if (!v.is_number()) throw std::runtime_error(source + ": '" + key + "' is not a number");
  return v.get<double>();
}

std::string confusion_script(GnuplotJob& job, const nlohmann::json& c, const std::string& source,
                             const fs::path& png) {
  const double tn = count(c, "tn", source), fp = count(c, "fp", source),
               fn = count(c, "fn", source), tp = count(c, "tp", source);
  const double cells[2][2] = {{tn, fp}, {fn, tp}};  // rows: true no, true yes; columns: predicted
  const double total = std::max(1.0, tn + fp + fn + tp), top = std::max({tn, fp, fn, tp, 1.0});
  std::string matrix;
  for (const auto& row : cells) matrix += fmt("%g", row[0]) + " " + fmt("%g", row[1]) + "\n";
  const std::string data = job.data_file("confusion.dat", matrix);
  std::string s = job.png_output(png, 560, 480);
  s += "reset\nset title 'Confusion matrix'\nunset key\nset size square\n";
  s += "set xrange [-0.5:1.5]\nset yrange [1.5:-0.5]\n";
  s += "set xtics ('no tumor' 0, 'tumor' 1)\nset ytics ('no tumor' 0, 'tumor' 1)\n";
  s += "set xlabel 'predicted'\nset ylabel 'true'\nset tics scale 0\n";
  s += "set palette defined (0 '#f7fbff', 1 '#08306b')\nset cbrange [0:" + fmt("%g", top) +
       "]\nunset colorbox\n";
  for (int r = 0; r < 2; ++r)
    for (int k = 0; k < 2; ++k) {
      const double v = cells[r][k];
      const std::string text = fmt("%.0f", v) + "\\n(" + fmt("%.1f", 100 * v / total) + "%)";
      s += "set label \"" + text + "\" at " + std::to_string(k) + "," + std::to_string(r) +
           " center font ',14' textcolor rgb '" + (v > top / 2 ? "#ffffff" : "#000000") +
           "' front\n";
    }
  s += "plot " + data + " matrix with image\n";
  return s;
}

std::string roc_script(GnuplotJob& job, const nlohmann::json& metrics, const std::string& source,
                       const fs::path& png) {
  const nlohmann::json& roc = require(metrics, "roc", source);
  std::string points;
  for (const auto& p : roc) {
    if (!p.is_array() || p.size() != 2 || !p[0].is_number() || !p[1].is_number())
      throw std::runtime_error(source + ": 'roc' must be a list of [fpr, tpr] pairs");
    points += fmt("%.9g", p[0].get<double>()) + " " + fmt("%.9g", p[1].get<double>()) + "\n";
  }
  if (points.empty()) throw std::runtime_error(source + ": 'roc' is empty");
  const nlohmann::json& auc = require(metrics, "roc_auc", source);
  const std::string auc_text =
      auc.is_number() ? fmt("%.3f", auc.get<double>()) : "n/a (one class only)";
  const std::string data = job.data_file("roc.dat", points);
  std::string s = job.png_output(png, 560, 520);
  s += "reset\nset title " + gnuplot_quote("ROC curve (AUC " + auc_text + ")") + "\n";
  s += "set size square\nset xrange [0:1]\nset yrange [0:1]\nset grid\n";
  s += "set xlabel 'false-positive rate'\nset ylabel 'true-positive rate'\nset key bottom right\n";
  s += "plot " + data + " using 1:2 with lines linewidth 2 linecolor rgb '" + kTrainColor +
       "' title 'model', x with lines dashtype 2 linecolor rgb '#888888' title 'chance'\n";
  return s;
}

// The seed's error analysis: shares of true "yes" and "no" among the correctly and the wrongly
// classified images, as two bar charts side by side.
std::string errors_script(GnuplotJob& job, const nlohmann::json& metrics, const std::string& source,
                          const fs::path& png) {
  const nlohmann::json& e = require(metrics, "error_analysis", source);
  std::string s = job.png_output(png, 800, 420);
  s += "reset\nset multiplot layout 1,2 title 'Error analysis: true class of the correctly and the "
       "wrongly classified'\n";
  int part = 0;
  for (const char* group : {"correct", "wrong"}) {
    const nlohmann::json& g = require(e, group, source);
    const double yes = count(g, "yes", source), no = count(g, "no", source), n = yes + no;
    const std::string data =
        job.data_file(std::string("errors_") + group + ".dat",
                      "0 " + fmt("%g", n ? 100 * yes / n : 0) + " " + fmt("%g", yes) + "\n" + "1 " +
                          fmt("%g", n ? 100 * no / n : 0) + " " + fmt("%g", no) + "\n");
    s += "unset label\nset title " +
         gnuplot_quote(std::string(part++ ? "wrongly" : "correctly") + " classified (" +
                       fmt("%.0f", n) + " images)") +
         "\n";
    s += "unset key\nset style fill solid 0.85 noborder\nset boxwidth 0.6\nset grid ytics\n";
    s += "set xrange [-0.6:1.6]\nset yrange [0:110]\nset ylabel 'share of the group (%)'\n";
    s += "set xtics (\"yes (tumor)\" 0, \"no (no tumor)\" 1) scale 0\n";
    if (n == 0) s += "set label 'none' at 0.5, 55 center font ',14'\n";
    s += "plot " + data +
         " using 1:2:($1 == 0 ? 0xd62728 : 0x1f77b4) with boxes linecolor rgb variable, \\\n     " +
         data + " using 1:2:(sprintf('%.0f%% (%d)', $2, $3)) with labels offset 0,1 notitle\n";
  }
  s += "unset multiplot\n";
  return s;
}

}  // namespace

void plot_training_curves(const std::vector<EpochRecord>& epochs, const fs::path& dir) {
  if (epochs.empty()) throw std::runtime_error("no epochs to plot");
  std::ostringstream rows;
  rows.precision(9);
  for (const EpochRecord& e : epochs)
    rows << e.epoch << ' ' << e.train_loss << ' ' << e.val_loss << ' ' << 100 * e.train_accuracy
         << ' ' << 100 * e.val_accuracy << '\n';
  GnuplotJob job;
  const std::string data = job.data_file("epochs.dat", rows.str());
  job.run(curve_script(job, dir / "loss.png", data, "Training and validation loss",
                       "binary cross-entropy", 2, 3, epochs) +
          curve_script(job, dir / "accuracy.png", data, "Training and validation accuracy",
                       "accuracy (%)", 4, 5, epochs));
}

void plot_evaluation_charts(const nlohmann::json& metrics, const std::string& source,
                            const fs::path& dir) {
  GnuplotJob job;
  const std::string script =
      confusion_script(job, require(metrics, "confusion", source), source, dir / "confusion.png") +
      roc_script(job, metrics, source, dir / "roc.png") +
      errors_script(job, metrics, source, dir / "errors.png");
  job.run(script);
}

void plot_faithfulness_curves(const std::vector<MethodCurves>& methods, const fs::path& png) {
  if (methods.empty()) throw std::runtime_error("no faithfulness curves to plot");
  GnuplotJob job;
  std::vector<std::string> files;
  for (std::size_t m = 0; m < methods.size(); ++m) {
    const auto& c = methods[m];
    const std::size_t steps = c.deletion.size() - 1;
    std::string rows;
    for (std::size_t k = 0; k <= steps && k < c.insertion.size(); ++k)
      rows += fmt("%.6g", static_cast<double>(k) / steps) + " " + fmt("%.9g", c.deletion[k]) + " " +
              fmt("%.9g", c.insertion[k]) + "\n";
    files.push_back(job.data_file("curves" + std::to_string(m) + ".dat", rows));
  }
  std::string s = job.png_output(png, 1000, 440);
  s += "reset\nset multiplot layout 1,2 title 'Faithfulness: probability of the explained class as "
       "the most salient pixels are removed or inserted'\n";
  s += "set xrange [0:1]\nset yrange [0:1]\nset grid\nset key bottom left box opaque\n";
  s += "set xlabel 'share of pixels removed / inserted, most salient first'\nset ylabel "
       "'probability'\n";
  for (const char* curve : {"deletion", "insertion"}) {
    const bool deletion = std::string(curve) == "deletion";
    s += std::string("set title '") +
         (deletion ? "deletion (lower area = more faithful)"
                   : "insertion (higher area = more faithful)") +
         "'\n";
    s += deletion ? "set key top right\n" : "set key bottom right\n";
    s += "plot ";
    for (std::size_t m = 0; m < methods.size(); ++m) {
      const double auc = deletion ? methods[m].deletion_auc : methods[m].insertion_auc;
      s += (m ? ", \\\n     " : "") + files[m] + " using 1:" + (deletion ? "2" : "3") +
           " with linespoints pointtype 7 pointsize 0.6 linewidth 2 title " +
           gnuplot_quote(methods[m].method + " (area " + fmt("%.3f", auc) + ")");
    }
    s += "\n";
  }
  s += "unset multiplot\n";
  job.run(s);
}

}  // namespace braincam::tools
