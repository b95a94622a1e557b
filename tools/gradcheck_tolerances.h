#pragma once
// The float32 tolerances of `braincam gradcheck`, all in one place (derivations in
// docs/kernels.md, "Tolerances" and "Checking kernels: braincam gradcheck").
//
// Every output of a kernel is compared with the CPU reference run in float64 on the same float32
// inputs. Its relative error is the largest |got - want| / scale, where scale is either
//   - SumOfMagnitudes: per element, the reference run on the magnitudes of the inputs, i.e.
//     sum |terms| of that element's sum of products (convolutions, linear, CAM reduction);
//   - TensorMax: max |want| over the whole output (the nonlinear ops).
// The tolerance is 2 * chain * u * allowance: a float32 computation whose longest chain of
// roundings is `chain` operations is within chain * u * scale of the exact value (first order),
// doubled for margin; `allowance` covers the conditioning of the nonlinear ops (a mean subtracted,
// a sigmoid or exponential after a sum). A chain of 0 demands bitwise equality.
#include <cmath>
#include <string>

namespace braincam::tools {

enum class ErrorScale { SumOfMagnitudes, TensorMax };

struct Tolerance {
  ErrorScale scale;
  double chain;            // longest chain of float32 roundings
  double allowance = 1.0;  // conditioning factor of nonlinear ops
  double bound() const { return 2.0 * chain * 0x1p-24 * allowance; }
};

// The shapes a tolerance depends on.
struct CheckShape {
  int N;       // batch
  int C = 3;   // image channels
  int K = 32;  // conv1 output channels
  int H = 240, W = 240;
  int pixels() const { return H * W; }
  int pool1_pixels() const { return (H / 4) * (W / 4); }
  int fc_inputs() const { return K * (H / 16) * (W / 16); }
};

// A deterministic block reduction of n values, as the conv5x5 weight gradient does it
// (docs/kernels.md): a strided share of ceil(n / 256) per thread, 32 lanes, 8 warps, then the
// per-image partials in order (`images` of them, 0 when the reduction is one launch).
inline double block_reduction_chain(long n, int images) {
  return std::ceil(n / 256.0) + 1 + 32 + 8 + images;
}

// The tolerance of output `output` of check `op` at shape s; throws for an unknown pair.
Tolerance gradcheck_tolerance(const std::string& op, const std::string& output,
                              const CheckShape& s);

}  // namespace braincam::tools
