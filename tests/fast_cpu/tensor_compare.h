#pragma once
// Largest magnitudes and differences of tensors, for the fast-path comparisons.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>

#include "engine/tensor.h"

namespace braincam::test {

inline double max_abs(const Tensor& t) {
  double m = 0;
  for (double v : t.to_vector()) m = std::max(m, std::abs(v));
  return m;
}

inline double max_abs_diff(const Tensor& a, const Tensor& b) {
  REQUIRE(a.shape() == b.shape());
  const auto va = a.to_vector(), vb = b.to_vector();
  double m = 0;
  for (std::size_t i = 0; i < va.size(); ++i) m = std::max(m, std::abs(va[i] - vb[i]));
  return m;
}

}  // namespace braincam::test
