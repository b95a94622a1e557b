#include "tools/gradcheck/inputs.h"

#include <cmath>
#include <cstdint>

namespace braincam::gradcheck {

namespace {

Tensor class_indices(const InputSpec& spec, Rng& rng) {
  Tensor t(spec.shape, DType::I64);
  std::int64_t* p = t.data<std::int64_t>();
  for (std::int64_t i = 0; i < t.numel(); ++i)
    p[i] = static_cast<std::int64_t>(rng.below(static_cast<std::uint64_t>(spec.hi)));
  return t;
}

}  // namespace

Tensor draw(const InputSpec& spec, Rng& rng) {
  if (spec.kind == InputSpec::Kind::Classes) return class_indices(spec, rng);
  Tensor t(spec.shape, DType::F32);
  float* p = t.data<float>();
  const std::int64_t n = t.numel();
  switch (spec.kind) {
    case InputSpec::Kind::Uniform:
      for (std::int64_t i = 0; i < n; ++i) p[i] = static_cast<float>(rng.uniform(spec.lo, spec.hi));
      break;
    case InputSpec::Kind::Binary:
      for (std::int64_t i = 0; i < n; ++i) p[i] = static_cast<float>(rng.below(2));
      break;
    case InputSpec::Kind::EightBit: {
      const auto lo = static_cast<std::int64_t>(std::lround(spec.lo * 256)),
                 hi = static_cast<std::int64_t>(std::lround(spec.hi * 256));
      for (std::int64_t i = 0; i < n; ++i)
        p[i] = static_cast<float>(lo + static_cast<std::int64_t>(rng.below(hi - lo + 1))) / 256.0f;
      break;
    }
    case InputSpec::Kind::Simplex: {
      const std::int64_t width = spec.shape.back();
      for (std::int64_t row = 0; row < n; row += width) {
        double sum = 0;
        for (std::int64_t i = row; i < row + width; ++i)
          sum += p[i] = static_cast<float>(rng.uniform(0.1, 1.0));
        for (std::int64_t i = row; i < row + width; ++i) p[i] = static_cast<float>(p[i] / sum);
      }
      break;
    }
    case InputSpec::Kind::Classes:
      break;  // drawn above
  }
  return t;
}

}  // namespace braincam::gradcheck
