#include "data/perceptual_hash.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>

namespace braincam::data {
namespace {

constexpr int kSide = 32;  // the shrunk image
constexpr int kLow = 8;    // the frequencies kept per axis

// Area-weighted shrink of one axis: out[k] averages the input span [k·n/m, (k+1)·n/m).
std::vector<std::vector<std::pair<int, double>>> area_weights(int n, int m) {
  std::vector<std::vector<std::pair<int, double>>> weights(m);
  const double step = static_cast<double>(n) / m;
  for (int k = 0; k < m; ++k) {
    const double lo = k * step, hi = (k + 1) * step;
    for (int i = static_cast<int>(lo); i < n && i < hi; ++i) {
      const double overlap = std::min<double>(i + 1, hi) - std::max<double>(i, lo);
      if (overlap > 0) weights[k].emplace_back(i, overlap / step);
    }
  }
  return weights;
}

std::array<double, kSide * kSide> shrink_gray(const Image& image) {
  const auto wx = area_weights(image.width, kSide), wy = area_weights(image.height, kSide);
  std::vector<double> columns(static_cast<std::size_t>(image.height) * kSide, 0.0);
  for (int y = 0; y < image.height; ++y)
    for (int k = 0; k < kSide; ++k)
      for (const auto& [x, w] : wx[k]) {
        double gray = 0;
        for (int c = 0; c < image.channels; ++c) gray += image.at(x, y, c);
        columns[static_cast<std::size_t>(y) * kSide + k] += w * gray / image.channels;
      }
  std::array<double, kSide * kSide> out{};
  for (int k = 0; k < kSide; ++k)
    for (const auto& [y, w] : wy[k])
      for (int x = 0; x < kSide; ++x)
        out[k * kSide + x] += w * columns[static_cast<std::size_t>(y) * kSide + x];
  return out;
}

// cosines[u][x] = cos(π (2x + 1) u / 2N), the DCT-II basis (unnormalised: only the order of
// the coefficients matters).
const std::array<std::array<double, kSide>, kLow>& dct_basis() {
  static const auto basis = [] {
    std::array<std::array<double, kSide>, kLow> b{};
    for (int u = 0; u < kLow; ++u)
      for (int x = 0; x < kSide; ++x)
        b[u][x] = std::cos(std::numbers::pi * (2 * x + 1) * u / (2.0 * kSide));
    return b;
  }();
  return basis;
}

}  // namespace

std::uint64_t perceptual_hash(const Image& image) {
  const auto gray = shrink_gray(image);
  const auto& basis = dct_basis();
  std::array<double, kLow * kSide> rows{};  // DCT along x: rows[u][y]
  for (int u = 0; u < kLow; ++u)
    for (int y = 0; y < kSide; ++y) {
      double s = 0;
      for (int x = 0; x < kSide; ++x) s += basis[u][x] * gray[y * kSide + x];
      rows[u * kSide + y] = s;
    }
  std::array<double, kLow * kLow> coefficients{};  // (v, u) at v·8 + u
  for (int v = 0; v < kLow; ++v)
    for (int u = 0; u < kLow; ++u) {
      double s = 0;
      for (int y = 0; y < kSide; ++y) s += basis[v][y] * rows[u * kSide + y];
      coefficients[v * kLow + u] = s;
    }
  auto sorted = coefficients;
  std::nth_element(sorted.begin(), sorted.begin() + 32, sorted.end());
  const double upper = sorted[32];
  const double lower = *std::max_element(sorted.begin(), sorted.begin() + 32);
  const double median = (lower + upper) / 2;
  std::uint64_t hash = 0;
  for (int i = 0; i < kLow * kLow; ++i)
    if (coefficients[i] > median) hash |= std::uint64_t{1} << i;
  return hash;
}

std::vector<std::pair<std::size_t, std::size_t>> near_duplicate_pairs(
    const std::vector<std::uint64_t>& hashes, int max_distance) {
  const std::size_t n = hashes.size();
  std::vector<std::vector<std::pair<std::size_t, std::size_t>>> found(n);
#pragma omp parallel for schedule(dynamic, 64)
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = i + 1; j < n; ++j)
      if (hash_distance(hashes[i], hashes[j]) <= max_distance) found[i].emplace_back(i, j);
  std::vector<std::pair<std::size_t, std::size_t>> pairs;
  for (const auto& f : found) pairs.insert(pairs.end(), f.begin(), f.end());
  return pairs;
}

}  // namespace braincam::data
