#pragma once
// Training runs on a tiny synthetic dataset for the trainer's tests: the dataset, the settings of
// a short run, and what the tests compare of a run folder.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "data/prepare_dataset.h"
#include "data/synth_dataset.h"
#include "model/train_options.h"
#include "model/trainer.h"

namespace braincam::test {

// A 48-image synthetic dataset, prepared once per test process in a folder of its own (CTest
// runs test cases as parallel processes) and removed when the process ends.
struct TinyDataset {
  std::filesystem::path root = std::filesystem::temp_directory_path() /
                               ("braincam_trainer_test_" + std::to_string(::getpid()));
  TinyDataset() {
    data::synthesize_dataset({.out_dir = root / "synth", .count = 48, .seed = 5});
    data::prepare_dataset(
        {.data_dir = root / "synth", .cache_dir = root / "cache", .split = {.seed = 5}});
  }
  ~TinyDataset() {
    std::error_code ignored;
    std::filesystem::remove_all(root, ignored);
  }
};

inline const std::filesystem::path& tiny_cache() {
  static const TinyDataset dataset;
  static const std::filesystem::path cache = dataset.root / "cache";
  return cache;
}

// A fresh run `run` of 3 epochs, the first without attention, in batches of 8 of 20 images.
inline TrainOptions tiny_options(const std::string& run) {
  TrainOptions o;
  o.cache = tiny_cache();
  o.out = tiny_cache().parent_path() / run;
  std::filesystem::remove_all(o.out);
  o.epochs = 3;
  o.warmup_epochs = 1;
  o.batch = 8;
  o.max_train_images = 20;  // 3 batches, the last one partial
  o.seed = 17;
  return o;
}

// Continues the run in `run` to `epochs` epochs in all (0: the run's own), as `train --resume`.
inline TrainResult resume_run(const std::filesystem::path& run, int epochs) {
  TrainOptions rest;
  rest.resume = run;
  rest.epochs = epochs;
  return train(rest);
}

// A file's bytes, hashed so that a failed comparison prints two numbers, not binary.
inline std::size_t bytes_of(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  REQUIRE(in);
  return std::hash<std::string>{}(
      {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()});
}

// metrics.csv without its timing columns (seconds and images_per_s, the 7th and 8th).
inline std::vector<std::string> metrics_without_timing(const std::filesystem::path& run) {
  std::ifstream in(run / "metrics.csv");
  std::vector<std::string> rows;
  for (std::string line; std::getline(in, line);) {
    std::istringstream cells(line);
    std::string row, cell;
    for (int column = 1; std::getline(cells, cell, ','); ++column)
      if (column != 7 && column != 8) row += cell + ',';
    rows.push_back(row);
  }
  return rows;
}

// Checks that the run in `run` ended as the one in `whole`: the same last checkpoint, to the bit,
// and the same metrics.csv (timing aside). How a resumed run is told from one that never stopped.
inline void check_same_run(const std::filesystem::path& run, const std::filesystem::path& whole) {
  CHECK(bytes_of(run / "last.safetensors") == bytes_of(whole / "last.safetensors"));
  CHECK(metrics_without_timing(run) == metrics_without_timing(whole));
}

}  // namespace braincam::test
