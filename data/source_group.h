#pragma once
// Which source image a file was made from, so that augmented copies of one source stay in one
// split. Augmented files are named aug_<source>_<n>_<k>.<ext> (the Keras ImageDataGenerator
// names of the seed's augmented set, and those of `braincam augment`); any other file is its own
// source. Byte-identical images are also put in one group (datasets that copy each other).
#include <cstdint>
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
  std::string file_name;  // e.g. "aug_Y1_0_1234.jpg"
  int label = 0;
  std::uint64_t content_hash = 0;  // hash of the decoded pixels and size
};

struct Grouping {
  std::vector<std::string> group_of;  // per file: "<label>/<source stem, lower case>"
  std::size_t group_count = 0;
  std::size_t augmented_files = 0;         // files whose source came from their name
  std::size_t duplicate_files = 0;         // files merged with a byte-identical image
  std::vector<std::string> unrecoverable;  // aug-like names without a recoverable source
  std::size_t cross_class_duplicates = 0;  // identical images under both labels
};

Grouping group_sources(const std::vector<GroupInput>& files);

}  // namespace braincam::data
