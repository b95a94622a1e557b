#pragma once
// Which source image a file was made from, so that augmented copies of one source stay in one
// split. Augmented files are named aug_<source>_<n>_<k>.<ext> (the Keras ImageDataGenerator
// names of the seed's augmented set, and those of `braincam augment`); any other file is its own
// source. Byte-identical images are also put in one group (datasets that copy each other), and
// so are near-identical ones, whose perceptual hashes (data/perceptual_hash.h) differ in at most
// a few bits: the same slice re-encoded or rescaled, or the next slice of the same scan.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace braincam::data {

struct SourceName {
  std::string stem;        // the source's file name without extension
  bool augmented = false;  // the name follows the aug_<source>_<n>_<k> pattern
};

SourceName source_of(const std::string& file_name);

// True for names that start with "aug" but do not follow the pattern: their source cannot be
// recovered, so each is split on its own and near-duplicates may leak between splits.
bool looks_augmented_without_source(const std::string& file_name);

struct GroupInput {
  std::string file_name;   // e.g. "aug_Y1_0_1234.jpg"
  std::string class_name;  // data/class_folders.h: a source's name is looked up in its class
  int label = 0;
  std::uint64_t content_hash = 0;     // hash of the decoded pixels and size
  std::uint64_t perceptual_hash = 0;  // of the model input (data/perceptual_hash.h)
};

// The largest hash distance of a near-identical pair. On the four-class Kaggle MRI set, pairs
// up to 4 bits apart were, by eye, the same slice or the next slice of one scan, and never had
// different labels; from 6 bits on, different scans (even different views) are joined and chains
// of such pairs grow groups of hundreds (docs/data.md has the counts).
inline constexpr int kNearDuplicateDistance = 4;

struct GroupingOptions {
  // Nothing: only names and identical pixels join images.
  std::optional<int> near_duplicate_distance = kNearDuplicateDistance;
};

struct Grouping {
  std::vector<std::string> group_of;  // per file: "<class>/<source stem, lower case>"
  std::size_t group_count = 0;
  std::size_t augmented_files = 0;              // files whose source came from their name
  std::size_t duplicate_files = 0;              // files merged with a byte-identical image
  std::size_t near_duplicate_pairs = 0;         // near-identical, not identical, pairs joined
  std::vector<std::string> unrecoverable;       // aug-like names without a recoverable source
  std::size_t cross_class_duplicates = 0;       // identical images under both labels
  std::size_t cross_class_near_duplicates = 0;  // such pairs with different labels
};

// Names join images within a class; identical and near-identical pixels join them within a
// label (one scan filed under two tumor types). A pair under both labels is counted, not joined.
Grouping group_sources(const std::vector<GroupInput>& files, const GroupingOptions& options = {});

}  // namespace braincam::data
