#include "data/source_group.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <numeric>
#include <set>

#include "data/perceptual_hash.h"

namespace braincam::data {
namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::string strip_extension(const std::string& name) {
  const auto dot = name.rfind('.');
  return dot == std::string::npos || dot == 0 ? name : name.substr(0, dot);
}

bool all_digits(const std::string& s) {
  return !s.empty() &&
         std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
}

// Removes a trailing "_<digits>" from s; false when there is none.
bool pop_number(std::string& s) {
  const auto us = s.rfind('_');
  if (us == std::string::npos || !all_digits(s.substr(us + 1))) return false;
  s.resize(us);
  return true;
}

struct UnionFind {
  std::vector<std::size_t> parent;
  explicit UnionFind(std::size_t n) : parent(n) { std::iota(parent.begin(), parent.end(), 0); }
  std::size_t find(std::size_t i) {
    while (parent[i] != i) i = parent[i] = parent[parent[i]];
    return i;
  }
  void unite(std::size_t a, std::size_t b) {
    a = find(a);
    b = find(b);
    if (a != b) parent[std::max(a, b)] = std::min(a, b);
  }
};

}  // namespace

SourceName source_of(const std::string& file_name) {
  const std::string stem = strip_extension(file_name);
  if (lower(stem).starts_with("aug_")) {
    std::string rest = stem.substr(4);
    if (pop_number(rest) && pop_number(rest) && !rest.empty()) return {rest, true};
  }
  return {stem, false};
}

bool looks_augmented_without_source(const std::string& file_name) {
  return lower(file_name).starts_with("aug") && !source_of(file_name).augmented;
}

Grouping group_sources(const std::vector<GroupInput>& files, const GroupingOptions& options) {
  Grouping g;
  const std::size_t n = files.size();
  std::vector<std::string> key(n);
  UnionFind uf(n);
  std::map<std::string, std::size_t> first_with_key;
  std::map<std::pair<int, std::uint64_t>, std::size_t> first_with_content;
  std::map<std::uint64_t, std::set<int>> labels_of_content;
  for (std::size_t i = 0; i < n; ++i) {
    const SourceName s = source_of(files[i].file_name);
    if (s.augmented) ++g.augmented_files;
    if (looks_augmented_without_source(files[i].file_name))
      g.unrecoverable.push_back(files[i].file_name);
    key[i] = files[i].class_name + "/" + lower(s.stem);
    if (auto [it, fresh] = first_with_key.emplace(key[i], i); !fresh) uf.unite(i, it->second);
    auto [it, fresh] =
        first_with_content.emplace(std::pair{files[i].label, files[i].content_hash}, i);
    if (!fresh) {
      ++g.duplicate_files;
      uf.unite(i, it->second);
    }
    labels_of_content[files[i].content_hash].insert(files[i].label);
  }
  for (const auto& [hash, labels] : labels_of_content)
    if (labels.size() > 1) ++g.cross_class_duplicates;
  if (options.near_duplicate_distance) {
    std::vector<std::uint64_t> hashes(n);
    for (std::size_t i = 0; i < n; ++i) hashes[i] = files[i].perceptual_hash;
    for (const auto& [i, j] : near_duplicate_pairs(hashes, *options.near_duplicate_distance)) {
      if (files[i].content_hash == files[j].content_hash) continue;  // joined above
      if (files[i].label != files[j].label) {
        ++g.cross_class_near_duplicates;
        continue;
      }
      ++g.near_duplicate_pairs;
      uf.unite(i, j);
    }
  }
  // A group is named after its first member's source key (smallest index).
  g.group_of.resize(n);
  std::set<std::size_t> roots;
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t r = uf.find(i);
    roots.insert(r);
    g.group_of[i] = key[r];
  }
  g.group_count = roots.size();
  return g;
}

}  // namespace braincam::data
