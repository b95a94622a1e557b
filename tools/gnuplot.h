#pragma once
// Drawing PNG charts with gnuplot: a job collects data files in a private temporary folder, a
// script refers to them, and `run` starts gnuplot on the script. Each PNG is drawn under a
// temporary name beside its target and renamed into place only when gnuplot succeeded, so a
// failed run never leaves a half-written chart. The pngcairo terminal is used when gnuplot has
// it, else the libgd png terminal. The executable is `gnuplot` on PATH, or $BRAINCAM_GNUPLOT.
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace braincam::tools {

class GnuplotJob {
 public:
  GnuplotJob();   // creates the temporary folder
  ~GnuplotJob();  // removes it, and any output that was not renamed into place
  GnuplotJob(const GnuplotJob&) = delete;
  GnuplotJob& operator=(const GnuplotJob&) = delete;

  // Writes a data file into the job's folder; returns its path quoted for the script.
  std::string data_file(const std::string& name, std::string_view text);
  std::string data_file(const std::string& name, std::span<const std::uint8_t> bytes);

  // Script lines that start a `width` x `height` PNG for `target` (written under a temporary
  // name until `run` succeeds).
  std::string png_output(const std::filesystem::path& target, int width, int height);

  // Runs gnuplot on `script`. Throws std::runtime_error with gnuplot's own message when gnuplot
  // is missing, fails, or leaves an output unwritten.
  void run(const std::string& script);

 private:
  void discard_outputs();  // removes the temporary outputs (after a failure)

  std::filesystem::path dir_;
  struct Output {
    std::filesystem::path target, temp;
  };
  std::vector<Output> outputs_;
};

// `text` as a single-quoted gnuplot string (quotes doubled, as gnuplot reads them).
std::string gnuplot_quote(std::string_view text);

}  // namespace braincam::tools
