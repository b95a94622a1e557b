#pragma once
// Reproducible random test inputs, float64 unless asked otherwise.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <random>
#include <vector>

#include "engine/tensor.h"

namespace braincam::test {

using Rng = std::mt19937_64;

// Independent uniform values in [lo, hi).
inline Tensor uniform(Shape shape, double lo, double hi, Rng& rng, DType dtype = DType::F64) {
  std::uniform_real_distribution<double> u(lo, hi);
  std::vector<double> v(shape_numel(shape));
  for (double& x : v) x = u(rng);
  return Tensor::from_vector(std::move(shape), v, dtype);
}

// Values in [lo, hi) that are pairwise at least (hi - lo) / (2n) apart, n = numel: a random
// permutation of n equal cells, each value jittered inside the middle half of its cell. Maxima
// (max pooling, the attention's max descriptors) then have no near-ties for a finite difference
// to straddle, and no value lies within (hi - lo) / (4n) of a cell boundary, e.g. 0 when
// lo = -hi and n is even.
inline Tensor distinct_uniform(Shape shape, double lo, double hi, Rng& rng) {
  const std::int64_t n = shape_numel(shape);
  std::vector<double> cell(n);
  std::iota(cell.begin(), cell.end(), 0.0);
  std::shuffle(cell.begin(), cell.end(), rng);
  std::uniform_real_distribution<double> jitter(0.25, 0.75);
  const double width = (hi - lo) / static_cast<double>(n);
  for (double& c : cell) c = lo + (c + jitter(rng)) * width;
  return Tensor::from_vector(std::move(shape), cell, DType::F64);
}

// N rows of `cells` positive weights that sum to 1 (a softmax of uniform logits), like the CAM
// guidance.
inline Tensor random_distribution(std::int64_t N, std::int64_t cells, Rng& rng) {
  std::uniform_real_distribution<double> u(-2.0, 2.0);
  std::vector<double> v(N * cells);
  for (std::int64_t n = 0; n < N; ++n) {
    double total = 0;
    for (std::int64_t p = 0; p < cells; ++p) total += (v[n * cells + p] = std::exp(u(rng)));
    for (std::int64_t p = 0; p < cells; ++p) v[n * cells + p] /= total;
  }
  return Tensor::from_vector({N, cells}, v, DType::F64);
}

}  // namespace braincam::test
